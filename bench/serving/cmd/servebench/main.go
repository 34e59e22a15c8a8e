// Command servebench compares model serving throughput and latency: the
// churn pipeline served by `sluice models serve` against the equivalent
// scikit-learn model served by Flask (bench/serving/flask_server.py), on
// the same machine in the same run, and prints one table against issue
// 4's targets: Sluice ≥ 10× Flask's requests/s, and Sluice's single-row
// /invocations p99 ≤ 2 ms at 5,000 requests/s.
//
// Each server is started on a free loopback port and driven with wrk
// (closed loop: -threads × -connections for -duration, one single-row
// dataframe_split body) for its throughput. The fixed-rate figure comes
// from wrk -R (wrk2) when the installed wrk has it, else from this
// program's own open-loop generator, which schedules requests at the rate
// and measures each from when it was due (as wrk2 does).
//
//	go run ./bench/serving/cmd/servebench -sluice bin/sluice -workspace WS -model models:/churn/1 -example WS/artifacts/…/model/input_example.json
//
// bench/serving/run.sh installs what it needs, fits the model and runs
// this.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/bench/tracking/loadtest"
)

type config struct {
	sluice      string
	model       string
	workspace   string
	example     string
	python      string
	flaskScript string
	gunicorn    bool
	wrk         string
	threads     int
	connections int
	duration    time.Duration
	rate        float64
	workers     int
	body        string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "servebench: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("servebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.sluice, "sluice", "bin/sluice", "the sluice binary (`sluice models serve`)")
	fs.StringVar(&cfg.model, "model", "", "the churn model, as `sluice models serve` takes it: models:/churn/1 (with -workspace), runs:/…, or an MLflow model directory")
	fs.StringVar(&cfg.workspace, "workspace", "", "the workspace holding -model's registry and artifacts (default: a temporary one)")
	fs.StringVar(&cfg.example, "example", "", "the model's input_example.json, to build the request body from (default: MODEL/input_example.json when -model is a directory)")
	fs.StringVar(&cfg.python, "python", "/usr/bin/python3", "Python with Debian's flask, sklearn and pandas")
	fs.StringVar(&cfg.flaskScript, "flask", "bench/serving/flask_server.py", "the Flask + scikit-learn server")
	fs.BoolVar(&cfg.gunicorn, "gunicorn", true, "also run the Flask app under gunicorn with one sync worker per CPU (MLflow's own serving setup), if gunicorn is installed")
	fs.StringVar(&cfg.wrk, "wrk", "wrk", "the wrk binary")
	fs.IntVar(&cfg.threads, "threads", 2, "wrk threads")
	fs.IntVar(&cfg.connections, "connections", 32, "wrk connections")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "duration of each measured run")
	fs.Float64Var(&cfg.rate, "rate", 5000, "fixed request rate (requests/s) of the latency run against Sluice")
	fs.IntVar(&cfg.workers, "workers", 64, "open-loop generator: most requests in flight")
	fs.StringVar(&cfg.body, "body", "", "request body file (default: built from the model's input example, first row)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.model == "" {
		return errors.New("-model is required: fit and register one with `sluice ml fit examples/churn/pipeline.yaml --register churn`")
	}
	if _, err := exec.LookPath(cfg.wrk); err != nil {
		return fmt.Errorf("wrk not found (Debian: apt-get install wrk): %w", err)
	}
	tmp, err := os.MkdirTemp("", "sluice-bench-serving-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	body, bodySource, err := requestBody(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "servebench: request body (%s): %s\n", bodySource, body)
	lua := filepath.Join(tmp, "post.lua")
	if err := os.WriteFile(lua, []byte(wrkScript(body)), 0o644); err != nil {
		return err
	}
	hasRate := wrkHasRate(cfg.wrk)

	var rows []row
	var notes []string

	// Flask (werkzeug, threaded) and, when available, gunicorn.
	flaskBest := 0.0
	servers := []struct {
		label string
		start func(port int) (*loadtest.Process, error)
	}{
		{"Flask + scikit-learn (Flask's threaded server)", func(port int) (*loadtest.Process, error) {
			return loadtest.Start(cfg.python, []string{cfg.flaskScript, "--port", strconv.Itoa(port)}, nil, filepath.Join(tmp, "flask.log"))
		}},
	}
	if cfg.gunicorn && exec.Command(cfg.python, "-c", "import gunicorn").Run() == nil {
		workers := runtime.NumCPU()
		servers = append(servers, struct {
			label string
			start func(port int) (*loadtest.Process, error)
		}{fmt.Sprintf("Flask + scikit-learn (gunicorn, %d sync workers)", workers), func(port int) (*loadtest.Process, error) {
			dir, file := filepath.Split(cfg.flaskScript)
			return loadtest.Start(cfg.python, []string{"-m", "gunicorn", "--chdir", dir, "-w", strconv.Itoa(workers), "-b", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "warning", strings.TrimSuffix(file, ".py") + ":app"},
				[]string{"SLUICE_BENCH_GUNICORN=1"}, filepath.Join(tmp, "gunicorn.log"))
		}})
	} else if cfg.gunicorn {
		notes = append(notes, "gunicorn not installed (Debian python3-gunicorn): Flask measured with its own threaded server only")
	}
	for _, s := range servers {
		r, err := withServer(ctx, s.start, "/ping", 180*time.Second, func(url string) (row, error) {
			if err := checkInvocation(ctx, url+"/invocations", body); err != nil {
				return row{}, err
			}
			fmt.Fprintf(stderr, "servebench: wrk against %s\n", s.label)
			return runWrk(ctx, cfg, url+"/invocations", lua)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", s.label, err)
		}
		r.server = s.label
		rows = append(rows, r)
		flaskBest = max(flaskBest, r.rps)
	}

	// Sluice.
	startSluice := func(port int) (*loadtest.Process, error) {
		ws := cfg.workspace
		if ws == "" {
			ws = filepath.Join(tmp, "ws")
		}
		return loadtest.Start(cfg.sluice, []string{"--workspace", ws, "models", "serve", cfg.model, "--addr", "127.0.0.1:" + strconv.Itoa(port)}, nil, filepath.Join(tmp, "sluice.log"))
	}
	var sluiceRows []row
	_, err = withServer(ctx, startSluice, "/ping", 60*time.Second, func(url string) (row, error) {
		if err := checkInvocation(ctx, url+"/invocations", body); err != nil {
			return row{}, err
		}
		fmt.Fprintln(stderr, "servebench: wrk against sluice models serve")
		r, err := runWrk(ctx, cfg, url+"/invocations", lua)
		if err != nil {
			return row{}, err
		}
		r.server = "Sluice (sluice models serve)"
		if flaskBest > 0 {
			ratio := r.rps / flaskBest
			r.target, r.result = "≥ 10× Flask req/s", fmt.Sprintf("%s (%.0f×)", passFail(ratio >= 10), ratio)
		}
		sluiceRows = append(sluiceRows, r)

		fmt.Fprintf(stderr, "servebench: fixed rate %.0f req/s against sluice models serve\n", cfg.rate)
		var fr, svc row
		if hasRate {
			fr, err = runWrkRate(ctx, cfg, url+"/invocations", lua)
		} else {
			fr, svc, err = runOpenLoop(ctx, cfg, url+"/invocations", body)
		}
		if err != nil {
			return row{}, err
		}
		fr.server = "Sluice (sluice models serve)"
		fr.target = fmt.Sprintf("p99 ≤ 2 ms at %s req/s", loadtest.Count(cfg.rate))
		fr.result = passFail(fr.p99 <= 2*time.Millisecond && fr.rps >= 0.98*cfg.rate && fr.errors == 0)
		sluiceRows = append(sluiceRows, fr)
		if svc.requests > 0 {
			svc.server, svc.result = fr.server, "(info)"
			sluiceRows = append(sluiceRows, svc)
		}
		return row{}, nil
	})
	if err != nil {
		return fmt.Errorf("sluice models serve: %w", err)
	}
	rows = append(rows, sluiceRows...)
	if !hasRate {
		notes = append(notes, "This wrk has no -R (wrk2's fixed rate): the fixed-rate rows come from servebench's open-loop generator, which measures each request from when it was due (charging the server for queueing, as wrk2 does); the \"from send\" row measures from when it was sent, which leaves out the generator's own timer lateness on a loaded machine.")
	}
	printTable(stdout, cfg, rows, notes, bodySource)
	return nil
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// row is one measured run.
type row struct {
	server, load   string
	rps            float64
	p50, p99       time.Duration
	requests       int
	errors         int
	target, result string
}

// withServer starts a server on a free port, waits for readyPath to answer
// 200, runs f with its base URL and stops it.
func withServer(ctx context.Context, start func(port int) (*loadtest.Process, error), readyPath string, timeout time.Duration, f func(url string) (row, error)) (row, error) {
	port, err := loadtest.FreePort()
	if err != nil {
		return row{}, err
	}
	p, err := start(port)
	if err != nil {
		return row{}, err
	}
	defer p.Stop(15 * time.Second)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := p.WaitReady(ctx, url+readyPath, timeout); err != nil {
		return row{}, err
	}
	r, err := f(url)
	if err != nil {
		return row{}, fmt.Errorf("%w\nserver log (tail):\n%s", err, p.Tail(1500))
	}
	return r, p.Stop(15 * time.Second)
}

// checkInvocation posts body once and checks the answer has predictions.
func checkInvocation(ctx context.Context, url string, body []byte) error {
	out, err := loadtest.Send(ctx, http.DefaultClient, url, body, nil)
	if err != nil {
		return err
	}
	var resp struct {
		Predictions []json.RawMessage `json:"predictions"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || len(resp.Predictions) != 1 {
		return fmt.Errorf("POST %s: want {\"predictions\": [one value]}, got %s", url, out)
	}
	return nil
}

// requestBody returns the single-row request body: -body, else built from
// -example or the model directory's serving_input_example.json or
// input_example.json.
func requestBody(cfg config) ([]byte, string, error) {
	if cfg.body != "" {
		b, err := os.ReadFile(cfg.body)
		return bytes.TrimSpace(b), cfg.body, err
	}
	candidates := []string{filepath.Join(cfg.model, "serving_input_example.json"), filepath.Join(cfg.model, "input_example.json")}
	if cfg.example != "" {
		candidates = []string{cfg.example}
	}
	for _, p := range candidates {
		name := filepath.Base(p)
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		body, err := firstRow(b)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", p, err)
		}
		return body, "first row of " + name, nil
	}
	return nil, "", fmt.Errorf("no input example at %s; pass -example FILE or -body FILE", strings.Join(candidates, " or "))
}

// firstRow turns an MLflow input example into a dataframe_split request
// body holding its first row. It accepts a request body already
// ({"dataframe_split": …} or {"dataframe_records": …}) or a split-oriented
// frame ({"columns": …, "data": …}).
func firstRow(b []byte) ([]byte, error) {
	var ex struct {
		DataframeSplit   *split           `json:"dataframe_split"`
		DataframeRecords []map[string]any `json:"dataframe_records"`
		Columns          []string         `json:"columns"`
		Data             [][]any          `json:"data"`
	}
	if err := json.Unmarshal(b, &ex); err != nil {
		return nil, fmt.Errorf("read input example: %w", err)
	}
	var s split
	switch {
	case ex.DataframeSplit != nil:
		s = *ex.DataframeSplit
	case len(ex.Columns) > 0:
		s = split{Columns: ex.Columns, Data: ex.Data}
	case len(ex.DataframeRecords) > 0:
		return json.Marshal(map[string]any{"dataframe_records": ex.DataframeRecords[:1]})
	default:
		return nil, errors.New("input example is neither dataframe_split, dataframe_records nor {columns, data}")
	}
	if len(s.Data) == 0 {
		return nil, errors.New("input example has no rows")
	}
	s.Data = s.Data[:1]
	return json.Marshal(map[string]any{"dataframe_split": s})
}

type split struct {
	Columns []string `json:"columns"`
	Data    [][]any  `json:"data"`
}

func wrkScript(body []byte) string {
	return fmt.Sprintf("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [==[%s]==]\n", body)
}

// wrkHasRate reports whether wrk accepts -R (wrk2).
func wrkHasRate(wrk string) bool {
	out, _ := exec.Command(wrk, "--help").CombinedOutput()
	return reRateFlag.Match(out)
}

func runWrk(ctx context.Context, cfg config, url, lua string) (row, error) {
	args := []string{"-t", strconv.Itoa(cfg.threads), "-c", strconv.Itoa(cfg.connections), "-d", durationArg(cfg.duration), "--latency", "-s", lua, url}
	r, err := wrk(ctx, cfg.wrk, args)
	r.load = fmt.Sprintf("wrk -t%d -c%d -d%s (closed loop)", cfg.threads, cfg.connections, durationArg(cfg.duration))
	return r, err
}

func runWrkRate(ctx context.Context, cfg config, url, lua string) (row, error) {
	args := []string{"-t", strconv.Itoa(cfg.threads), "-c", strconv.Itoa(cfg.connections), "-d", durationArg(cfg.duration), "-R", strconv.Itoa(int(cfg.rate)), "--latency", "-s", lua, url}
	r, err := wrk(ctx, cfg.wrk, args)
	r.load = fmt.Sprintf("wrk2 -R%.0f (fixed rate)", cfg.rate)
	return r, err
}

func durationArg(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) + "s" }

var (
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reReqs     = regexp.MustCompile(`([0-9]+) requests in`)
	rePct      = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s)\b`)
	reNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
	reRateFlag = regexp.MustCompile(`(?m)^\s+-R[,\s]`)
	reSockErr  = regexp.MustCompile(`Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)`)
)

func wrk(ctx context.Context, bin string, args []string) (row, error) {
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return row{}, fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, out)
	}
	return parseWrk(out)
}

