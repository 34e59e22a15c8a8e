package feature

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// TokenizerParams are Tokenizer's params (Spark's names).
type TokenizerParams struct {
	InputCol  string `param:"inputCol" doc:"string column to split"`
	OutputCol string `param:"outputCol" doc:"array<string> column of tokens"`
}

// Validate checks the params.
func (p TokenizerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	return nil
}

// Tokenizer lowercases text and splits it at every whitespace character,
// exactly as Spark's Tokenizer (text.toLowerCase.split("\\s")): the
// whitespace characters are Java's \s (space, \t, \n, \x0B, \f, \r);
// two whitespace characters in a row give an empty token between them,
// as does whitespace at the start; trailing empty tokens are dropped;
// empty text gives one empty token. Use RegexTokenizer (pattern \s+,
// minTokenLength 1) for tokens without empty strings.
//
// NULL text is an error naming the row (Spark fails on it too); replace
// NULLs with empty text (COALESCE) in the input query. Lowercasing follows
// Unicode (see appendLower for the two cases where Java differs).
// Transform runs on GOMAXPROCS goroutines over blocks of rows.
type Tokenizer struct {
	P TokenizerParams
}

var _ ml.Transformer = (*Tokenizer)(nil)

// NewTokenizer returns a Tokenizer; set inputCol and outputCol.
func NewTokenizer() *Tokenizer { return &Tokenizer{} }

// StageName returns "Tokenizer".
func (t *Tokenizer) StageName() string { return "Tokenizer" }

// Params returns the params.
func (t *Tokenizer) Params() any { return &t.P }

// TransformSchema checks that inputCol is text and adds outputCol.
func (t *Tokenizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return textToTokensSchema(t.P.Validate(), in, t.P.InputCol, t.P.OutputCol)
}

// Transform adds the token column. ctx is checked between blocks of rows.
func (t *Tokenizer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := t.TransformSchema(f.Schema()); err != nil {
		return nil, fmt.Errorf("Tokenizer: %w", err)
	}
	tk := textTokenizer{m: setMatcher(javaSpace, false, nil), gaps: true, minLen: 0, lower: true}
	out, err := tk.transform(ctx, f, t.P.InputCol, t.P.OutputCol)
	if err != nil {
		return nil, fmt.Errorf("Tokenizer: %w", err)
	}
	return out, nil
}

func textToTokensSchema(perr error, in *arrow.Schema, inCol, outCol string) (*arrow.Schema, error) {
	if perr != nil {
		return nil, perr
	}
	if err := checkTextCol(in, "inputCol", inCol); err != nil {
		return nil, err
	}
	if err := checkOutputs(in, []string{outCol}); err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: outCol, Type: ml.StringListType, Nullable: true})
}

// RegexTokenizerParams are RegexTokenizer's params (Spark's names and
// defaults).
type RegexTokenizerParams struct {
	InputCol       string `param:"inputCol" doc:"string column to split"`
	OutputCol      string `param:"outputCol" doc:"array<string> column of tokens"`
	Pattern        string `param:"pattern" doc:"regular expression (Java syntax where Go's RE2 can run it: no lookaround, backreferences or possessive quantifiers); with gaps it matches the separators, without gaps the tokens"`
	Gaps           bool   `param:"gaps" doc:"true: pattern matches the gaps between tokens; false: pattern matches the tokens"`
	MinTokenLength int    `param:"minTokenLength" doc:"drop tokens shorter than this many characters (UTF-16 code units, as Java counts), >= 0"`
	ToLowercase    bool   `param:"toLowercase" doc:"lowercase the text before tokenizing"`
}

// Validate checks the params, including that pattern compiles.
func (p RegexTokenizerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if p.MinTokenLength < 0 {
		return fmt.Errorf("minTokenLength is %d; use 0 or more", p.MinTokenLength)
	}
	if _, err := compileJava(p.Pattern); err != nil {
		return fmt.Errorf("pattern: %w", err)
	}
	return nil
}

// RegexTokenizer splits text with a regular expression, as Spark's
// RegexTokenizer: lowercase first (toLowercase), then either split at the
// matches of pattern (gaps true, Java's String.split rules) or take the
// matches as tokens (gaps false), then drop tokens shorter than
// minTokenLength. Patterns are Java's syntax run by Go's RE2 engine:
// javaToRE2 (text_regex.go) rewrites the Java-only spellings Go can
// express and rejects with a clear error what RE2 cannot do (lookahead,
// lookbehind, backreferences, possessive quantifiers, …). Patterns that
// are one character class, alone or with + (the default \s+, \W+, \w+,
// [a-z0-9]+, \p{L}+ …), run without the regexp engine.
//
// NULL text is an error naming the row; replace NULLs with
// empty text (COALESCE). Transform runs on GOMAXPROCS goroutines over
// blocks of rows.
type RegexTokenizer struct {
	P RegexTokenizerParams

	mu      sync.Mutex
	pattern string
	m       *matcher
}

