package feature

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// StopWordsRemoverParams are StopWordsRemover's params (Spark's names and
// defaults). Use inputCol/outputCol for one column or
// inputCols/outputCols for several.
type StopWordsRemoverParams struct {
	InputCol      string   `param:"inputCol" doc:"array<string> column of tokens"`
	OutputCol     string   `param:"outputCol" doc:"array<string> column of the tokens that are not stop words"`
	StopWords     []string `param:"stopWords" doc:"the words to remove; default Spark's English list (181 words)"`
	CaseSensitive bool     `param:"caseSensitive" doc:"compare case-sensitively; false lowercases tokens and stop words (with locale) before comparing"`
	Locale        string   `param:"locale" doc:"locale of the case-insensitive comparison, e.g. en, en_US, tr (Turkish and Azeri lowercase I to ı)"`
	InputCols     []string `param:"inputCols" doc:"several token columns, instead of inputCol"`
	OutputCols    []string `param:"outputCols" doc:"one output per inputCols entry"`
}

// localePattern matches the locale names Sluice accepts: a language code
// and optional country/variant (en, en_US, pt-BR).
var localePattern = regexp.MustCompile(`^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$`)

// Validate checks the params.
func (p StopWordsRemoverParams) Validate() error {
	if _, _, err := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols); err != nil {
		return err
	}
	if !localePattern.MatchString(p.Locale) {
		return fmt.Errorf("locale %q: use a language code with an optional country, such as en, en_US or tr", p.Locale)
	}
	return nil
}

// turkic reports whether the locale lowercases I to dotless ı.
func (p StopWordsRemoverParams) turkic() bool {
	lang, _, _ := strings.Cut(strings.ReplaceAll(p.Locale, "-", "_"), "_")
	lang = strings.ToLower(lang)
	return lang == "tr" || lang == "az"
}

// StopWordsRemover drops stop words from token lists, as Spark's
// StopWordsRemover. The default list is Spark's English one (see
// EnglishStopWords). Without caseSensitive, tokens and stop words are
// compared lowercased in the locale's rules: Unicode lowercasing, with
// Turkish and Azeri dotted and dotless i for tr and az (Java's
// Lithuanian rules are not reproduced). Tokens keep their case.
//
// A NULL token list is an error naming the row (Spark fails on it too);
// NULL elements are kept, as in Spark. Transform runs on GOMAXPROCS
// goroutines over blocks of rows.
type StopWordsRemover struct {
	P StopWordsRemoverParams
}

var _ ml.Transformer = (*StopWordsRemover)(nil)

// NewStopWordsRemover returns a StopWordsRemover with Spark's defaults:
// the English stop words, caseSensitive false, locale en (Spark's
// default is the JVM's locale, usually en_US, which lowercases alike).
func NewStopWordsRemover() *StopWordsRemover {
	return &StopWordsRemover{P: StopWordsRemoverParams{
		StopWords: EnglishStopWords(), Locale: "en", InputCols: []string{}, OutputCols: []string{},
	}}
}

// StageName returns "StopWordsRemover".
func (r *StopWordsRemover) StageName() string { return "StopWordsRemover" }

// Params returns the params.
func (r *StopWordsRemover) Params() any { return &r.P }

// TransformSchema checks that every input is array<string> and adds the
// outputs.
func (r *StopWordsRemover) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := r.P.Validate(); err != nil {
		return nil, err
	}
	ins, outs, _ := ioCols(r.P.InputCol, r.P.OutputCol, r.P.InputCols, r.P.OutputCols)
	return tokensToTokensSchema(in, ins, outs)
}

func tokensToTokensSchema(in *arrow.Schema, ins, outs []string) (*arrow.Schema, error) {
	for _, c := range ins {
		if err := ml.CheckStringListCol(in, "input column", c); err != nil {
			return nil, err
		}
	}
	if err := checkOutputs(in, outs); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(outs))
	for k, o := range outs {
		fields[k] = arrow.Field{Name: o, Type: ml.StringListType, Nullable: true}
	}
	return ml.AddFields(in, fields...)
}

// lower returns s lowercased in the params' locale (buf is scratch).
func (p StopWordsRemoverParams) lower(s string, buf *[]byte) string {
	if !needsLower(s) {
		return s
	}
	if p.turkic() {
		*buf = append((*buf)[:0], strings.ToLowerSpecial(unicode.TurkishCase, s)...)
	} else {
		*buf = appendLower((*buf)[:0], s)
	}
	return string(*buf)
}

// Transform adds the filtered token columns. ctx is checked between
// blocks of rows.
func (r *StopWordsRemover) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := r.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("StopWordsRemover: %w", err)
	}
	return out, nil
}

