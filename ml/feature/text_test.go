package feature_test

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// tcol is a string column; rows listed in nulls are NULL.
func tcol(name string, vals []string, nulls ...int) column {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i, v := range vals {
		if contains(nulls, i) {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return column{arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}, b.NewArray()}
}

// nullTok marks a NULL element in tokcol rows.
const nullTok = "\x00NULL"

// tokcol is a list<string> column; nil rows are NULL, nullTok elements
// NULL.
func tokcol(name string, rows ...[]string) column {
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, r := range rows {
		if r == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, t := range r {
			if t == nullTok {
				vb.AppendNull()
			} else {
				vb.Append(t)
			}
		}
	}
	return column{arrow.Field{Name: name, Type: ml.StringListType, Nullable: true}, lb.NewArray()}
}

// tokens reads a list<string> column (NULL rows nil, NULL elements
// nullTok).
func tokens(t testing.TB, f *ml.Frame, col string) [][]string {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, ch := range c.Chunks() {
		l := ch.(*array.List)
		vals := l.ListValues().(*array.String)
		for i := 0; i < l.Len(); i++ {
			if l.IsNull(i) {
				out = append(out, nil)
				continue
			}
			lo, hi := l.ValueOffsets(i)
			row := []string{}
			for j := lo; j < hi; j++ {
				if vals.IsNull(int(j)) {
					row = append(row, nullTok)
				} else {
					row = append(row, vals.Value(int(j)))
				}
			}
			out = append(out, row)
		}
	}
	return out
}

func checkTokens(t testing.TB, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows %q, want %d %q", what, len(got), got, len(want), want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) || (got[i] == nil) != (want[i] == nil) {
			t.Errorf("%s row %d: got %q, want %q", what, i+1, got[i], want[i])
		}
	}
}

func TestTokenizer(t *testing.T) {
	docs := []string{
		"Hello World",
		"a  b",       // two spaces: an empty token between (Java's split("\\s"))
		" lead",      // leading whitespace: a leading empty token
		"trail \t\n", // trailing empty tokens are dropped
		"",           // empty text: one empty token, as in Spark
		"A\tB\x0BC\fD\rE",
		"ÀÉÎ Ünïcödé ΣΑΣ",
	}
	want := [][]string{
		{"hello", "world"},
		{"a", "", "b"},
		{"", "lead"},
		{"trail"},
		{""},
		{"a", "b", "c", "d", "e"},
		{"àéî", "ünïcödé", "σασ"},
	}
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "text", "words"
	f := mkFrame(t, tcol("text", docs))
	out := mustTransform(t, tk, f)
	checkTokens(t, "Tokenizer", tokens(t, out, "words"), want)
	roundTrip(t, tk, f, "words")

	_, err := tk.Transform(context.Background(), mkFrame(t, tcol("text", []string{"ok", ""}, 1)))
	wantErr(t, err, "Tokenizer", "column text, row 2: NULL text", "COALESCE")
	_, err = tk.TransformSchema(mkFrame(t, fcol("text", []float64{1})).Schema())
	wantErr(t, err, `column "text" is float64`, "want a string column")
	_, err = tk.TransformSchema(mkFrame(t, tcol("text", []string{"a"}), tcol("words", []string{"a"})).Schema())
	wantErr(t, err, `output column "words" already exists`)
	_, err = feature.NewTokenizer().TransformSchema(f.Schema())
	wantErr(t, err, "set inputCol and outputCol")
}

