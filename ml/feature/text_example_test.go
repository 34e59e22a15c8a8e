package feature_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// textFrame is a frame with one string column.
func textFrame(col string, docs ...string) *ml.Frame {
	c := tcol(col, docs)
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{c.field}, nil), []*arrow.Chunked{arrow.NewChunked(c.data.DataType(), []arrow.Array{c.data})})
	if err != nil {
		panic(err)
	}
	return f
}

// printTokens prints a list<string> column, one row a line.
func printTokens(f *ml.Frame, col string) {
	c, err := f.Column(col)
	if err != nil {
		panic(err)
	}
	for _, ch := range c.Chunks() {
		l := ch.(*array.List)
		vals := l.ListValues().(*array.String)
		for i := 0; i < l.Len(); i++ {
			lo, hi := l.ValueOffsets(i)
			row := []string{}
			for j := lo; j < hi; j++ {
				row = append(row, vals.Value(int(j)))
			}
			fmt.Printf("%q\n", row)
		}
	}
}

// printVectors prints a vector column as stored (sparse as index:value).
func printVectors(f *ml.Frame, col string) {
	c, err := f.Column(col)
	if err != nil {
		panic(err)
	}
	for _, ch := range c.Chunks() {
		vc, err := ml.NewVectorColumn(ch)
		if err != nil {
			panic(err)
		}
		for i := 0; i < vc.Len(); i++ {
			v := vc.At(i)
			fmt.Printf("(%d", v.Size)
			for k, j := range v.Indices {
				fmt.Printf(" %d:%.3g", j, v.Values[k])
			}
			fmt.Println(")")
		}
	}
}

func ExampleTokenizer() {
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "sentence", "words"
	out, err := tk.Transform(context.Background(), textFrame("sentence",
		"Hi I heard about Spark",
		"Logistic regression  models are neat"))
	if err != nil {
		panic(err)
	}
	printTokens(out, "words")
	// Output:
	// ["hi" "i" "heard" "about" "spark"]
	// ["logistic" "regression" "" "models" "are" "neat"]
}

func ExampleRegexTokenizer() {
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol = "sentence", "words"
	rt.P.Pattern, rt.P.Gaps, rt.P.MinTokenLength = `\w+`, false, 2 // scikit-learn's default tokens
	out, err := rt.Transform(context.Background(), textFrame("sentence",
		"Hi I heard about Spark",
		"Logistic,regression,models,are,neat"))
	if err != nil {
		panic(err)
	}
	printTokens(out, "words")

	rt.P.Pattern = `(?<=,)\w+` // lookbehind: RE2 has none
	_, err = rt.Transform(context.Background(), textFrame("sentence", "a,b"))
	fmt.Println(err != nil)
	// Output:
	// ["hi" "heard" "about" "spark"]
	// ["logistic" "regression" "models" "are" "neat"]
	// true
}

func ExampleStopWordsRemover() {
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol = "text", "raw"
	sw := feature.NewStopWordsRemover() // Spark's English stop words
	sw.P.InputCol, sw.P.OutputCol = "raw", "filtered"
	f, err := rt.Transform(context.Background(), textFrame("text",
		"I saw the red balloon",
		"Mary had a little lamb"))
	if err != nil {
		panic(err)
	}
	out, err := sw.Transform(context.Background(), f)
	if err != nil {
		panic(err)
	}
	printTokens(out, "filtered")
	// Output:
	// ["saw" "red" "balloon"]
	// ["mary" "little" "lamb"]
}

func ExampleNGram() {
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "text", "words"
	ng := feature.NewNGram() // n = 2
	ng.P.InputCol, ng.P.OutputCol = "words", "bigrams"
	f, err := tk.Transform(context.Background(), textFrame("text", "Hi I heard about Spark", "Spark"))
	if err != nil {
		panic(err)
	}
	out, err := ng.Transform(context.Background(), f)
	if err != nil {
		panic(err)
	}
	printTokens(out, "bigrams")
	// Output:
	// ["hi i" "i heard" "heard about" "about spark"]
	// []
}

func ExampleHashingTF() {
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "text", "words"
	h := feature.NewHashingTF()
	h.P.InputCol, h.P.OutputCol, h.P.NumFeatures = "words", "tf", 10
	f, err := tk.Transform(context.Background(), textFrame("text", "a b c", "a a b"))
	if err != nil {
		panic(err)
	}
	out, err := h.Transform(context.Background(), f)
	if err != nil {
		panic(err)
	}
	printVectors(out, "tf") // the indices Spark gives
	fmt.Println(h.IndexOf("b"))
	// Output:
	// (10 5:1 7:1 8:1)
	// (10 5:1 7:2)
	// 5
}

func ExampleCountVectorizer() {
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "text", "words"
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol = "words", "features"
	cv.P.VocabSize, cv.P.MinDF = 3, 2
	f, err := tk.Transform(context.Background(), textFrame("text", "a b c", "a b b c a"))
	if err != nil {
		panic(err)
	}
	m, err := cv.Fit(context.Background(), f)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.(*feature.CountVectorizerModel).Vocabulary)
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		panic(err)
	}
	printVectors(out, "features")
	// Output:
	// [a b c]
	// (3 0:1 1:1 2:1)
	// (3 0:2 1:2 2:1)
}

func ExampleIDF() {
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "text", "words"
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol = "words", "tf"
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "tfidf"
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{tk, cv, idf}}).Fit(context.Background(),
		textFrame("text", "spam spam eggs", "eggs ham", "ham ham ham"))
	if err != nil {
		panic(err)
	}
	m := pm.(*ml.PipelineModel)
	fmt.Println(m.Stages[1].(*feature.CountVectorizerModel).Vocabulary)
	fmt.Printf("%.3f\n", m.Stages[2].(*feature.IDFModel).Idf) // ln((3+1)/(df+1))
	out, err := m.Transform(context.Background(), textFrame("text", "spam eggs eggs"))
	if err != nil {
		panic(err)
	}
	printVectors(out, "tfidf")
	// Output:
	// [ham eggs spam]
	// [0.288 0.288 0.693]
	// (3 1:0.575 2:0.693)
}
