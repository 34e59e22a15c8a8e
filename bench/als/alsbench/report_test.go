package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	in := strings.Join([]string{
		`{"side":"numpy","case":"mean","rmse":1.0544,"fit_seconds":0.001,"test_rows":19061}`,
		`{"side":"sluice","case":"bias","rmse":0.8651,"fit_seconds":1.4,"params":{"rank":50,"regParam":0.15,"maxIter":15,"biasMode":"user+item","biasRegParam":2,"solver":"auto"},"gomaxprocs":2}`,
		`{"side":"sluice","case":"spark","rmse":0.9057,"fit_seconds":0.7,"params":{"rank":10,"regParam":0.15,"maxIter":15,"biasMode":"none"},"gomaxprocs":2}`,
		`{"side":"sluice","case":"explicit","iter_seconds":[9,30],"iter_cpu_seconds":[14,12],"ratings":20000000,"params":{"users":138493,"items":27278,"solver":"auto","rank":64},"gomaxprocs":2,"usage":{"Wall":1,"CPU":1,"MaxRSS":805306368}}`,
		`{"side":"sluice","case":"implicit","iter_seconds":[9,8],"iter_cpu_seconds":[14,15],"ratings":20000000,"params":{"users":138493,"items":27278,"solver":"cg"},"gomaxprocs":2}`,
		`not json: a log line`,
	}, "\n")
	var out strings.Builder
	if err := runReport(nil, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"| global mean | numpy |",
		"| Sluice ALS with bias terms | sluice | 50 | 0.15 | 15 | user+item (biasRegParam 2, solver auto) | 0.8651 | 1.40 | ≤ 0.875 | meets |",
		"| explicit | 20000000 | 138493 × 27278 | auto (cg) | 30.00 | 12.00 | 6.00 |",
		"| 768 | ≤ 25 s on 2 cores | misses on this (loaded) machine; CPU time says it meets |",
		"| implicit | 20000000 | 138493 × 27278 | cg | 8.00 | 15.00 | 7.50 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	// Spark-style comes before Sluice's bias model.
	if strings.Index(got, "Spark-style ALS | sluice") > strings.Index(got, "Sluice ALS with bias terms") {
		t.Errorf("row order:\n%s", got)
	}
}
