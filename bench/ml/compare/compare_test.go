package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

const sample = `
{"case":"churn-dt","label":"churn DecisionTree (depth 5)","side":"peer","target":1.0,"auc_tol":0.01,"auc_rule":"below","result":{"task":"churn","model":"dt","fit_seconds":0.014,"predict_seconds":0.0003,"auc":0.8911,"accuracy":0.94,"peak_rss_mb":142.1,"sklearn_version":"1.2.1","xgboost_version":"1.7.4"}}
{"case":"churn-dt","label":"churn DecisionTree (depth 5)","side":"sluice","target":1.0,"auc_tol":0.01,"auc_rule":"below","result":{"side":"sluice","task":"churn","model":"dt","fit_seconds":0.007,"predict_seconds":0.0005,"auc":0.8813,"accuracy":0.94,"peak_rss_mb":21.5}}
{"case":"churn-rf","side":"peer","target":1.0,"auc_tol":0.01,"result":{"model":"rf","fit_seconds":0.3,"auc":0.926,"peak_rss_mb":153,"sklearn_version":"1.2.1"}}
{"case":"churn-rf","side":"sluice","target":1.0,"auc_tol":0.01,"result":{"model":"rf","fit_seconds":0.45,"auc":0.91,"peak_rss_mb":30}}
{"case":"synthetic-gbt","label":"synthetic GBT","side":"peer","target":1.5,"auc_tol":0.005,"auc_rule":"within","result":{"model":"xgb-hist","fit_seconds":3.24,"auc":0.9946,"peak_rss_mb":304,"xgboost_version":"1.7.4"}}
{"case":"synthetic-gbt","label":"synthetic GBT","side":"sluice","target":1.5,"auc_tol":0.005,"auc_rule":"within","result":{"model":"gbt","error":"unknown stage: ml/stages does not register GBTClassifier yet","peak_rss_mb":31}}
{"case":"synthetic-lr","side":"peer","target":1.0,"auc_tol":0.005,"auc_rule":"within","result":{"model":"lr","fit_seconds":0.4,"auc":0.90,"sklearn_version":"1.2.1"}}
{"case":"synthetic-lr","side":"sluice","target":1.0,"auc_tol":0.005,"auc_rule":"within","result":{"model":"lr","fit_seconds":0.2,"auc":0.91}}
{"case":"churn-lr","side":"peer","target":1.0,"auc_tol":0.01,"result":{"model":"lr","fit_seconds":0.005,"auc":0.839867,"sklearn_version":"1.2.1"}}
{"case":"churn-lr","side":"sluice","target":1.0,"auc_tol":0.01,"result":{"model":"lr","fit_seconds":0.003,"auc":0.8398669}}
{"case":"synthetic-dt","side":"peer","target":1.0,"auc_tol":0.005,"result":"garbage"}
`

func mustParse(tb testing.TB, s string) []*Case {
	tb.Helper()
	cases, err := Parse(strings.NewReader(s))
	if err != nil {
		tb.Fatal(err)
	}
	return cases
}

func TestParseGroupsCasesInOrder(t *testing.T) {
	cases := mustParse(t, sample)
	var ids []string
	for _, c := range cases {
		ids = append(ids, c.ID)
	}
	if got, want := strings.Join(ids, " "), "churn-dt churn-rf synthetic-gbt synthetic-lr churn-lr synthetic-dt"; got != want {
		t.Fatalf("got cases %q, want %q", got, want)
	}
	c := cases[0]
	if c.Peer == nil || c.Sluice == nil || *c.Peer.AUC != 0.8911 || *c.Sluice.FitSeconds != 0.007 {
		t.Fatalf("churn-dt parsed wrong: %+v", c)
	}
	if c.Target != 1.0 || c.AUCTol != 0.01 || c.AUCRule != "below" || c.Label != "churn DecisionTree (depth 5)" {
		t.Fatalf("churn-dt targets parsed wrong: %+v", c)
	}
	if got := cases[1].AUCRule; got != "below" {
		t.Errorf("default auc_rule: got %q, want below", got)
	}
	if got := cases[5].Peer.Error; got == "" {
		t.Errorf("non-object result: got no error side")
	}
}

