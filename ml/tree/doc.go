// Package tree holds Sluice's tree learners, named and parametrized like
// Spark ML's: DecisionTreeClassifier and DecisionTreeRegressor,
// RandomForestClassifier and RandomForestRegressor, GBTClassifier and
// GBTRegressor, and their models.
package tree
