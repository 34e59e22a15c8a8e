package bench_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/bench"
	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

// mustCSV writes rows generated rows (see genSQL) to a CSV file with a
// header and returns its path.
func mustCSV(tb testing.TB, rows int) string {
	tb.Helper()
	ctx := context.Background()
	duck, err := bench.OpenDuck(ctx, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer duck.Close()
	path := filepath.Join(tb.TempDir(), "flights.csv")
	if _, err := duck.Drain(ctx, fmt.Sprintf("COPY (%s) TO %s (HEADER)", genSQL(rows), bench.QuoteString(path))); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkIngest times loading a generated CSV file into a new Sluice
// table (ingest.Run, in process) against DuckDB's COPY of the same file to
// Parquet. Each op is one whole ingest; rows/s = rows / (ns/op).
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			csv := mustCSV(b, rows)
			b.Run("side=sluice", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					ws, err := workspace.Open(ctx, workspace.Config{Dir: b.TempDir(), Engine: sqlengine.DefaultConfig()})
					if err != nil {
						b.Fatal(err)
					}
					eng, err := ws.SQL(ctx)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					sum, err := ingest.Run(ctx, eng, []string{csv}, ingest.Options{Table: table.Ident{Namespace: table.DefaultNamespace, Name: "flights"}})
					if err != nil {
						b.Fatal(err)
					}
					sinkRows = sum.RowsWritten
					b.StopTimer()
					ws.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
			b.Run("side=duckdb", func(b *testing.B) {
				b.ReportAllocs()
				duck, err := bench.OpenDuck(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				defer duck.Close()
				out := filepath.Join(b.TempDir(), "x.parquet")
				for b.Loop() {
					n, err := duck.Drain(ctx, bench.CopyCSVToParquet(csv, out))
					if err != nil {
						b.Fatal(err)
					}
					sinkRows = n
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}
