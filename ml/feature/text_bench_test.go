package feature_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// textSink keeps benchmark results alive.
var textSink *ml.Frame

// benchDocs returns n e-mail-like documents of about 300 words drawn
// from a Zipf-distributed vocabulary, with capitals and punctuation.
func benchDocs(n int) []string {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	z := rand.NewZipf(r, 1.1, 1, 30000)
	var b strings.Builder
	docs := make([]string, n)
	for i := range docs {
		b.Reset()
		for w := range 200 + r.IntN(200) {
			k := z.Uint64()
			switch {
			case w%17 == 0:
				fmt.Fprintf(&b, "Word%d, ", k)
			case w%29 == 0:
				fmt.Fprintf(&b, "w%d!!! ", k)
			default:
				fmt.Fprintf(&b, "w%d ", k)
			}
		}
		docs[i] = b.String()
	}
	return docs
}

// benchTokens returns the benchmark documents tokenized and without stop
// words, as the spam pipeline feeds HashingTF and CountVectorizer.
func benchTokens(b *testing.B, n int) *ml.Frame {
	b.Helper()
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol, rt.P.Pattern, rt.P.Gaps, rt.P.MinTokenLength = "text", "tokens", `\w+`, false, 2
	sw := feature.NewStopWordsRemover()
	sw.P.InputCol, sw.P.OutputCol = "tokens", "words"
	return mustTransform(b, sw, mustTransform(b, rt, mkFrame(b, tcol("text", benchDocs(n)))))
}

func BenchmarkRegexTokenizer(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		f := mkFrame(b, tcol("text", benchDocs(n)))
		for _, pat := range []struct {
			name, pattern string
			gaps          bool
		}{{"default", `\s+`, true}, {"words", `\w+`, false}, {"regexp", `\w+|[!?]+`, false}} {
			b.Run(fmt.Sprintf("%s/docs=%d", pat.name, n), func(b *testing.B) {
				rt := feature.NewRegexTokenizer()
				rt.P.InputCol, rt.P.OutputCol, rt.P.Pattern, rt.P.Gaps = "text", "tokens", pat.pattern, pat.gaps
				b.ReportAllocs()
				for b.Loop() {
					out, err := rt.Transform(context.Background(), f)
					if err != nil {
						b.Fatal(err)
					}
					textSink = out
				}
			})
		}
	}
}

func BenchmarkStopWordsRemover(b *testing.B) {
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol = "text", "tokens"
	f := mustTransform(b, rt, mkFrame(b, tcol("text", benchDocs(5000))))
	sw := feature.NewStopWordsRemover()
	sw.P.InputCol, sw.P.OutputCol = "tokens", "words"
	b.ReportAllocs()
	for b.Loop() {
		out, err := sw.Transform(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		textSink = out
	}
}

func BenchmarkHashingTF(b *testing.B) {
	f := benchTokens(b, 5000)
	h := feature.NewHashingTF()
	h.P.InputCol, h.P.OutputCol = "words", "tf"
	b.ReportAllocs()
	for b.Loop() {
		out, err := h.Transform(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		textSink = out
	}
}

func BenchmarkCountVectorizer(b *testing.B) {
	f := benchTokens(b, 5000)
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol, cv.P.VocabSize = "words", "tf", 20000
	b.Run("fit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cv.Fit(context.Background(), f); err != nil {
				b.Fatal(err)
			}
		}
	})
	m := mustFit(b, cv, f)
	b.Run("transform", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := m.Transform(context.Background(), f)
			if err != nil {
				b.Fatal(err)
			}
			textSink = out
		}
	})
}

func BenchmarkIDF(b *testing.B) {
	f := benchTokens(b, 5000)
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol, cv.P.VocabSize = "words", "tf", 20000
	f = mustTransform(b, mustFit(b, cv, f), f)
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "tfidf"
	b.Run("fit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := idf.Fit(context.Background(), f); err != nil {
				b.Fatal(err)
			}
		}
	})
	m := mustFit(b, idf, f)
	b.Run("transform", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := m.Transform(context.Background(), f)
			if err != nil {
				b.Fatal(err)
			}
			textSink = out
		}
	})
}
