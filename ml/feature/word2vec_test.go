package feature_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
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

// w2vFrame builds a "tokens" array<string> column (nil: NULL row).
func w2vFrame(tb testing.TB, docs [][]string) *ml.Frame {
	tb.Helper()
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	defer lb.Release()
	sb := lb.ValueBuilder().(*array.StringBuilder)
	for _, d := range docs {
		if d == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, w := range d {
			sb.Append(w)
		}
	}
	a := lb.NewArray()
	defer a.Release()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "tokens", Type: a.DataType(), Nullable: true}}, nil), []*arrow.Chunked{arrow.NewChunked(a.DataType(), []arrow.Array{a})})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

var w2vGroups = map[string][]string{
	"animal":  {"cat", "dog", "horse", "cow", "sheep"},
	"vehicle": {"car", "bus", "truck", "train", "bike"},
	"food":    {"apple", "bread", "cheese", "rice", "soup"},
}

var w2vTemplates = map[string][]string{
	"animal":  {"the X eats grass on the farm", "a X sleeps in the barn at night", "my X runs across the green field"},
	"vehicle": {"the X drives fast on the road", "a X needs fuel at the station", "my X parks in the garage at night"},
	"food":    {"i cook X for dinner tonight", "the X tastes good with salt", "we buy fresh X at the market"},
}

// plantedCorpus makes n sentences in which the words of a group fill the
// same slots of the same templates: they share contexts, so their
// vectors should end up nearest to each other.
func plantedCorpus(n int, seed int64) [][]string {
	rng := ml.NewRand(seed)
	groups := []string{"animal", "vehicle", "food"}
	docs := make([][]string, n)
	for i := range docs {
		g := groups[rng.IntN(len(groups))]
		tpl := w2vTemplates[g][rng.IntN(len(w2vTemplates[g]))]
		word := w2vGroups[g][rng.IntN(len(w2vGroups[g]))]
		docs[i] = strings.Fields(strings.ReplaceAll(tpl, "X", word))
	}
	return docs
}

func fitW2V(tb testing.TB, f *ml.Frame, set func(p *feature.Word2VecParams)) *feature.Word2VecModel {
	tb.Helper()
	e := feature.NewWord2Vec()
	e.P.InputCol, e.P.OutputCol = "tokens", "vec"
	if set != nil {
		set(&e.P)
	}
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return m.(*feature.Word2VecModel)
}

func TestWord2VecPlantedSynonyms(t *testing.T) {
	ctx := context.Background()
	f := w2vFrame(t, plantedCorpus(3000, 1))
	for _, parts := range []int{1, 2} {
		m := fitW2V(t, f, func(p *feature.Word2VecParams) {
			p.VectorSize, p.MinCount, p.MaxIter, p.NumPartitions = 30, 1, 5, parts
		})
		for g, words := range w2vGroups {
			for _, w := range words {
				syn, err := m.FindSynonymsArray(ctx, w, 4)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range syn {
					if !slices.Contains(words, s.Word) {
						t.Errorf("numPartitions %d: synonyms of %s (%s) = %v; %s is not a %s", parts, w, g, syn, s.Word, g)
						break
					}
					if s.Word == w {
						t.Errorf("synonyms of %s include itself", w)
					}
				}
				for k := 1; k < len(syn); k++ {
					if syn[k].Similarity > syn[k-1].Similarity {
						t.Errorf("synonyms of %s not in descending similarity: %v", w, syn)
					}
				}
			}
		}
	}
}

