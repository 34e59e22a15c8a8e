package serving_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/models/modelstest"
	"github.com/sluice-dev/sluice/serving"
)

// A saved model answers MLflow's /invocations.
func ExampleHandler() {
	ctx := context.Background()
	c, err := modelstest.FitChurn()
	if err != nil {
		panic(err)
	}
	dir := filepath.Join(os.TempDir(), "example-serving-churn")
	os.RemoveAll(dir)
	defer os.RemoveAll(dir)
	if err := models.Save(ctx, dir, c.Model, c.Train.Schema(), models.Options{}); err != nil {
		panic(err)
	}
	m, err := models.Load(ctx, dir, stages.Registry(nil))
	if err != nil {
		panic(err)
	}
	h := serving.NewHandler(m, serving.Options{})

	body := `{"dataframe_split": {"columns": ["account_length", "international_plan", "voice_mail_plan",
	  "number_vmail_messages", "total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls",
	  "total_night_minutes", "total_night_calls", "total_intl_minutes", "total_intl_calls", "number_customer_service_calls"],
	  "data": [[128, false, true, 25, 265.1, 110, 197.4, 99, 244.7, 91, 10.0, 3, 1],
	           [65, false, false, 0, 129.1, 137, 228.5, 83, 208.8, 111, 12.7, 6, 4]]}}`
	req := httptest.NewRequest("POST", "/invocations", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Print(w.Code, " ", w.Body)

	req = httptest.NewRequest("POST", "/invocations", strings.NewReader(`{"dataframe_records": [{"account_length": "long"}]}`))
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Print(w.Code, " ", w.Body)
	// Output:
	// 200 {"predictions": [0.0, 1.0]}
	// 400 {"error_code": "BAD_REQUEST", "message": "column \"account_length\", row 1: got string \"long\", want long"}
}
