-- Features for the fit: drop the charge columns, a numeric label and a
-- train/test split at ${train_rows} customers.
CREATE TABLE churn_features AS
SELECT * EXCLUDE (churn, state, area_code, total_day_charge, total_eve_charge,
                  total_night_charge, total_intl_charge),
       CASE WHEN churn THEN 1.0 ELSE 0.0 END AS label,
       CASE WHEN customer_id <= ${train_rows} THEN 'train' ELSE 'test' END AS split
FROM (SELECT row_number() OVER () AS customer_id, * FROM churn);

SELECT split, count(*) AS customers, round(avg(label), 3) AS churn_rate
FROM churn_features GROUP BY split ORDER BY split