func TestRegexTokenizer(t *testing.T) {
	cases := []struct {
		name    string
		set     func(p *feature.RegexTokenizerParams)
		docs    []string
		want    [][]string
		wantErr string
	}{
		{"defaults", nil,
			[]string{"  Hello   World  ", "", "one\x0Btwo", "tab\there"},
			[][]string{{"hello", "world"}, {}, {"one", "two"}, {"tab", "here"}}, ""},
		{"words of 2+ (scikit-learn's default pattern)", func(p *feature.RegexTokenizerParams) {
			p.Pattern, p.Gaps, p.MinTokenLength = `\w+`, false, 2
		}, []string{"I am a spam-bot, 42!", "Café"},
			[][]string{{"am", "spam", "bot", "42"}, {"caf"}}, ""},
		{"case kept", func(p *feature.RegexTokenizerParams) { p.ToLowercase = false },
			[]string{"Keep The CASE"}, [][]string{{"Keep", "The", "CASE"}}, ""},
		{"minTokenLength 0 keeps Java's empty pieces", func(p *feature.RegexTokenizerParams) {
			p.Pattern, p.MinTokenLength = " ", 0
		}, []string{" a  b  ", ""}, [][]string{{"", "a", "", "b"}, {""}}, ""},
		{"minTokenLength counts UTF-16 units", func(p *feature.RegexTokenizerParams) {
			p.MinTokenLength = 2
		}, []string{"😀 é ab ü x"}, [][]string{{"😀", "ab"}}, ""},
		{"POSIX class in Java spelling", func(p *feature.RegexTokenizerParams) {
			p.Pattern = `[\s\p{Punct}]+`
		}, []string{"free!!! money, now...ok"}, [][]string{{"free", "money", "now", "ok"}}, ""},
		{"Unicode letters", func(p *feature.RegexTokenizerParams) {
			p.Pattern, p.Gaps = `\p{L}+`, false
		}, []string{"naïve café 日本語 42"}, [][]string{{"naïve", "café", "日本語"}}, ""},
		{"general regexp", func(p *feature.RegexTokenizerParams) {
			p.Pattern, p.Gaps = `[a-z]+@[a-z]+\.[a-z]{2,3}|\d+`, false
		}, []string{"mail bob@example.com or call 555 1234"}, [][]string{{"bob@example.com", "555", "1234"}}, ""},
		{"lookahead", func(p *feature.RegexTokenizerParams) { p.Pattern = `\s+(?=[A-Z])` },
			[]string{"a"}, nil, "lookahead"},
		{"lookbehind", func(p *feature.RegexTokenizerParams) { p.Pattern = `(?<!\d),` },
			[]string{"a"}, nil, "lookbehind"},
		{"backreference", func(p *feature.RegexTokenizerParams) { p.Pattern = `(a)\1` },
			[]string{"a"}, nil, "backreference"},
		{"possessive", func(p *feature.RegexTokenizerParams) { p.Pattern = `\s++` },
			[]string{"a"}, nil, "possessive"},
		{"bad pattern", func(p *feature.RegexTokenizerParams) { p.Pattern = `[a-` },
			[]string{"a"}, nil, "without its ]"},
		{"negative minTokenLength", func(p *feature.RegexTokenizerParams) { p.MinTokenLength = -1 },
			[]string{"a"}, nil, "minTokenLength is -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rt := feature.NewRegexTokenizer()
			rt.P.InputCol, rt.P.OutputCol = "text", "tokens"
			if c.set != nil {
				c.set(&rt.P)
			}
			f := mkFrame(t, tcol("text", c.docs))
			if c.wantErr != "" {
				_, err := rt.Transform(context.Background(), f)
				wantErr(t, err, c.wantErr)
				return
			}
			checkTokens(t, c.name, tokens(t, mustTransform(t, rt, f), "tokens"), c.want)
		})
	}
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol = "text", "tokens"
	_, err := rt.Transform(context.Background(), mkFrame(t, tcol("text", []string{"a", "b", "c"}, 2)))
	wantErr(t, err, "RegexTokenizer", "row 3: NULL text")
	rt.P.Pattern, rt.P.Gaps = `\w+`, false
	roundTrip(t, rt, mkFrame(t, tcol("text", []string{"a b", "Hello, World"})), "tokens")
}

// TestTokenizerManyChunks runs the tokenizers over a column of several
// chunks and enough rows for several parallel blocks.
func TestTokenizerManyChunks(t *testing.T) {
	var docs []string
	for i := range 1000 {
		docs = append(docs, strings.Repeat("Word ", i%7)+"end")
	}
	a := tcol("text", docs[:300]).data
	b := tcol("text", docs[300:]).data
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true}}, nil),
		[]*arrow.Chunked{arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{a, b})})
	if err != nil {
		t.Fatal(err)
	}
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol = "text", "tokens"
	got := tokens(t, mustTransform(t, rt, f), "tokens")
	for i, d := range docs {
		want := strings.Fields(strings.ToLower(d))
		if !slices.Equal(got[i], want) {
			t.Fatalf("row %d: got %q, want %q", i+1, got[i], want)
		}
	}
}

