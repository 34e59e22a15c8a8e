// Command compare turns the JSON lines bench/ml/run.sh collects into one
// markdown table of Sluice against scikit-learn/xgboost, with fit-time
// ratios, AUC differences and a verdict per case.
//
//	compare [--strict] RESULTS.jsonl    (or stdin)
//
// Each input line is one side of one case, written by run.sh:
//
//	{"case": "churn-dt", "label": "churn DecisionTree (depth 5)",
//	 "side": "peer" | "sluice", "target": 1.0, "auc_tol": 0.01,
//	 "auc_rule": "below" | "within", "result": {…peer.py or sluicebench line…}}
//
// target is the largest acceptable fit-time ratio sluice/peer. The case
// misses when the ratio is above target or Sluice's AUC is more than
// auc_tol below the peer's. With auc_rule "within" an AUC more than
// auc_tol above the peer's is flagged in the verdict too (the models are
// then probably not equivalent) but not counted as a miss; "below" (the
// default) does not flag it. A side whose result has "error" (or is missing)
// makes the case n/a. Blank lines are skipped. --strict exits 1 when any
// case misses or is n/a.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "exit 1 when a case misses its target or is n/a")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	in := stdin
	name := "stdin"
	switch fs.NArg() {
	case 0:
	case 1:
		name = fs.Arg(0)
		fh, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "compare:", err)
			return 1
		}
		defer fh.Close()
		in = fh
	default:
		fmt.Fprintln(stderr, "compare: want at most one results file")
		return 2
	}
	cases, err := Parse(in)
	if err != nil {
		fmt.Fprintf(stderr, "compare: %s: %v\n", name, err)
		return 1
	}
	if err := WriteTable(stdout, cases); err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	if *strict {
		for _, c := range cases {
			if c.Evaluate().Status != Meets {
				return 1
			}
		}
	}
	return 0
}
