package fpm

import "github.com/sluice-dev/sluice/ml"

func registerFPGrowth(r *ml.Registry) {}