func TestStopWordsRemover(t *testing.T) {
	words := feature.EnglishStopWords()
	if len(words) != 181 || words[0] != "i" || words[180] != "would" {
		t.Fatalf("English stop words: %d words, first %q, last %q; want Spark's 181 from i to would", len(words), words[0], words[len(words)-1])
	}
	f := mkFrame(t, tokcol("raw",
		[]string{"I", "saw", "the", "red", "balloon"},
		[]string{"Mary", "had", "a", "little", "lamb"},
		[]string{"THE", "won't", "Would", nullTok, "Keep"},
		[]string{},
	), tokcol("other", []string{"a", "b"}, []string{"c"}, []string{"The"}, []string{"i"}))
	r := feature.NewStopWordsRemover()
	r.P.InputCol, r.P.OutputCol = "raw", "filtered"
	out := mustTransform(t, r, f)
	checkTokens(t, "default", tokens(t, out, "filtered"), [][]string{
		{"saw", "red", "balloon"}, {"Mary", "little", "lamb"}, {nullTok, "Keep"}, {},
	})
	roundTrip(t, r, f, "filtered")

	r.P.CaseSensitive = true
	checkTokens(t, "caseSensitive", tokens(t, mustTransform(t, r, f), "filtered"), [][]string{
		{"I", "saw", "red", "balloon"}, {"Mary", "little", "lamb"}, {"THE", "Would", nullTok, "Keep"}, {},
	})

	r = feature.NewStopWordsRemover()
	r.P.InputCols, r.P.OutputCols = []string{"raw", "other"}, []string{"f1", "f2"}
	r.P.StopWords = []string{"balloon", "c", "THE"}
	out = mustTransform(t, r, f)
	checkTokens(t, "f1", tokens(t, out, "f1"), [][]string{
		{"I", "saw", "red"}, {"Mary", "had", "a", "little", "lamb"}, {"won't", "Would", nullTok, "Keep"}, {},
	})
	checkTokens(t, "f2", tokens(t, out, "f2"), [][]string{{"a", "b"}, {}, {}, {"i"}})

	// Locale: Turkish lowercases I to dotless ı.
	tf := mkFrame(t, tokcol("raw", []string{"IRMAK", "Istanbul"}))
	r = feature.NewStopWordsRemover()
	r.P.InputCol, r.P.OutputCol, r.P.StopWords = "raw", "out", []string{"ırmak"}
	checkTokens(t, "locale en", tokens(t, mustTransform(t, r, tf), "out"), [][]string{{"IRMAK", "Istanbul"}})
	r.P.Locale = "tr"
	checkTokens(t, "locale tr", tokens(t, mustTransform(t, r, tf), "out"), [][]string{{"Istanbul"}})

	r.P.Locale = "en US"
	_, err := r.TransformSchema(tf.Schema())
	wantErr(t, err, `locale "en US"`)
	r.P.Locale = "en"
	_, err = r.Transform(context.Background(), mkFrame(t, tokcol("raw", []string{"a"}, nil)))
	wantErr(t, err, "StopWordsRemover", "column raw, row 2: NULL token list")
	_, err = r.TransformSchema(mkFrame(t, tcol("raw", []string{"a"})).Schema())
	wantErr(t, err, `column "raw" is utf8, want array<string>`, "Tokenizer")
	r.P.InputCols, r.P.OutputCols = []string{"raw"}, []string{"x"}
	_, err = r.TransformSchema(tf.Schema())
	wantErr(t, err, "use one pair")

	if _, err := feature.LoadDefaultStopWords("english"); err != nil {
		t.Error(err)
	}
	_, err = feature.LoadDefaultStopWords("french")
	wantErr(t, err, `"french"`, "stopWords param")
}