var _ ml.Transformer = (*RegexTokenizer)(nil)

// NewRegexTokenizer returns a RegexTokenizer with Spark's defaults:
// pattern \s+, gaps true, minTokenLength 1, toLowercase true.
func NewRegexTokenizer() *RegexTokenizer {
	return &RegexTokenizer{P: RegexTokenizerParams{Pattern: `\s+`, Gaps: true, MinTokenLength: 1, ToLowercase: true}}
}

// StageName returns "RegexTokenizer".
func (t *RegexTokenizer) StageName() string { return "RegexTokenizer" }

// Params returns the params.
func (t *RegexTokenizer) Params() any { return &t.P }

// TransformSchema checks the params and that inputCol is text, and adds
// outputCol.
func (t *RegexTokenizer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return textToTokensSchema(t.P.Validate(), in, t.P.InputCol, t.P.OutputCol)
}

// matcher returns the compiled pattern, compiling it when it changed.
func (t *RegexTokenizer) matcher() (*matcher, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || t.pattern != t.P.Pattern {
		m, err := newMatcher(t.P.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pattern: %w", err)
		}
		t.m, t.pattern = m, t.P.Pattern
	}
	return t.m, nil
}

// Transform adds the token column. ctx is checked between blocks of rows.
func (t *RegexTokenizer) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := t.TransformSchema(f.Schema()); err != nil {
		return nil, fmt.Errorf("RegexTokenizer: %w", err)
	}
	m, err := t.matcher()
	if err != nil {
		return nil, fmt.Errorf("RegexTokenizer: %w", err)
	}
	tk := textTokenizer{m: m, gaps: t.P.Gaps, minLen: t.P.MinTokenLength, lower: t.P.ToLowercase}
	out, err := tk.transform(ctx, f, t.P.InputCol, t.P.OutputCol)
	if err != nil {
		return nil, fmt.Errorf("RegexTokenizer: %w", err)
	}
	return out, nil
}

// textTokenizer is the work both tokenizers share.
type textTokenizer struct {
	m      *matcher
	gaps   bool
	minLen int // tokens shorter than this (in UTF-16 units) are dropped
	lower  bool
}

// tokenState is one worker's reusable buffers.
type tokenState struct {
	low             []byte
	spans, matchBuf []int
}

// tokenize returns the token spans of doc: offsets into the returned
// text, which is doc or a lowercased copy in st.low. lowerTokens means
// the text was not lowercased (ASCII text and a case-stable class: the
// spans are the same) and the caller lowercases each token it copies.
func (tk *textTokenizer) tokenize(doc string, st *tokenState) (text string, spans []int, lowerTokens bool) {
	if tk.lower && needsLower(doc) {
		if tk.m.caseStable && isASCII(doc) {
			lowerTokens = true
		} else {
			st.low = appendLower(st.low[:0], doc)
			doc = unsafe.String(unsafe.SliceData(st.low), len(st.low))
		}
	}
	st.spans, st.matchBuf = tk.m.tokens(doc, tk.gaps, st.spans[:0], st.matchBuf)
	if tk.minLen > 0 {
		out := st.spans[:0]
		for k := 0; k < len(st.spans); k += 2 {
			lo, hi := st.spans[k], st.spans[k+1]
			// javaLen is at most the bytes and at least a third of them.
			if hi-lo >= tk.minLen && (hi-lo >= 3*tk.minLen || javaLen(doc[lo:hi]) >= tk.minLen) {
				out = append(out, lo, hi)
			}
		}
		st.spans = out
	}
	return doc, st.spans, lowerTokens
}

// isASCII reports whether s is all ASCII, eight bytes at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (tk *textTokenizer) transform(ctx context.Context, f *ml.Frame, inCol, outCol string) (*ml.Frame, error) {
	tc, err := openText(f, inCol)
	if err != nil {
		return nil, err
	}
	col, err := parallelBlocks(ctx, tc.Len(), ml.StringListType, func(lo, hi int) (arrow.Array, error) {
		size := 0
		for i := lo; i < hi; i++ {
			doc, _ := tc.at(i)
			size += len(doc)
		}
		b := newListBuilderSize(hi-lo, size+size/8, size/6)
		var st tokenState
		for i := lo; i < hi; i++ {
			doc, null := tc.at(i)
			if null {
				return nil, nullTextErr(inCol, i)
			}
			text, spans, lowerTokens := tk.tokenize(doc, &st)
			for k := 0; k < len(spans); k += 2 {
				if lowerTokens {
					b.addLowerASCII(text[spans[k]:spans[k+1]])
				} else {
					b.add(bytesOf(text[spans[k]:spans[k+1]]))
				}
			}
			b.endRow()
		}
		return b.newArray()
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: outCol, Type: ml.StringListType, Nullable: true}, col)
}