func TestEvaluate(t *testing.T) {
	cases := mustParse(t, sample)
	tests := []struct {
		id        string
		status    Status
		ratio     float64
		delta     float64
		whyPrefix string
	}{
		{"churn-dt", Meets, 0.5, -0.0098, ""},
		{"churn-rf", Misses, 1.5, -0.016, "fit 1.50× > 1.0×, AUC -0.0160"},
		{"synthetic-gbt", NA, math.NaN(), math.NaN(), "sluice: unknown stage"},
		{"synthetic-lr", Meets, 0.5, 0.01, ""},
		{"churn-lr", Meets, 0.6, -1e-7, ""},
		{"synthetic-dt", NA, math.NaN(), math.NaN(), "peer: output is not a JSON object; sluice: no result"},
	}
	for i, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			o := cases[i].Evaluate()
			if o.Status != tt.status {
				t.Errorf("status: got %v, want %v (%s)", o.Status, tt.status, o.Why)
			}
			if !approx(o.Ratio, tt.ratio) || !approx(o.DeltaAUC, tt.delta) {
				t.Errorf("got ratio %v ΔAUC %v, want %v %v", o.Ratio, o.DeltaAUC, tt.ratio, tt.delta)
			}
			if !strings.HasPrefix(o.Why, tt.whyPrefix) || (tt.whyPrefix == "" && o.Why != "") {
				t.Errorf("why: got %q, want prefix %q", o.Why, tt.whyPrefix)
			}
		})
	}
}

func TestEvaluateToleranceEdge(t *testing.T) {
	// Exactly 0.01 below and exactly 1.0× meet despite float rounding.
	fit, peerAUC, sluiceAUC := 0.3, 0.93, 0.92
	c := &Case{Target: 1, AUCTol: 0.01, AUCRule: "below",
		Peer:   &Side{FitSeconds: &fit, AUC: &peerAUC},
		Sluice: &Side{FitSeconds: &fit, AUC: &sluiceAUC}}
	if o := c.Evaluate(); o.Status != Meets {
		t.Fatalf("got %v (%s), want meets", o.Status, o.Why)
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, mustParse(t, sample)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"| churn DecisionTree (depth 5) | sklearn 1.2.1 | 0.0140 | 0.0070 | 0.50× | ≤ 1.0×, AUC ≥ -0.01 | 0.8911 | 0.8813 | -0.0098 | 142 | 22 | meets |",
		"| synthetic GBT | xgboost 1.7.4 hist | 3.240 | n/a | n/a | ≤ 1.5×, AUC ≥ -0.005 | 0.9946 | n/a | n/a | 304 | n/a | n/a |",
		"- synthetic-gbt: n/a — sluice: unknown stage",
		"| ≤ 1.0×, AUC ≥ -0.005 | 0.9000 | 0.9100 | +0.0100 | n/a | n/a | meets; AUC +0.0100 above +0.005 |",
		"| misses (fit 1.50× > 1.0×, AUC -0.0160 < -0.01) |",
		"| 0.8399 | 0.8399 | +0.0000 |",
		"3 meet, 1 miss, 2 n/a.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q; got:\n%s", want, out)
		}
	}
}

func TestParseRejectsBadLines(t *testing.T) {
	for _, in := range []string{
		`not json`,
		`{"side":"peer","result":{}}`,
		`{"case":"x","side":"both","result":{}}`,
		`{"case":"x","side":"peer","auc_rule":"near","result":{}}`,
	} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q): got no error", in)
		}
	}
}

func TestRunStrict(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--strict"}, strings.NewReader(sample), &out, &errb); code != 1 {
		t.Errorf("--strict with misses: got exit %d, want 1", code)
	}
	allMeet := strings.Join(strings.Split(sample, "\n")[1:3], "\n")
	if code := run([]string{"--strict"}, strings.NewReader(allMeet), &out, &errb); code != 0 {
		t.Errorf("--strict when every case meets: got exit %d, want 0", code)
	}
	out.Reset()
	if code := run(nil, strings.NewReader(sample), &out, &errb); code != 0 {
		t.Errorf("without --strict: got exit %d, want 0 (stderr %s)", code, errb.String())
	}
}

func approx(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}
