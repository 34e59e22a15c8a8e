package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// line is one JSON line of alsbench or peer.py, with the spawner's usage
// merged in by run.sh under "usage".
type line struct {
	result
	Usage *struct {
		Wall   int64 `json:"Wall"`
		CPU    int64 `json:"CPU"`
		MaxRSS int64 `json:"MaxRSS"`
	} `json:"usage,omitempty"`
	Error string `json:"error,omitempty"`
}

// Quality and speed targets of issue 6.
const (
	targetRMSE    = 0.875
	targetIterSec = 25.0
)

// runReport reads JSON lines from r and writes the markdown tables.
func runReport(args []string, r io.Reader, out io.Writer) error {
	full := !slices.Contains(args, "--small")
	var lines []line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		t := strings.TrimSpace(sc.Text())
		if t == "" || !strings.HasPrefix(t, "{") {
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(t), &l); err != nil {
			return fmt.Errorf("report: %v in %q", err, t)
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	var quality, speed []line
	for _, l := range lines {
		if l.IterSeconds != nil || l.Case == "explicit" || l.Case == "implicit" {
			speed = append(speed, l)
		} else {
			quality = append(quality, l)
		}
	}
	if len(quality) > 0 {
		writeQuality(out, quality)
	}
	if len(speed) > 0 {
		if len(quality) > 0 {
			fmt.Fprintln(out)
		}
		writeSpeed(out, speed, full)
	}
	return nil
}

var qualityOrder = map[string]int{"mean": 0, "bias": 1, "spark": 2, "residual": 3}

// qualityRank orders the rows: baselines first, Sluice's bias model last.
func qualityRank(l line) int {
	if l.Side == "sluice" && l.Case == "bias" {
		return 9
	}
	return qualityOrder[l.Case]
}

func writeQuality(out io.Writer, ls []line) {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].Side != ls[j].Side {
			return ls[i].Side == "numpy"
		}
		return qualityRank(ls[i]) < qualityRank(ls[j])
	})
	fmt.Fprintln(out, "| model (MovieLens latest-small, 80/20 split, cold-start rows dropped) | side | rank | regParam | iterations | bias mode | test RMSE | fit s | target | verdict |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|---|--:|--:|---|---|")
	for _, l := range ls {
		name := map[string]string{
			"mean":     "global mean",
			"bias":     "damped user+item bias baseline",
			"spark":    "Spark-style ALS",
			"residual": "Spark-style ALS on the bias baseline's residuals",
		}[l.Case]
		p := l.Params
		get := func(k string) string {
			if v, ok := p[k]; ok {
				return fmt.Sprint(v)
			}
			return ""
		}
		mode := get("biasMode")
		if l.Side == "sluice" && l.Case == "bias" {
			name = "Sluice ALS with bias terms"
			mode += fmt.Sprintf(" (biasRegParam %s, solver %s)", get("biasRegParam"), get("solver"))
		}
		if l.Side == "numpy" && l.Case == "bias" {
			mode = fmt.Sprintf("damping %s, %s rounds", get("damping"), get("rounds"))
		}
		target, verdict := "", ""
		if l.Side == "sluice" && l.Case == "bias" {
			target = fmt.Sprintf("≤ %.3f", targetRMSE)
			verdict = "meets"
			if l.Error != "" || !(l.RMSE <= targetRMSE) {
				verdict = "misses"
			}
		}
		rmse := fmt.Sprintf("%.4f", l.RMSE)
		if l.Error != "" {
			rmse = "n/a: " + l.Error
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %.2f | %s | %s |\n",
			name, l.Side, get("rank"), get("regParam"), get("maxIter"), mode, rmse, l.FitSeconds, target, verdict)
	}
}

func writeSpeed(out io.Writer, ls []line, full bool) {
	fmt.Fprintln(out, "| ALS iteration, rank 64 | ratings | users × items | solver | s per iteration (wall) | CPU s per iteration | CPU s / cores | set-up s | peak RSS MB | target | verdict |")
	fmt.Fprintln(out, "|---|--:|---|---|--:|--:|--:|--:|--:|---|---|")
	for _, l := range ls {
		if l.Error != "" {
			fmt.Fprintf(out, "| %s | | | | n/a: %s | | | | | | |\n", l.Case, l.Error)
			continue
		}
		wall, cpu := last(l.IterSeconds), last(l.IterCPU)
		rss := l.PeakRSSMB
		if l.Usage != nil && l.Usage.MaxRSS > 0 {
			rss = float64(l.Usage.MaxRSS) / (1 << 20)
		}
		target, verdict := "—", "—"
		if full {
			target = fmt.Sprintf("≤ %.0f s on 2 cores", targetIterSec)
			verdict = "meets"
			if !(wall <= targetIterSec) {
				verdict = "misses"
				if cpu/float64(max(1, l.GoMaxProcs)) <= targetIterSec {
					verdict = "misses on this (loaded) machine; CPU time says it meets"
				}
			}
		}
		solver := fmt.Sprint(l.Params["solver"])
		if rank, ok := l.Params["rank"].(float64); ok && solver == "auto" {
			if rank >= 24 {
				solver = "auto (cg)"
			} else {
				solver = "auto (cholesky)"
			}
		}
		fmt.Fprintf(out, "| %s | %d | %v × %v | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %s | %s |\n",
			l.Case, l.Ratings, l.Params["users"], l.Params["items"], solver, wall, cpu, cpu/float64(max(1, l.GoMaxProcs)), l.SetupSecs, rss, target, verdict)
	}
}

// last returns the last iteration's figure (the first one's CPU time
// includes the set-up), or NaN-free 0 when there is none.
func last(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}