func TestWord2VecDeterministicAndFrames(t *testing.T) {
	ctx := context.Background()
	f := w2vFrame(t, plantedCorpus(500, 2))
	set := func(p *feature.Word2VecParams) { p.VectorSize, p.MinCount = 8, 1 }
	a, b := fitW2V(t, f, set), fitW2V(t, f, set)
	if !reflect.DeepEqual(a, b) {
		t.Error("two fits with one seed differ")
	}
	c := fitW2V(t, f, func(p *feature.Word2VecParams) { set(p); p.Seed++ })
	if reflect.DeepEqual(a.GetVectors(), c.GetVectors()) {
		t.Error("another seed gives the same vectors")
	}
	// Two partitions are deterministic too.
	p2 := func(p *feature.Word2VecParams) { set(p); p.NumPartitions = 2 }
	if !reflect.DeepEqual(fitW2V(t, f, p2), fitW2V(t, f, p2)) {
		t.Error("numPartitions 2: two fits differ")
	}
	gv := a.GetVectors()
	if got := ml.ColumnNames(gv.Schema()); !reflect.DeepEqual(got, []string{"word", "vector"}) {
		t.Errorf("GetVectors columns %v", got)
	}
	// "the" is the most frequent word; the frame follows the vocabulary.
	if voc := a.Vocabulary(); voc[0] != "the" || int(gv.NumRows()) != len(voc) {
		t.Errorf("vocabulary starts %v, frame has %d rows", voc[:3], gv.NumRows())
	}
	vs := vecs(t, gv, "vector")
	if want, _ := a.WordVector("the"); !reflect.DeepEqual(vs[0], want) || len(want) != 8 {
		t.Errorf("vector of 'the' = %v, want %v", vs[0], want)
	}
	if got, err := a.ModelFrame(ctx, "vectors"); err != nil || got.NumRows() != gv.NumRows() {
		t.Errorf("ModelFrame(vectors): %v", err)
	}
	if _, err := a.ModelFrame(ctx, "vocab"); err == nil || !strings.Contains(err.Error(), "frames: vectors") {
		t.Errorf("unknown frame: %v", err)
	}
	if ds := a.DebugString(); !strings.Contains(ds, "vectorSize 8") || !strings.Contains(ds, "most frequent words: the") {
		t.Errorf("DebugString %q", ds)
	}
	syn, err := a.FindSynonyms(ctx, "cat", 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := ml.ColumnNames(syn.Schema()); !reflect.DeepEqual(got, []string{"word", "similarity"}) || syn.NumRows() != 3 {
		t.Errorf("FindSynonyms frame %v with %d rows", got, syn.NumRows())
	}
	// By vector: the word's own vector finds the word first, at 1.
	catVec, _ := a.WordVector("cat")
	byVec, err := a.FindSynonymsVectorArray(ctx, ml.Dense(catVec...), 2)
	if err != nil {
		t.Fatal(err)
	}
	if byVec[0].Word != "cat" || math.Abs(byVec[0].Similarity-1) > 1e-9 {
		t.Errorf("FindSynonymsVectorArray(cat's vector) = %v", byVec)
	}
}

func TestWord2VecTransformAndVocabulary(t *testing.T) {
	ctx := context.Background()
	// "x" occurs 3 times, "y" twice, "z" once: minCount 2 keeps x and y.
	f := w2vFrame(t, [][]string{{"x", "y", "x"}, {"y", "z", "x"}})
	m := fitW2V(t, f, func(p *feature.Word2VecParams) { p.VectorSize, p.MinCount = 3, 2 })
	if got := m.Vocabulary(); !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Errorf("vocabulary %v, want [x y]", got)
	}
	x, _ := m.WordVector("x")
	y, _ := m.WordVector("y")
	docs := w2vFrame(t, [][]string{{"x", "y"}, {"x", "unknown"}, {}, {"z", "w"}, nil, {"x", "x", "y", "q"}})
	out, err := m.Transform(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawVecs(t, out, "vec")
	got := vecs(t, out, "vec")
	want := [][]float64{
		{(x[0] + y[0]) / 2, (x[1] + y[1]) / 2, (x[2] + y[2]) / 2},
		{x[0] / 2, x[1] / 2, x[2] / 2}, // unknown words count in the mean, as in Spark
		{0, 0, 0},
		{0, 0, 0},
		nil,
		{(2*x[0] + y[0]) / 4, (2*x[1] + y[1]) / 4, (2*x[2] + y[2]) / 4},
	}
	for i := range want {
		if (want[i] == nil) != (got[i] == nil) {
			t.Fatalf("row %d: %v, want %v", i, got[i], want[i])
		}
		for j := range want[i] {
			if math.Abs(got[i][j]-want[i][j]) > 1e-12 {
				t.Errorf("row %d: %v, want %v", i, got[i], want[i])
				break
			}
		}
	}
	if !raw[2].IsSparse() || raw[2].Size != 3 || raw[3].IsSparse() {
		t.Errorf("empty document: %+v (want sparse size 3); unknown words only: %+v (want dense)", raw[2], raw[3])
	}
	// Unknown word in FindSynonyms.
	if _, err := m.FindSynonymsArray(ctx, "zebra", 1); err == nil || !strings.Contains(err.Error(), `word "zebra" is not in the vocabulary of 2 words`) {
		t.Errorf("unknown word: %v", err)
	}
	if _, err := m.FindSynonymsArray(ctx, "x", 0); err == nil || !strings.Contains(err.Error(), "num is 0") {
		t.Errorf("num 0: %v", err)
	}
	if _, err := m.FindSynonymsVectorArray(ctx, ml.Dense(1, 2), 1); err == nil || !strings.Contains(err.Error(), "vector of size 2") {
		t.Errorf("wrong vector size: %v", err)
	}
	// num beyond the vocabulary returns all the other words.
	if syn, err := m.FindSynonymsArray(ctx, "x", 10); err != nil || len(syn) != 1 || syn[0].Word != "y" {
		t.Errorf("FindSynonymsArray(x, 10) = %v, %v", syn, err)
	}
}

func TestWord2VecErrorsAndPersistence(t *testing.T) {
	ctx := context.Background()
	f := w2vFrame(t, [][]string{{"a", "b"}, nil, {"b", "c"}})
	tests := []struct {
		name string
		set  func(p *feature.Word2VecParams)
		want string
	}{
		{"empty vocabulary", nil, "the vocabulary is empty: no word occurs minCount (5) times in 3 documents"},
		{"vectorSize", func(p *feature.Word2VecParams) { p.VectorSize = 0 }, "vectorSize is 0"},
		{"stepSize", func(p *feature.Word2VecParams) { p.StepSize = 0 }, "stepSize is 0"},
		{"windowSize", func(p *feature.Word2VecParams) { p.WindowSize = 0 }, "windowSize is 0"},
		{"numPartitions", func(p *feature.Word2VecParams) { p.NumPartitions = 0 }, "numPartitions is 0"},
		{"maxSentenceLength", func(p *feature.Word2VecParams) { p.MaxSentenceLength = 0 }, "maxSentenceLength is 0"},
		{"minCount", func(p *feature.Word2VecParams) { p.MinCount = -1 }, "minCount is -1"},
		{"missing column", func(p *feature.Word2VecParams) { p.InputCol = "words" }, `inputCol: no column "words"`},
		{"output exists", func(p *feature.Word2VecParams) { p.OutputCol = "tokens" }, `output column "tokens" already exists`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := feature.NewWord2Vec()
			e.P.InputCol, e.P.OutputCol = "tokens", "vec"
			if tt.set != nil {
				tt.set(&e.P)
			}
			if _, err := e.Fit(ctx, f); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	// Defaults are Spark's.
	if p := feature.NewWord2Vec().P; p.VectorSize != 100 || p.MinCount != 5 || p.NumPartitions != 1 || p.StepSize != 0.025 || p.MaxIter != 1 || p.WindowSize != 5 || p.MaxSentenceLength != 1000 {
		t.Errorf("defaults %+v", p)
	}
	// Round trip through Save and Load; maxSentenceLength 1 (no context
	// at all) still trains.
	m := fitW2V(t, w2vFrame(t, plantedCorpus(200, 3)), func(p *feature.Word2VecParams) { p.VectorSize, p.MinCount, p.MaxSentenceLength = 5, 1, 3 })
	dir := filepath.Join(t.TempDir(), "w2v")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, m) {
		t.Error("loaded model differs")
	}
}

func ExampleWord2VecModel_FindSynonymsArray() {
	ctx := context.Background()
	// Words that fill the same slot of the same sentences get close
	// vectors.
	var docs [][]string
	for i := range 600 {
		animal := []string{"cat", "dog", "cow"}[i%3]
		car := []string{"car", "bus", "truck"}[i%3]
		docs = append(docs,
			strings.Fields("the "+animal+" eats grass on the farm"),
			strings.Fields("my "+car+" drives on the road"))
	}
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	sb := lb.ValueBuilder().(*array.StringBuilder)
	for _, d := range docs {
		lb.Append(true)
		for _, w := range d {
			sb.Append(w)
		}
	}
	tokens := lb.NewArray()
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "tokens", Type: tokens.DataType()}}, nil), []*arrow.Chunked{arrow.NewChunked(tokens.DataType(), []arrow.Array{tokens})})

	w2v := feature.NewWord2Vec()
	w2v.P.InputCol, w2v.P.OutputCol = "tokens", "features"
	w2v.P.VectorSize, w2v.P.MinCount, w2v.P.MaxIter = 10, 1, 3
	model, err := w2v.Fit(ctx, f)
	if err != nil {
		panic(err)
	}
	m := model.(*feature.Word2VecModel)
	syn, _ := m.FindSynonymsArray(ctx, "cat", 2)
	fmt.Println(len(m.Vocabulary()), "words; nearest to cat:", syn[0].Word == "dog" || syn[0].Word == "cow", syn[1].Word == "dog" || syn[1].Word == "cow")
	// Output:
	// 14 words; nearest to cat: true true
}