func TestNGram(t *testing.T) {
	f := mkFrame(t, tokcol("words",
		[]string{"Hi", "I", "heard", "about", "Spark"},
		[]string{"a", "b"},
		[]string{"x", nullTok, "y"},
		[]string{},
	))
	for _, c := range []struct {
		n    int
		want [][]string
	}{
		{1, [][]string{{"Hi", "I", "heard", "about", "Spark"}, {"a", "b"}, {"x", "null", "y"}, {}}},
		{2, [][]string{{"Hi I", "I heard", "heard about", "about Spark"}, {"a b"}, {"x null", "null y"}, {}}},
		{3, [][]string{{"Hi I heard", "I heard about", "heard about Spark"}, {}, {"x null y"}, {}}},
		{6, [][]string{{}, {}, {}, {}}},
	} {
		g := feature.NewNGram()
		g.P.InputCol, g.P.OutputCol, g.P.N = "words", "ngrams", c.n
		checkTokens(t, "n="+string(rune('0'+c.n)), tokens(t, mustTransform(t, g, f), "ngrams"), c.want)
	}
	g := feature.NewNGram()
	g.P.InputCol, g.P.OutputCol = "words", "ngrams"
	roundTrip(t, g, f, "ngrams")
	g.P.N = 0
	_, err := g.TransformSchema(f.Schema())
	wantErr(t, err, "n is 0")
	g.P.N = 2
	_, err = g.Transform(context.Background(), mkFrame(t, tokcol("words", nil)))
	wantErr(t, err, "NGram", "row 1: NULL token list")
}

func TestHashingTF(t *testing.T) {
	f := mkFrame(t, tokcol("words", []string{"a", "b", "c"}, []string{"a", "a", "b"}, []string{}, []string{nullTok}))
	h := feature.NewHashingTF()
	if h.P.NumFeatures != 262144 {
		t.Errorf("default numFeatures %d, want 262144", h.P.NumFeatures)
	}
	h.P.InputCol, h.P.OutputCol, h.P.NumFeatures = "words", "tf", 10
	// Spark's documented values: pyspark.ml.feature.HashingTF's doctest.
	if got := h.IndexOf("b"); got != 5 {
		t.Errorf("IndexOf(b) = %d, want 5 (Spark)", got)
	}
	out := mustTransform(t, h, f)
	got := rawVecs(t, out, "tf")
	want := []ml.Vector{
		ml.Sparse(10, []int32{5, 7, 8}, []float64{1, 1, 1}),
		ml.Sparse(10, []int32{5, 7}, []float64{1, 2}),
		ml.Sparse(10, []int32{}, []float64{}),
		ml.Sparse(10, []int32{2}, []float64{1}), // Spark hashes null to the seed, 42
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d: %v, want %v", i+1, got[i], want[i])
		}
	}
	if va := ml.VectorAttrsOf(mustField(t, out, "tf")); va.NumAttrs != 10 {
		t.Errorf("tf metadata says %d features, want 10", va.NumAttrs)
	}
	h.P.NumFeatures, h.P.Binary = 5, true
	got = rawVecs(t, mustTransform(t, h, f), "tf")
	if w := ml.Sparse(5, []int32{0, 2, 3}, []float64{1, 1, 1}); !reflect.DeepEqual(got[0], w) {
		t.Errorf("numFeatures 5: %v, want %v (Spark)", got[0], w)
	}
	if w := ml.Sparse(5, []int32{0, 2}, []float64{1, 1}); !reflect.DeepEqual(got[1], w) {
		t.Errorf("binary: %v, want %v", got[1], w)
	}
	roundTrip(t, h, f, "tf")
	h.P.NumFeatures = 0
	_, err := h.TransformSchema(f.Schema())
	wantErr(t, err, "numFeatures is 0")
	h.P.NumFeatures = 8
	_, err = h.Transform(context.Background(), mkFrame(t, tokcol("words", []string{"a"}, nil)))
	wantErr(t, err, "HashingTF", "row 2: NULL token list")
}

