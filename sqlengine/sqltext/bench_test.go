package sqltext

import (
	"strings"
	"testing"
)

// Package-level sinks keep the compiler from optimizing benchmarks away.
var (
	sinkToks     []Token
	sinkRefs     []TableRef
	sinkAnalysis *Analysis
	sinkString   string
)

var benchStmts = []struct {
	name string
	stmt string
}{
	{"small", "SELECT * FROM sales.orders VERSION AS OF 3 o WHERE o.amount > 10"},
	{"medium", `WITH recent AS (
	SELECT o.id, o.customer_id, o.amount, o.day
	FROM sales.orders TIMESTAMP AS OF '2026-11-20 10:00:00' AS o
	WHERE o.day > current_date - INTERVAL 30 DAY
)
SELECT c.name, sum(r.amount) AS total, count(*) AS n -- per customer
FROM recent r
JOIN crm.customers c ON c.id = r.customer_id
LEFT JOIN crm.segments s USING (segment_id)
WHERE c.country IN (SELECT code FROM ref.countries WHERE region = 'EU')
GROUP BY c.name
ORDER BY total DESC
LIMIT 100`},
}

func benchInputs() []struct{ name, stmt string } {
	var out []struct{ name, stmt string }
	for _, b := range benchStmts {
		out = append(out, struct{ name, stmt string }{b.name, b.stmt})
	}
	large := strings.Repeat(benchStmts[1].stmt+"\nUNION ALL\n", 50)
	return append(out, struct{ name, stmt string }{"large", large + "SELECT 1, 2, 3"})
}

func BenchmarkTokenize(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.stmt)))
			for b.Loop() {
				sinkToks, _ = Tokenize(in.stmt)
			}
		})
	}
}

func BenchmarkFindTableRefs(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.stmt)))
			for b.Loop() {
				sinkRefs, _ = FindTableRefs(in.stmt)
			}
		})
	}
}

func BenchmarkRewrite(b *testing.B) {
	for _, in := range benchInputs() {
		refs, err := FindTableRefs(in.stmt)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.stmt)))
			for b.Loop() {
				sinkString = Rewrite(in.stmt, refs, func(r TableRef) string { return "read_parquet('x')" })
			}
		})
	}
}

func BenchmarkAnalyze(b *testing.B) {
	stmt := "UPDATE sales.orders SET amount = amount * 1.1, note = 'raised' WHERE day = today() AND id IN (SELECT id FROM staging)"
	b.ReportAllocs()
	for b.Loop() {
		sinkAnalysis, _ = Analyze(stmt)
	}
}
