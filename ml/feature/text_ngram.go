package feature

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// NGramParams are NGram's params (Spark's names and defaults).
type NGramParams struct {
	InputCol  string `param:"inputCol" doc:"array<string> column of tokens"`
	OutputCol string `param:"outputCol" doc:"array<string> column of n-grams"`
	N         int    `param:"n" doc:"number of tokens in each n-gram, >= 1"`
}

// Validate checks the params.
func (p NGramParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if p.N < 1 {
		return fmt.Errorf("n is %d; use 1 or more (2 for bigrams)", p.N)
	}
	return nil
}

// NGram turns token lists into lists of n-grams, as Spark's NGram: every
// run of n consecutive tokens joined by one space, in order; a list with
// fewer than n tokens gives an empty list. A NULL token list is an error
// naming the row (Spark fails on it too); a NULL element reads as "null",
// as Spark's mkString writes it. Transform runs on GOMAXPROCS goroutines
// over blocks of rows.
type NGram struct {
	P NGramParams
}

var _ ml.Transformer = (*NGram)(nil)

// NewNGram returns an NGram with Spark's default n = 2.
func NewNGram() *NGram { return &NGram{P: NGramParams{N: 2}} }

// StageName returns "NGram".
func (g *NGram) StageName() string { return "NGram" }

// Params returns the params.
func (g *NGram) Params() any { return &g.P }

// TransformSchema checks that inputCol is array<string> and adds
// outputCol.
func (g *NGram) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := g.P.Validate(); err != nil {
		return nil, err
	}
	return tokensToTokensSchema(in, []string{g.P.InputCol}, []string{g.P.OutputCol})
}

// Transform adds the n-gram column. ctx is checked between blocks of rows.
func (g *NGram) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := g.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("NGram: %w", err)
	}
	return out, nil
}

func (g *NGram) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := g.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	n := g.P.N
	tc, err := openTokens(f, g.P.InputCol)
	if err != nil {
		return nil, err
	}
	col, err := parallelBlocks(ctx, tc.Len(), ml.StringListType, func(lo, hi int) (arrow.Array, error) {
		b := newListBuilder()
		var buf []byte
		for i := lo; i < hi; i++ {
			row, null := tc.row(i)
			if null {
				return nil, nullTokensErr(g.P.InputCol, i)
			}
			for s := 0; s+n <= row.Len(); s++ {
				buf = buf[:0]
				for j := s; j < s+n; j++ {
					if j > s {
						buf = append(buf, ' ')
					}
					tok, null := row.at(j)
					if null {
						tok = "null"
					}
					buf = append(buf, tok...)
				}
				b.add(buf)
			}
			b.endRow()
		}
		return b.newArray()
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: g.P.OutputCol, Type: ml.StringListType, Nullable: true}, col)
}