func mustField(t testing.TB, f *ml.Frame, name string) arrow.Field {
	t.Helper()
	fl, err := ml.FieldOf(f.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

func TestCountVectorizer(t *testing.T) {
	// Spark's documentation example: vocabSize 3, minDF 2.
	f := mkFrame(t, tokcol("words", []string{"a", "b", "c"}, []string{"a", "b", "b", "c", "a"}))
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol, cv.P.VocabSize, cv.P.MinDF = "words", "features", 3, 2
	m := mustFit(t, cv, f).(*feature.CountVectorizerModel)
	if want := []string{"a", "b", "c"}; !slices.Equal(m.Vocabulary, want) {
		t.Errorf("vocabulary %q, want %q", m.Vocabulary, want)
	}
	out := mustTransform(t, m, f)
	checkRows(t, "counts", vecs(t, out, "features"), [][]float64{{1, 1, 1}, {2, 2, 1}}, 0)
	if v := rawVecs(t, out, "features")[0]; !v.IsSparse() {
		t.Errorf("output %v is dense, want sparse", v)
	}

	docs := mkFrame(t, tokcol("words",
		[]string{"b", "b", "a", "c", "c", "d"},
		[]string{"c", "d", "d", "x", "x", "x"},
		[]string{"a", "e"},
		[]string{},
	))
	fit := func(set func(p *feature.CountVectorizerParams)) (*feature.CountVectorizerModel, error) {
		cv := feature.NewCountVectorizer()
		cv.P.InputCol, cv.P.OutputCol = "words", "features"
		set(&cv.P)
		m, err := cv.Fit(context.Background(), docs)
		if err != nil {
			return nil, err
		}
		return m.(*feature.CountVectorizerModel), nil
	}
	// Term frequencies: c 3, d 3, x 3, b 2, a 2, e 1. Ties by term.
	m, err := fit(func(p *feature.CountVectorizerParams) {})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c", "d", "x", "a", "b", "e"}; !slices.Equal(m.Vocabulary, want) {
		t.Errorf("vocabulary %q, want %q (by frequency, ties by term)", m.Vocabulary, want)
	}
	m, _ = fit(func(p *feature.CountVectorizerParams) { p.VocabSize = 2 })
	if want := []string{"c", "d"}; !slices.Equal(m.Vocabulary, want) {
		t.Errorf("vocabSize 2: %q, want %q", m.Vocabulary, want)
	}
	m, _ = fit(func(p *feature.CountVectorizerParams) { p.MaxDF = 1 })
	if want := []string{"x", "b", "e"}; !slices.Equal(m.Vocabulary, want) {
		t.Errorf("maxDF 1: %q, want %q", m.Vocabulary, want)
	}
	m, _ = fit(func(p *feature.CountVectorizerParams) { p.MinDF = 0.5 }) // in >= 2 of 4 documents
	if want := []string{"c", "d", "a"}; !slices.Equal(m.Vocabulary, want) {
		t.Errorf("minDF 0.5: %q, want %q", m.Vocabulary, want)
	}
	m.P.MinTF = 2
	checkRows(t, "minTF 2", vecs(t, mustTransform(t, m, docs), "features"), [][]float64{{2, 0, 0}, {0, 2, 0}, {0, 0, 0}, {0, 0, 0}}, 0)
	m.P.MinTF = 0.3 // of 6 tokens: 1.8, so counts >= 2; of 2 tokens: 0.6
	checkRows(t, "minTF 0.3", vecs(t, mustTransform(t, m, docs), "features"), [][]float64{{2, 0, 0}, {0, 2, 0}, {0, 0, 1}, {0, 0, 0}}, 0)
	m.P.MinTF, m.P.Binary = 1, true
	checkRows(t, "binary", vecs(t, mustTransform(t, m, docs), "features"), [][]float64{{1, 1, 1}, {1, 1, 0}, {0, 0, 1}, {0, 0, 0}}, 0)
	roundTrip(t, m, docs, "features")

	_, err = fit(func(p *feature.CountVectorizerParams) { p.MinDF = 5 })
	wantErr(t, err, "vocabulary is empty", "lower minDF")
	_, err = fit(func(p *feature.CountVectorizerParams) { p.MinDF, p.MaxDF = 3, 2 })
	wantErr(t, err, "maxDF (2) is below minDF (3)")
	_, err = fit(func(p *feature.CountVectorizerParams) { p.MinDF, p.MaxDF = 0.9, 2 }) // 3.6 documents > 2
	wantErr(t, err, "maxDF must be >= minDF")
	_, err = fit(func(p *feature.CountVectorizerParams) { p.VocabSize = 0 })
	wantErr(t, err, "vocabSize is 0")
	_, err = cv.Fit(context.Background(), mkFrame(t, tokcol("words", []string{"a"}, nil)))
	wantErr(t, err, "CountVectorizer", "row 2: NULL token list")
	_, err = cv.Fit(context.Background(), mkFrame(t, tokcol("words", []string{"a", nullTok})))
	wantErr(t, err, "row 1: element 2 is NULL", "list_filter")

	// A model built from a vocabulary; unknown and NULL terms are ignored.
	vm := feature.NewCountVectorizerModel([]string{"spam", "eggs"})
	vm.P.InputCol, vm.P.OutputCol = "words", "v"
	checkRows(t, "given vocabulary", vecs(t, mustTransform(t, vm, mkFrame(t, tokcol("words", []string{"eggs", "ham", nullTok, "eggs"}))), "v"), [][]float64{{0, 2}}, 0)
	vm.Vocabulary = []string{"a", "a"}
	_, err = vm.Transform(context.Background(), docs)
	wantErr(t, err, `lists "a" twice`)

	fr, err := m.ModelFrame(context.Background(), "vocabulary")
	if err != nil {
		t.Fatal(err)
	}
	if got := colString(t, fr, "term"); got != `["c" "d" "a"]` {
		t.Errorf("vocabulary frame: %s", got)
	}
	if _, err := m.ModelFrame(context.Background(), "terms"); err == nil {
		t.Error("unknown frame: no error")
	}
	if s := m.DebugString(); !strings.Contains(s, "3 terms") {
		t.Errorf("DebugString %q", s)
	}
}

func TestIDF(t *testing.T) {
	// Three documents; feature 0 in all, 1 in two, 2 in one, 3 in none.
	f := mkFrame(t, vcol("tf",
		ml.Sparse(4, []int32{0, 1, 2}, []float64{1, 2, 3}),
		ml.Sparse(4, []int32{0, 1}, []float64{4, 1}),
		ml.Sparse(4, []int32{0, 3}, []float64{1, 0}), // an explicit 0 is not a document
	))
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "tfidf"
	m := mustFit(t, idf, f).(*feature.IDFModel)
	ln := math.Log
	wantIdf := []float64{ln(4.0 / 4), ln(4.0 / 3), ln(4.0 / 2), ln(4.0 / 1)}
	checkVec(t, "idf", m.Idf, wantIdf, 1e-15)
	if !slices.Equal(m.DocFreq, []int64{3, 2, 1, 0}) || m.NumDocs != 3 {
		t.Errorf("docFreq %v numDocs %d, want [3 2 1 0] 3", m.DocFreq, m.NumDocs)
	}
	out := mustTransform(t, m, f)
	got := rawVecs(t, out, "tfidf")
	if w := ml.Sparse(4, []int32{0, 1, 2}, []float64{0, 2 * wantIdf[1], 3 * wantIdf[2]}); !reflect.DeepEqual(got[0], w) {
		t.Errorf("row 1: %v, want %v", got[0], w)
	}
	if w := ml.Sparse(4, []int32{0, 3}, []float64{0, 0}); !reflect.DeepEqual(got[2], w) {
		t.Errorf("row 3: %v, want %v (indices kept)", got[2], w)
	}
	dense := mustTransform(t, m, mkFrame(t, vcol("tf", ml.Dense(1, 1, 1, 1))))
	checkRows(t, "dense", vecs(t, dense, "tfidf"), [][]float64{wantIdf}, 1e-15)
	roundTrip(t, m, f, "tfidf")

	idf.P.MinDocFreq = 2
	m = mustFit(t, idf, f).(*feature.IDFModel)
	checkVec(t, "minDocFreq 2", m.Idf, []float64{0, wantIdf[1], 0, 0}, 1e-15)

	fr, err := m.ModelFrame(context.Background(), "idf")
	if err != nil {
		t.Fatal(err)
	}
	if got := colString(t, fr, "docFreq"); got != "[3 2 1 0]" {
		t.Errorf("idf frame docFreq %s", got)
	}

	_, err = idf.Fit(context.Background(), mkFrame(t, vcol("tf", ml.Dense(1, 2), null)))
	wantErr(t, err, "IDF", "row 2: NULL vector")
	_, err = idf.Fit(context.Background(), mkFrame(t, vcol("tf", ml.Dense(1, 2), ml.Dense(1, 2, 3))))
	wantErr(t, err, "row 2: vector of size 3, the first row has 2")
	_, err = m.Transform(context.Background(), mkFrame(t, vcol("tf", ml.Dense(1, 2))))
	wantErr(t, err, "IDFModel", "row 1: vector of size 2, the model was fitted on size 4")
	idf.P.MinDocFreq = -1
	_, err = idf.TransformSchema(f.Schema())
	wantErr(t, err, "minDocFreq is -1")
}

// TestTFIDFPipelineSaveLoad fits the spam pipeline's feature stages and
// checks that the saved model transforms alike once loaded.
func TestTFIDFPipelineSaveLoad(t *testing.T) {
	f := mkFrame(t, tcol("text", []string{
		"Win a FREE prize now!!! Click here",
		"Meeting moved to 10am, see the agenda",
		"FREE money: click the link to win",
		"Lunch on Friday? The usual place",
	}))
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol, rt.P.Pattern, rt.P.Gaps, rt.P.MinTokenLength = "text", "tokens", `\w+`, false, 2
	sw := feature.NewStopWordsRemover()
	sw.P.InputCol, sw.P.OutputCol = "tokens", "words"
	ng := feature.NewNGram()
	ng.P.InputCol, ng.P.OutputCol = "words", "bigrams"
	ht := feature.NewHashingTF()
	ht.P.InputCol, ht.P.OutputCol = "bigrams", "htf"
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol = "words", "tf"
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "features"
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{rt, sw, ng, ht, cv, idf}}).Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	lt := roundTrip(t, pm.(ml.Transformer), f, "tokens", "words", "bigrams", "htf", "tf", "features")
	out := mustTransform(t, lt, f)
	if got := tokens(t, out, "words")[0]; !slices.Equal(got, []string{"win", "free", "prize", "click"}) {
		t.Errorf("words %q", got)
	}
}

