package feature

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestMurmur3Reference(t *testing.T) {
	b, err := os.ReadFile("testdata/text_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Murmur3 []struct {
			Term  string
			Hash  int32
			Index int `json:"index262144"`
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Murmur3) == 0 {
		t.Fatal("no murmur3 reference values")
	}
	for _, r := range ref.Murmur3 {
		if got := murmur3String(r.Term, hashingSeed); got != r.Hash {
			t.Errorf("murmur3(%q) = %d, want %d (scikit-learn's murmurhash3_32)", r.Term, got, r.Hash)
		}
		if got := nonNegativeMod(murmur3String(r.Term, hashingSeed), 1<<18); got != r.Index {
			t.Errorf("index of %q = %d, want %d", r.Term, got, r.Index)
		}
	}
}

func TestEnglishStopWordsMatchSpark(t *testing.T) {
	b, err := os.ReadFile("testdata/text_english_stopwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Fields(string(b)); !slices.Equal(englishStopWords, want) {
		t.Errorf("englishStopWords differs from Spark's english.txt (testdata/text_english_stopwords.txt)")
	}
}

func TestJavaToRE2(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{`\s+`, `[\t-\r ]+`, ""},
		{`[\s,.]+`, `[\t-\r ,.]+`, ""},
		{`\S+`, `[^\t-\r ]+`, ""},
		{`[^\S]`, `[^\S]`, ""},
		{`\p{Punct}`, `[[:punct:]]`, ""},
		{`[\p{Alpha}\d]+`, `[[:alpha:]\d]+`, ""},
		{`\P{Alpha}`, `[[:^alpha:]]`, ""},
		{`\p{IsLatin}+`, `\p{Latin}+`, ""},
		{`\p{L}\pN`, `\p{L}\p{N}`, ""},
		{`\p{javaLowerCase}`, `[\p{Ll}]`, ""},
		{`\u00e9\e\cM\011`, `\x{E9}\x1B\x{D}\x{9}`, ""},
		{`(?iu)spam`, `(?i)spam`, ""},
		{`(?u)x`, `x`, ""},
		{`(?d:x)`, `(?:x)`, ""},
		{`a{2,}+?`, "", "possessive"},
		{`a+?b*?`, `a+?b*?`, ""},
		{`\Qa.b\E+`, `a\.b+`, ""},
		{`[]a]`, `[\]a]`, ""},
		{`(?<name>x)`, `(?<name>x)`, ""},
		{`a(?=b)`, "", "lookahead"},
		{`a(?!b)`, "", "lookahead"},
		{`(?<=a)b`, "", "lookbehind"},
		{`(?<!a)b`, "", "lookbehind"},
		{`(?>ab)`, "", "atomic group"},
		{`a*+`, "", "possessive"},
		{`a?+`, "", "possessive"},
		{`(a)\1`, "", "backreference"},
		{`\k<x>`, "", "named backreference"},
		{`[a-z&&[^aeiou]]`, "", "intersection"},
		{`[a[b]]`, "", "nested character class"},
		{`\p{InGreek}`, "", "Unicode block"},
		{`\p{javaWhitespace}`, "", `\p{javaWhitespace}`},
		{`\p{Nope}`, "", "unknown Unicode property"},
		{`(?U)\w`, "", "UNICODE_CHARACTER_CLASS"},
		{`(?x) a b`, "", "comments mode"},
		{`\Z`, "", `\Z`},
		{`abc\`, "", "lone backslash"},
		{`[abc`, "", "without its ]"},
	}
	for _, c := range cases {
		got, err := javaToRE2(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("javaToRE2(%q) = %q, %v; want an error containing %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("javaToRE2(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// fastPatterns are patterns the rune-set matcher runs without regexp.
var fastPatterns = []string{`\s+`, `\s`, `\W+`, `\w+`, `[a-z0-9]+`, `\p{L}+`, `[^\p{L}\p{N}]+`, `.`, `(?s).+`, `(?i)k+`, `\s+?`, `x`, `é+`, `[\s\p{Punct}]+`}

func TestMatcherFastPath(t *testing.T) {
	for _, p := range fastPatterns {
		m, err := newMatcher(p)
		if err != nil {
			t.Fatal(err)
		}
		if m.set == nil {
			t.Errorf("pattern %q does not take the fast path", p)
		}
	}
	for _, p := range []string{`ab|c`, `\w{2,}`, `\b`, `a*`, `ab`} {
		m, err := newMatcher(p)
		if err != nil {
			t.Fatal(err)
		}
		if m.set != nil {
			t.Errorf("pattern %q takes the fast path; it is not one character class", p)
		}
	}
}

// randomText mixes ASCII letters, digits, punctuation, whitespace (the
// vertical tab included), accented letters, CJK, emoji, Kelvin and dotted
// capital I, and invalid UTF-8.
func randomText(r *rand.Rand, n int) string {
	pieces := []string{"a", "B", "z", "K", "7", "_", " ", "  ", "\t", "\n", "\x0B", "\r\n", ",", "!", "-", ".", "é", "Ü", "ß", "日本", "😀", "\u212A", "İ", "Σ", "\xff", "\xe2\x82", "k"}
	var b strings.Builder
	for range n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestMatcherFastPathAgrees checks that the rune-set fast path finds the
// same tokens as the regexp engine.
func TestMatcherFastPathAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range fastPatterns {
		fast, _ := newMatcher(p)
		slow := &matcher{re: fast.re}
		for range 300 {
			s := randomText(r, r.IntN(30))
			for _, gaps := range []bool{true, false} {
				got, _ := fast.tokens(s, gaps, nil, nil)
				want, _ := slow.tokens(s, gaps, nil, nil)
				if !slices.Equal(got, want) {
					t.Fatalf("pattern %q gaps %v on %q: fast path %v, regexp %v", p, gaps, s, got, want)
				}
			}
		}
	}
}

// TestJavaSplit checks the String.split rules on the regexp path.
func TestJavaSplit(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       []string
	}{
		{`,`, "a,b,,c,,", []string{"a", "b", "", "c"}},
		{`,`, ",a", []string{"", "a"}},
		{`,`, "", []string{""}},
		{`,`, ",,,", nil},
		{`x*`, "abc", []string{"a", "b", "c"}}, // no leading empty piece for an empty match at 0
		{`\b`, "hi there", []string{"hi", " ", "there"}},
	}
	for _, c := range cases {
		m, err := newMatcher(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		spans, _ := m.tokens(c.s, true, nil, nil)
		var got []string
		for k := 0; k < len(spans); k += 2 {
			got = append(got, c.s[spans[k]:spans[k+1]])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("split(%q, %q) = %q, want %q", c.s, c.pattern, got, c.want)
		}
	}
}

func TestLowerAndJavaLen(t *testing.T) {
	for _, s := range []string{"", "abc", "ABC xyz", "ÀÉÎ", "ΣΑΣ", "\u212A", "İ", "\xffA", "日本語😀"} {
		got := string(appendLower(nil, s))
		if want := strings.ToLower(s); got != want {
			t.Errorf("appendLower(%q) = %q, want %q (strings.ToLower)", s, got, want)
		}
		if needsLower(s) != (got != s || !isASCII(s)) {
			t.Errorf("needsLower(%q) = %v", s, needsLower(s))
		}
	}
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "日本": 2, "😀": 2, "a😀b": 4} {
		if got := javaLen(s); got != want {
			t.Errorf("javaLen(%q) = %d, want %d", s, got, want)
		}
	}
}

// FuzzRegexTokenizer checks that tokenizing never panics, that token
// spans lie in order inside the text, and that the fast path agrees with
// the regexp engine, for any pattern Sluice accepts.
func FuzzRegexTokenizer(f *testing.F) {
	for _, p := range append(fastPatterns, `a|b`, `\b`, `x*`, `(?i)[a-z]+@[a-z]+`, `\p{Punct}`, `(?=x)`, `\Qa\E`) {
		f.Add(p, "Hello,  World! naïve café 日本語 😀\x0B end", true, 1)
	}
	f.Add(`\s+`, "", false, 0)
	f.Fuzz(func(t *testing.T, pattern, text string, gaps bool, minLen int) {
		if len(pattern) > 64 || len(text) > 2048 {
			t.Skip("input too large")
		}
		m, err := newMatcher(pattern)
		if err != nil {
			return
		}
		tk := textTokenizer{m: m, gaps: gaps, minLen: min(max(minLen, 0), 8), lower: true}
		var st tokenState
		doc, spans, lowerTokens := tk.tokenize(text, &st)
		prev := 0
		for k := 0; k < len(spans); k += 2 {
			lo, hi := spans[k], spans[k+1]
			if lo < 0 || hi < lo || hi > len(doc) || (gaps && lo < prev) {
				t.Fatalf("pattern %q gaps %v on %q: bad span [%d, %d) after %d in %d bytes", pattern, gaps, text, lo, hi, prev, len(doc))
			}
			prev = hi
		}
		// The same tokens as lowercasing the whole text first.
		var got, want []string
		for k := 0; k < len(spans); k += 2 {
			tok := doc[spans[k]:spans[k+1]]
			if lowerTokens {
				tok = strings.ToLower(tok)
			}
			got = append(got, tok)
		}
		low := string(appendLower(nil, text))
		ref, _ := m.tokens(low, gaps, nil, nil)
		for k := 0; k < len(ref); k += 2 {
			if tok := low[ref[k]:ref[k+1]]; tk.minLen == 0 || javaLen(tok) >= tk.minLen {
				want = append(want, tok)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("pattern %q gaps %v on %q: tokens %q, lowercasing first gives %q", pattern, gaps, text, got, want)
		}
		if m.set != nil {
			slow := &matcher{re: m.re}
			got, _ := m.tokens(doc, gaps, nil, nil)
			want, _ := slow.tokens(doc, gaps, nil, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("pattern %q gaps %v on %q: fast path %v, regexp %v", pattern, gaps, doc, got, want)
			}
		}
	})
}

// TestStopSetAgrees checks the pre-filtered stop-word lookup against
// lowercasing every token.
func TestStopSetAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "A", "i", "I", "t", "T", "he", "HE", "won't", "K", "\u212A", "ı", "İ", "é", "s", "x", ""}
	for _, locale := range []string{"en", "tr"} {
		for _, cs := range []bool{false, true} {
			p := StopWordsRemoverParams{StopWords: append(EnglishStopWords(), "ak", "ıı", "", "é"), CaseSensitive: cs, Locale: locale}
			s := newStopSet(p)
			naive := map[string]bool{}
			var buf []byte
			for _, w := range p.StopWords {
				if !cs {
					w = p.lower(w, &buf)
				}
				naive[w] = true
			}
			var low []byte
			for range 20000 {
				var b strings.Builder
				for range r.IntN(4) {
					b.WriteString(pieces[r.IntN(len(pieces))])
				}
				tok := b.String()
				key := tok
				if !cs {
					key = p.lower(tok, &buf)
				}
				if got, want := s.contains(tok, &low), naive[key]; got != want {
					t.Fatalf("locale %s caseSensitive %v: contains(%q) = %v, want %v", locale, cs, tok, got, want)
				}
			}
		}
	}
}

// TestTermFreqsDenseAndSorted checks that both counting modes give the
// same vectors.
func TestTermFreqsDenseAndSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const size = 50
	dense, sorted := newTermFreqs(size, 1000), newTermFreqs(size, 1)
	if !dense.dense || sorted.dense {
		t.Fatalf("modes: dense %v, sorted %v", dense.dense, sorted.dense)
	}
	for doc := range 200 {
		for range r.IntN(40) {
			id := int32(r.IntN(size))
			dense.add(id)
			sorted.add(id)
		}
		binary, minTF := doc%3 == 0, float64(doc%4)
		a, b := dense.vector(size, binary, minTF), sorted.vector(size, binary, minTF)
		if !slices.Equal(a.Indices, b.Indices) || !slices.Equal(a.Values, b.Values) {
			t.Fatalf("document %d: dense %v, sorted %v", doc, a, b)
		}
	}
}
