package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

// Side is one program's JSON line: the keys peer.py and sluicebench share.
// Pointers are nil when the key is absent.
type Side struct {
	Model          string   `json:"model"`
	Stage          string   `json:"stage"`
	FitSeconds     *float64 `json:"fit_seconds"`
	PredictSeconds *float64 `json:"predict_seconds"`
	AUC            *float64 `json:"auc"`
	Accuracy       *float64 `json:"accuracy"`
	PeakRSSMB      *float64 `json:"peak_rss_mb"`
	NJobs          int      `json:"n_jobs"`
	Repeat         int      `json:"repeat"`
	Error          string   `json:"error"`
	SklearnVersion string   `json:"sklearn_version"`
	XGBoostVersion string   `json:"xgboost_version"`
	GoVersion      string   `json:"go_version"`
}

// failed reports whether the side has no usable result, and why.
func (s *Side) failed() (bool, string) {
	switch {
	case s == nil:
		return true, "no result"
	case s.Error != "":
		return true, s.Error
	case s.FitSeconds == nil || s.AUC == nil:
		return true, "result has no fit_seconds or auc"
	}
	return false, ""
}

// Case is one row of the table: a peer and a Sluice result with the
// targets run.sh gave them.
type Case struct {
	ID      string
	Label   string
	Target  float64 // max fit-time ratio sluice/peer
	AUCTol  float64
	AUCRule string // "below" or "within"
	Peer    *Side
	Sluice  *Side
}

// line is one input line.
type line struct {
	Case    string          `json:"case"`
	Label   string          `json:"label"`
	Side    string          `json:"side"`
	Target  float64         `json:"target"`
	AUCTol  float64         `json:"auc_tol"`
	AUCRule string          `json:"auc_rule"`
	Result  json.RawMessage `json:"result"`
}