// parseWrk reads requests/s, the 50th and 99th percentile latencies and
// error counts from wrk's --latency output.
func parseWrk(out []byte) (row, error) {
	var r row
	m := reRPS.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk output has no Requests/sec line:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := reReqs.FindSubmatch(out); m != nil {
		r.requests, _ = strconv.Atoi(string(m[1]))
	}
	for _, m := range rePct.FindAllSubmatch(out, -1) {
		x, _ := strconv.ParseFloat(string(m[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[3])]
		d := time.Duration(x * float64(unit))
		if string(m[1]) == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.p50 == 0 || r.p99 == 0 {
		return r, fmt.Errorf("wrk output has no 50%%/99%% latency lines (was --latency given?):\n%s", out)
	}
	if m := reNon2xx.FindSubmatch(out); m != nil {
		n, _ := strconv.Atoi(string(m[1]))
		r.errors += n
	}
	if m := reSockErr.FindSubmatch(out); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.Atoi(string(g))
			r.errors += n
		}
	}
	return r, nil
}

func runOpenLoop(ctx context.Context, cfg config, url string, body []byte) (row, row, error) {
	conns := make([]*loadtest.RawConn, cfg.workers)
	for i := range conns {
		c, err := loadtest.NewRawConn(url, "application/json", body)
		if err != nil {
			return row{}, row{}, err
		}
		defer c.Close()
		conns[i] = c
	}
	res := loadtest.OpenLoop(ctx, cfg.rate, cfg.workers, 2*time.Second, cfg.duration, func(ctx context.Context, w int) error {
		return conns[w].Do()
	})
	load := fmt.Sprintf("open loop %s req/s, %s (servebench)", loadtest.Count(cfg.rate), durationArg(cfg.duration))
	r := row{load: load, rps: res.RPS, p50: res.P50, p99: res.P99, requests: res.N, errors: res.Errors}
	svc := row{load: load + ", from send", rps: res.RPS, p50: res.Service.P50, p99: res.Service.P99, requests: res.Service.N, errors: res.Errors}
	if res.N == 0 {
		return r, svc, fmt.Errorf("open loop: no request succeeded: %v", res.FirstErr)
	}
	return r, svc, nil
}

func printTable(w io.Writer, cfg config, rows []row, notes []string, bodySource string) {
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Fprintf(w, "\nServing benchmark: churn pipeline, single-row POST /invocations (dataframe_split, %s) — %d CPUs, load average %s, %s\n\n",
		bodySource, runtime.NumCPU(), load, time.Now().Format("2006-01-02 15:04"))
	t := loadtest.Table{Header: []string{"server", "load", "req/s", "p50", "p99", "requests", "errors", "target", "result"}}
	for _, r := range rows {
		t.Add(r.server, r.load, loadtest.Count(r.rps), loadtest.Ms(r.p50), loadtest.Ms(r.p99), loadtest.Count(float64(r.requests)), strconv.Itoa(r.errors), orDash(r.target), orDash(r.result))
	}
	t.Write(w)
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, "The Flask server fits the scikit-learn equivalent of examples/churn/pipeline.yaml (OrdinalEncoder + decision tree, depth by 3-fold CV) at start; load generator and server share the machine's CPUs.")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