func (r *StopWordsRemover) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := r.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := r.P
	ins, outs, _ := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols)
	stop := newStopSet(p)
	out := f
	for k, in := range ins {
		tc, err := openTokens(f, in)
		if err != nil {
			return nil, err
		}
		col, err := parallelBlocks(ctx, tc.Len(), ml.StringListType, func(lo, hi int) (arrow.Array, error) {
			bytes, elems := tc.blockSize(lo, hi)
			b := newListBuilderSize(hi-lo, bytes, elems)
			var low []byte
			for i := lo; i < hi; i++ {
				row, null := tc.row(i)
				if null {
					return nil, nullTokensErr(in, i)
				}
				for j := range row.Len() {
					tok, null := row.at(j)
					if null {
						b.addNull()
						continue
					}
					if !stop.contains(tok, &low) {
						b.add(bytesOf(tok))
					}
				}
				b.endRow()
			}
			return b.newArray()
		})
		if err != nil {
			return nil, err
		}
		if out, err = out.WithColumn(arrow.Field{Name: outs[k], Type: ml.StringListType, Nullable: true}, col); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stopSet is a set of stop words with a cheap pre-check: most tokens are
// ruled out by their first byte and length before any hashing.
type stopSet struct {
	words         map[string]struct{}
	caseSensitive bool
	turkic        bool
	p             StopWordsRemoverParams
	// filter[c] has bit L set when a stop word starts with byte c and has
	// L bytes (bit 63: 63 or more).
	filter [256]uint64
}

func newStopSet(p StopWordsRemoverParams) *stopSet {
	s := &stopSet{words: make(map[string]struct{}, len(p.StopWords)), caseSensitive: p.CaseSensitive, turkic: p.turkic(), p: p}
	var buf []byte
	for _, w := range p.StopWords {
		if !p.CaseSensitive {
			w = p.lower(w, &buf)
		}
		s.words[w] = struct{}{}
		if w != "" {
			s.filter[w[0]] |= 1 << min(len(w), 63)
		} else {
			s.filter[0] |= 1 // "" is a stop word; checked by the map
		}
	}
	return s
}

// contains reports whether tok is a stop word; low is scratch.
func (s *stopSet) contains(tok string, low *[]byte) bool {
	if tok == "" {
		return s.filter[0]&1 != 0
	}
	ascii, upper := true, false
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if s.caseSensitive {
		if ascii && s.filter[tok[0]]&(1<<min(len(tok), 63)) == 0 {
			return false
		}
		_, ok := s.words[tok]
		return ok
	}
	if ascii && !(upper && s.turkic) {
		c := tok[0]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if s.filter[c]&(1<<min(len(tok), 63)) == 0 {
			return false
		}
		if !upper {
			_, ok := s.words[tok]
			return ok
		}
	}
	if s.turkic {
		*low = append((*low)[:0], strings.ToLowerSpecial(unicode.TurkishCase, tok)...)
	} else {
		*low = appendLower((*low)[:0], tok)
	}
	_, ok := s.words[string(*low)] // no allocation
	return ok
}

// LoadDefaultStopWords returns the stop words Spark bundles for language
// (StopWordsRemover.loadDefaultStopWords). Sluice bundles English only;
// other languages are an error saying how to pass a list.
func LoadDefaultStopWords(language string) ([]string, error) {
	if strings.EqualFold(language, "english") {
		return EnglishStopWords(), nil
	}
	return nil, fmt.Errorf("no stop words bundled for %q: Sluice bundles english only; pass the list as the stopWords param (Spark's lists for danish, dutch, finnish, french, german, hungarian, italian, norwegian, portuguese, russian, spanish, swedish and turkish are in its source tree, mllib/src/main/resources/org/apache/spark/ml/feature/stopwords)", language)
}

// EnglishStopWords returns a copy of Spark's default English stop words,
// verbatim from Spark 3.5's english.txt (181 words, Spark's order).
func EnglishStopWords() []string { return slices.Clone(englishStopWords) }

// englishStopWords is Spark's
// mllib/src/main/resources/org/apache/spark/ml/feature/stopwords/english.txt.
var englishStopWords = strings.Fields(`
i
me
my
myself
we
our
ours
ourselves
you
your
yours
yourself
yourselves
he
him
his
himself
she
her
hers
herself
it
its
itself
they
them
their
theirs
themselves
what
which
who
whom
this
that
these
those
am
is
are
was
were
be
been
being
have
has
had
having
do
does
did
doing
a
an
the
and
but
if
or
because
as
until
while
of
at
by
for
with
about
against
between
into
through
during
before
after
above
below
to
from
up
down
in
out
on
off
over
under
again
further
then
once
here
there
when
where
why
how
all
any
both
each
few
more
most
other
some
such
no
nor
not
only
own
same
so
than
too
very
s
t
can
will
just
don
should
now
i'll
you'll
he'll
she'll
we'll
they'll
i'd
you'd
he'd
she'd
we'd
they'd
i'm
you're
he's
she's
it's
we're
they're
i've
we've
you've
they've
isn't
aren't
wasn't
weren't
haven't
hasn't
hadn't
don't
doesn't
didn't
won't
wouldn't
shan't
shouldn't
mustn't
can't
couldn't
cannot
could
here's
how's
let's
ought
that's
there's
what's
when's
where's
who's
why's
would
`)
