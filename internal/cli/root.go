// Package cli is Sluice's command tree: parsing flags, calling the library
// packages and printing results. It holds no business logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

// EnvDB names the environment variable holding the metadata database
// (a postgres:// URL) for every command; 'sluice server --db' overrides it.
const EnvDB = "SLUICE_DB"

// Version is the build's version; set with -ldflags "-X ...cli.Version=…".
var Version = "0.1.0-dev"

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // bad flags or arguments
)

// app carries the state of one CLI invocation.
type app struct {
	ctx       context.Context
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	workspace string
	ws        *workspace.Workspace
}

// Main runs the CLI with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if a.ws != nil {
		if cerr := a.ws.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "error: %v\nrun '%s --help' for usage\n", ue.err, ue.cmd)
		return ExitUsage
	}
	fmt.Fprintf(stderr, "error: %v\n", err)
	return ExitError
}

type usageError struct {
	cmd string
	err error
}

func (e *usageError) Error() string { return e.err.Error() }

// usage reports a bad flag or argument of cmd (exit code ExitUsage).
func usage(cmd *cobra.Command, err error) error {
	return &usageError{cmd: cmd.CommandPath(), err: err}
}

// addOutputFlag adds --output/-o (table, csv or json) to cmd.
func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", "table", "output format: table, csv or json")
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "sluice",
		Short: "Sluice: tables, SQL and ML pipelines in one binary",
		Long: `Sluice keeps Apache Iceberg tables in a workspace, queries them (and raw
files) with embedded DuckDB, and grows into ML pipelines, tracking and jobs.

The workspace is the directory given by --workspace, else $SLUICE_HOME,
else ~/.sluice. It holds catalog.db (SQLite) and warehouse/ (table files).`,
		Example: `  sluice quickstart
  sluice ingest data/*.csv --table sales.orders
  sluice sql "SELECT count(*) FROM sales.orders"
  sluice tables history sales.orders`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.workspace, "workspace", "", "workspace directory (default $SLUICE_HOME, else ~/.sluice)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{cmd: c.CommandPath(), err: err}
	})
	root.AddCommand(a.versionCmd(), a.sqlCmd(), a.ingestCmd(), a.tablesCmd(), a.mlCmd(), a.quickstartCmd(), a.modelsCmd(),
		a.serverCmd(), a.experimentsCmd(), a.runsCmd(), a.jobsCmd(), a.examplesCmd())
	return root
}

// open opens the workspace on first use.
func (a *app) open() (*workspace.Workspace, error) {
	if a.ws != nil {
		return a.ws, nil
	}
	cfg := workspace.DefaultConfig()
	if a.workspace != "" {
		cfg.Dir = a.workspace
	}
	// $SLUICE_DB points every command at the metadata database a server
	// started with --db uses (tracking, registry, jobs).
	cfg.MetaDB = os.Getenv(EnvDB)
	ws, err := workspace.Open(a.ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.ws = ws
	return ws, nil
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print Sluice's version",
		Example: "  sluice version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "sluice %s\n", Version)
			return nil
		},
	}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usage(cmd, fmt.Errorf("want %s, got %d argument(s)", what, len(args)))
		}
		return nil
	}
}

func parseIdent(s string) (table.Ident, error) { return table.ParseIdent(s) }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
