package evaluation

import (
	"errors"
	"math"
	"testing"
)

func TestRegression(t *testing.T) {
	tests := []struct {
		name                 string
		preds, labels, wgts  []float64
		mse, mae, r2, varExp float64
	}{
		// errors 0,1,2; mean label 3; SStot 8; SSreg 4+1+0.
		{"unit", []float64{1, 2, 3}, []float64{1, 3, 5}, nil, 5.0 / 3, 1, 1 - 5.0/8, 5.0 / 3},
		// Weights 2 everywhere: W=6, Σw²/W=2, variance = 16/4, SStot = 4*5 = 20 (Spark's scaling).
		{"uniform weight 2", []float64{1, 2, 3}, []float64{1, 3, 5}, []float64{2, 2, 2}, 5.0 / 3, 1, 1 - 10.0/20, 5.0 / 3},
		{"perfect", []float64{1, 3, 5}, []float64{1, 3, 5}, nil, 0, 0, 1, 8.0 / 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Regression(tt.preds, tt.labels, tt.wgts)
			if err != nil {
				t.Fatal(err)
			}
			checks := []struct {
				name      string
				got, want float64
			}{
				{"mse", got.MSE, tt.mse}, {"rmse", got.RMSE, math.Sqrt(tt.mse)}, {"mae", got.MAE, tt.mae},
				{"r2", got.R2, tt.r2}, {"var", got.ExplainedVariance, tt.varExp},
			}
			for _, c := range checks {
				if !near(c.got, c.want, 1e-15) {
					t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestRegressionConstantLabels(t *testing.T) {
	got, err := Regression([]float64{1, 2}, []float64{2, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(got.R2, -1) {
		t.Errorf("r2 with constant labels: got %v, want -Inf (Spark: 1 - SSerr/0)", got.R2)
	}
}

func TestRegressionErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name                string
		preds, labels, wgts []float64
		want                error
	}{
		{"length", []float64{1}, []float64{1, 2}, nil, ErrLengthMismatch},
		{"NaN prediction", []float64{nan}, []float64{1}, nil, ErrInvalidScore},
		{"Inf prediction", []float64{inf}, []float64{1}, nil, ErrInvalidScore},
		{"NaN label", []float64{1}, []float64{nan}, nil, ErrInvalidLabel},
		{"negative weight", []float64{1}, []float64{1}, []float64{-2}, ErrInvalidWeight},
		{"empty", nil, nil, nil, ErrEmpty},
		{"zero weights", []float64{1}, []float64{1}, []float64{0}, ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Regression(tt.preds, tt.labels, tt.wgts); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}
