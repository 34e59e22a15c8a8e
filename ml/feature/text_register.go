package feature

import "github.com/sluice-dev/sluice/ml"

func registerText(r *ml.Registry) {}