// Parse reads the input lines and groups them into cases, in order of
// first appearance. A later line for the same case and side replaces the
// earlier one. A result that is not a JSON object becomes an error side
// (so the case shows as n/a); a malformed wrapper line is an error.
func Parse(r io.Reader) ([]*Case, error) {
	var cases []*Case
	byID := map[string]*Case{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if l.Case == "" {
			return nil, fmt.Errorf("line %d: no \"case\"", n)
		}
		if l.Side != "peer" && l.Side != "sluice" {
			return nil, fmt.Errorf("line %d: side %q; want peer or sluice", n, l.Side)
		}
		switch l.AUCRule {
		case "":
			l.AUCRule = "below"
		case "below", "within":
		default:
			return nil, fmt.Errorf("line %d: auc_rule %q; want below or within", n, l.AUCRule)
		}
		c := byID[l.Case]
		if c == nil {
			c = &Case{ID: l.Case}
			byID[l.Case] = c
			cases = append(cases, c)
		}
		if l.Label != "" {
			c.Label = l.Label
		}
		if l.Target > 0 {
			c.Target = l.Target
		}
		if l.AUCTol > 0 {
			c.AUCTol = l.AUCTol
		}
		c.AUCRule = l.AUCRule
		s := &Side{}
		if err := json.Unmarshal(l.Result, s); err != nil || len(l.Result) == 0 || l.Result[0] != '{' {
			s = &Side{Error: "output is not a JSON object"}
		}
		if l.Side == "peer" {
			c.Peer = s
		} else {
			c.Sluice = s
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cases, nil
}

// Status is a case's verdict.
type Status int

// The verdicts.
const (
	Meets Status = iota
	Misses
	NA
)

// Outcome is a case's comparison.
type Outcome struct {
	Status   Status
	Ratio    float64 // sluice fit / peer fit; NaN when n/a
	DeltaAUC float64 // sluice AUC - peer AUC; NaN when n/a
	Why      string  // for Misses and NA: the reasons
	Note     string  // for "within": Sluice's AUC is more than auc_tol above the peer's
}

// Evaluate compares the two sides against the case's targets.
func (c *Case) Evaluate() Outcome {
	nan := math.NaN()
	var why []string
	for _, s := range []struct {
		name string
		side *Side
	}{{"peer", c.Peer}, {"sluice", c.Sluice}} {
		if bad, reason := s.side.failed(); bad {
			why = append(why, s.name+": "+reason)
		}
	}
	if len(why) > 0 {
		return Outcome{Status: NA, Ratio: nan, DeltaAUC: nan, Why: strings.Join(why, "; ")}
	}
	out := Outcome{Status: Meets, Ratio: nan, DeltaAUC: *c.Sluice.AUC - *c.Peer.AUC}
	if *c.Peer.FitSeconds > 0 {
		out.Ratio = *c.Sluice.FitSeconds / *c.Peer.FitSeconds
	}
	// Compare at the printed precision so that 0.0100 below with a 0.01
	// tolerance is not a miss because of float rounding.
	const eps = 1e-9
	switch {
	case math.IsNaN(out.Ratio):
		why = append(why, "peer fit time is 0")
	case c.Target > 0 && out.Ratio > c.Target+eps:
		why = append(why, fmt.Sprintf("fit %.2f× > %.1f×", out.Ratio, c.Target))
	}
	if c.AUCTol > 0 {
		if out.DeltaAUC < -c.AUCTol-eps {
			why = append(why, fmt.Sprintf("AUC %+.4f < -%g", out.DeltaAUC, c.AUCTol))
		} else if c.AUCRule == "within" && out.DeltaAUC > c.AUCTol+eps {
			out.Note = fmt.Sprintf("AUC %+.4f above +%g", out.DeltaAUC, c.AUCTol)
		}
	}
	if len(why) > 0 {
		out.Status = Misses
		out.Why = strings.Join(why, ", ")
	}
	return out
}

// peerName is the peer library and version, e.g. "sklearn 1.2.1".
func (c *Case) peerName() string {
	if c.Peer == nil {
		return "—"
	}
	if strings.HasPrefix(c.Peer.Model, "xgb") {
		return strings.TrimSpace("xgboost " + c.Peer.XGBoostVersion + " hist")
	}
	return strings.TrimSpace("sklearn " + c.Peer.SklearnVersion)
}

// targetText is the target column, e.g. "≤ 1.0×, AUC ≥ -0.01".
func (c *Case) targetText() string {
	var parts []string
	if c.Target > 0 {
		parts = append(parts, fmt.Sprintf("≤ %.1f×", c.Target))
	}
	if c.AUCTol > 0 {
		parts = append(parts, fmt.Sprintf("AUC ≥ -%g", c.AUCTol))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// WriteTable writes the markdown table, then one note per n/a case and a
// count of verdicts.
func WriteTable(w io.Writer, cases []*Case) error {
	var b strings.Builder
	b.WriteString("| case | peer | peer fit s | sluice fit s | ratio (sluice/peer) | target | peer AUC | sluice AUC | ΔAUC | peer RSS MB | sluice RSS MB | verdict |\n")
	b.WriteString("|---|---|--:|--:|--:|---|--:|--:|--:|--:|--:|---|\n")
	var notes []string
	counts := map[Status]int{}
	for _, c := range cases {
		o := c.Evaluate()
		counts[o.Status]++
		label := c.Label
		if label == "" {
			label = c.ID
		}
		ratio, delta := "n/a", "n/a"
		if !math.IsNaN(o.Ratio) {
			ratio = fmt.Sprintf("%.2f×", o.Ratio)
		}
		if !math.IsNaN(o.DeltaAUC) {
			// +0 for differences that round to zero, never "-0.0000".
			delta = fmt.Sprintf("%+.4f", math.Round(o.DeltaAUC*1e4)/1e4+0)
		}
		verdict := "meets"
		switch o.Status {
		case Misses:
			verdict = "misses (" + o.Why + ")"
		case NA:
			verdict = "n/a"
			notes = append(notes, fmt.Sprintf("- %s: n/a — %s", c.ID, o.Why))
		}
		if o.Note != "" {
			verdict += "; " + o.Note
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			label, c.peerName(),
			seconds(c.Peer, func(s *Side) *float64 { return s.FitSeconds }),
			seconds(c.Sluice, func(s *Side) *float64 { return s.FitSeconds }),
			ratio, c.targetText(),
			number(c.Peer, func(s *Side) *float64 { return s.AUC }, "%.4f"),
			number(c.Sluice, func(s *Side) *float64 { return s.AUC }, "%.4f"),
			delta,
			rss(c.Peer), rss(c.Sluice),
			verdict)
	}
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	fmt.Fprintf(&b, "\n%d meet, %d miss, %d n/a.\n", counts[Meets], counts[Misses], counts[NA])
	_, err := io.WriteString(w, b.String())
	return err
}

// seconds formats a time with about four significant digits.
func seconds(s *Side, get func(*Side) *float64) string {
	if s == nil || get(s) == nil {
		return "n/a"
	}
	v := *get(s)
	switch {
	case v < 1:
		return fmt.Sprintf("%.4f", v)
	case v < 100:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// number formats a value of s, or n/a.
func number(s *Side, get func(*Side) *float64, format string) string {
	if s == nil || get(s) == nil {
		return "n/a"
	}
	return fmt.Sprintf(format, *get(s))
}

// rss formats a side's peak RSS; a failed side has none worth showing.
func rss(s *Side) string {
	if bad, _ := s.failed(); bad {
		return "n/a"
	}
	return number(s, func(s *Side) *float64 { return s.PeakRSSMB }, "%.0f")
}
