package feature_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/ml/feature"
)

// textReference is testdata/text_reference.json (text_gen_reference.py).
type textReference struct {
	Murmur3 []struct {
		Term      string
		Index     int `json:"index262144"`
		Index1000 int `json:"index1000"`
	}
	Tokenize []struct {
		Text        string
		Tokens      []string
		NoStopWords []string
	}
	Docs  [][]string
	Count []struct {
		MinDF, MaxDF float64
		VocabSize    int
		Binary       bool
		Vocabulary   []string
		Counts       []map[string]float64
	}
	Idf struct {
		Terms      []string
		DocFreq    []int64
		SparkIdf   []float64
		SparkTfidf [][]float64
	}
}

func loadTextReference(t testing.TB) *textReference {
	t.Helper()
	b, err := os.ReadFile("testdata/text_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref textReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

func TestHashingTFReference(t *testing.T) {
	ref := loadTextReference(t)
	h := feature.NewHashingTF()
	for _, r := range ref.Murmur3 {
		h.P.NumFeatures = 1 << 18
		if got := h.IndexOf(r.Term); got != r.Index {
			t.Errorf("IndexOf(%q) with 2^18 features = %d, want %d", r.Term, got, r.Index)
		}
		h.P.NumFeatures = 1000
		if got := h.IndexOf(r.Term); got != r.Index1000 {
			t.Errorf("IndexOf(%q) with 1000 features = %d, want %d", r.Term, got, r.Index1000)
		}
	}
}

// TestTokenizeReference: RegexTokenizer(\w+, gaps false, minTokenLength
// 2) + StopWordsRemover match scikit-learn's analyzer with token_pattern
// (?a)\b\w\w+\b and Spark's stop words.
func TestTokenizeReference(t *testing.T) {
	ref := loadTextReference(t)
	var texts []string
	var want, wantStop [][]string
	for _, r := range ref.Tokenize {
		texts = append(texts, r.Text)
		want, wantStop = append(want, orEmpty(r.Tokens)), append(wantStop, orEmpty(r.NoStopWords))
	}
	rt := feature.NewRegexTokenizer()
	rt.P.InputCol, rt.P.OutputCol, rt.P.Pattern, rt.P.Gaps, rt.P.MinTokenLength = "text", "tokens", `\w+`, false, 2
	sw := feature.NewStopWordsRemover()
	sw.P.InputCol, sw.P.OutputCol = "tokens", "words"
	out := mustTransform(t, sw, mustTransform(t, rt, mkFrame(t, tcol("text", texts))))
	checkTokens(t, "tokens", tokens(t, out, "tokens"), want)
	checkTokens(t, "without stop words", tokens(t, out, "words"), wantStop)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestCountVectorizerReference(t *testing.T) {
	ref := loadTextReference(t)
	f := mkFrame(t, tokcol("words", ref.Docs...))
	for _, c := range ref.Count {
		cv := feature.NewCountVectorizer()
		cv.P.InputCol, cv.P.OutputCol = "words", "tf"
		cv.P.MinDF, cv.P.MaxDF, cv.P.VocabSize, cv.P.Binary = c.MinDF, c.MaxDF, c.VocabSize, c.Binary
		m := mustFit(t, cv, f).(*feature.CountVectorizerModel)
		if got := slices.Sorted(slices.Values(m.Vocabulary)); !slices.Equal(got, c.Vocabulary) {
			t.Errorf("minDF %v maxDF %v vocabSize %d: vocabulary %q, scikit-learn %q", c.MinDF, c.MaxDF, c.VocabSize, got, c.Vocabulary)
			continue
		}
		for i, v := range rawVecs(t, mustTransform(t, m, f), "tf") {
			got := map[string]float64{}
			for k, j := range v.Indices {
				got[m.Vocabulary[j]] = v.Values[k]
			}
			want := c.Counts[i]
			if len(want) == 0 {
				want = map[string]float64{}
			}
			if !mapsEqual(got, want) {
				t.Errorf("minDF %v maxDF %v vocabSize %d binary %v, document %d: %v, scikit-learn %v", c.MinDF, c.MaxDF, c.VocabSize, c.Binary, i+1, got, want)
			}
		}
	}
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestIDFReference: Spark's idf is scikit-learn's smooth idf minus 1.
func TestIDFReference(t *testing.T) {
	ref := loadTextReference(t)
	f := mkFrame(t, tokcol("words", ref.Docs...))
	cvm := feature.NewCountVectorizerModel(ref.Idf.Terms) // scikit-learn's (alphabetical) feature order
	cvm.P.InputCol, cvm.P.OutputCol = "words", "tf"
	tf := mustTransform(t, cvm, f)
	idf := feature.NewIDF()
	idf.P.InputCol, idf.P.OutputCol = "tf", "tfidf"
	m := mustFit(t, idf, tf).(*feature.IDFModel)
	if !slices.Equal(m.DocFreq, ref.Idf.DocFreq) {
		t.Errorf("docFreq %v, want %v", m.DocFreq, ref.Idf.DocFreq)
	}
	checkVec(t, "idf", m.Idf, ref.Idf.SparkIdf, 1e-12)
	checkRows(t, "tfidf", vecs(t, mustTransform(t, m, tf), "tfidf"), ref.Idf.SparkTfidf, 1e-12)
	if m.NumDocs != int64(len(ref.Docs)) {
		t.Errorf("numDocs %d, want %d", m.NumDocs, len(ref.Docs))
	}
}
