package bench_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/bench"
)

// sinkRows keeps the compiler from optimizing the benchmarks away.
var sinkRows int64

// BenchmarkQuery times each query of the suite on a generated table, on
// Sluice (table name bound to the current snapshot per query) and on plain
// DuckDB over the same files. Compare the two with benchstat, e.g.
//
//	go test -tags duckdb_arrow -run '^$' -bench Query -count 10 ./bench/ > q.txt
//	benchstat -col /side q.txt
func BenchmarkQuery(b *testing.B) {
	ctx := context.Background()
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			e := mustEnv(b, rows)
			for _, q := range bench.Suite() {
				b.Run(q.Name+"/side=sluice", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						n, err := e.sluice(ctx, q)
						if err != nil {
							b.Fatal(err)
						}
						sinkRows = n
					}
				})
				b.Run(q.Name+"/side=duckdb", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						n, err := e.duckdb(ctx, q)
						if err != nil {
							b.Fatal(err)
						}
						sinkRows = n
					}
				})
			}
		})
	}
}