// TestTextStagesEmptyFrame: zero rows transform to zero rows; fitting on
// zero rows is an error saying so.
func TestTextStagesEmptyFrame(t *testing.T) {
	f := mkFrame(t, tcol("text", nil))
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol = "text", "tokens"
	tk := feature.NewTokenizer()
	tk.P.InputCol, tk.P.OutputCol = "text", "words"
	sw := feature.NewStopWordsRemover()
	sw.P.InputCol, sw.P.OutputCol = "tokens", "filtered"
	ng := feature.NewNGram()
	ng.P.InputCol, ng.P.OutputCol = "tokens", "bigrams"
	ht := feature.NewHashingTF()
	ht.P.InputCol, ht.P.OutputCol = "tokens", "tf"
	out := f
	for _, s := range []ml.Transformer{rt, tk, sw, ng, ht} {
		out = mustTransform(t, s, out)
	}
	if out.NumRows() != 0 {
		t.Fatalf("%d rows, want 0", out.NumRows())
	}
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol = "tokens", "counts"
	_, err := cv.Fit(context.Background(), out)
	wantErr(t, err, "no rows to fit on")
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "tfidf"
	_, err = idf.Fit(context.Background(), out)
	wantErr(t, err, "no rows to fit on")
}

// TestTextEstimatorsSaveLoad saves an unfitted pipeline of the text
// estimators and loads it back with its params.
func TestTextEstimatorsSaveLoad(t *testing.T) {
	cv := feature.NewCountVectorizer()
	cv.P.InputCol, cv.P.OutputCol, cv.P.VocabSize, cv.P.MinDF, cv.P.Binary = "words", "tf", 100, 0.25, true
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol, idf.P.MinDocFreq = "tf", "tfidf", 3
	sw := feature.NewStopWordsRemover()
	sw.P.InputCols, sw.P.OutputCols, sw.P.StopWords, sw.P.Locale = []string{"a"}, []string{"b"}, []string{"x", "y"}, "tr"
	dir := t.TempDir() + "/pipeline"
	if err := ml.Save(dir, &ml.Pipeline{Stages: []ml.Stage{sw, cv, idf}}); err != nil {
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	got := st.(*ml.Pipeline).Stages
	if p := got[0].(*feature.StopWordsRemover).P; !reflect.DeepEqual(p, sw.P) {
		t.Errorf("StopWordsRemover params %+v, want %+v", p, sw.P)
	}
	if p := got[1].(*feature.CountVectorizer).P; p != cv.P {
		t.Errorf("CountVectorizer params %+v, want %+v", p, cv.P)
	}
	if p := got[2].(*feature.IDF).P; p != idf.P {
		t.Errorf("IDF params %+v, want %+v", p, idf.P)
	}
}
