package feature

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Regular expressions: Java's syntax in, Go's RE2 underneath.
//
// Spark's RegexTokenizer takes a java.util.regex pattern; Sluice runs it
// with Go's regexp package (RE2: linear time, no backtracking). Most
// patterns mean the same in both. javaToRE2 rewrites the Java spellings
// RE2 lacks but can express, and rejects, with an error that names the
// construct and suggests a rewrite, what RE2 cannot do:
//
//   - rewritten: \s, \S (outside [...]), \v, \h (Java's classes: \s
//     includes the vertical tab \x0B, Go's does not), \p{Alpha} and the
//     other POSIX names (Java's \p{Punct} is Go's [[:punct:]]),
//     \p{IsLatin}/\p{IsL}, \p{javaLowerCase} and friends, \uXXXX, \e,
//     \cX, octal \0nn, and the flags u and d, which change nothing in
//     Go;
//   - rejected: lookahead (?=…) (?!…), lookbehind (?<=…) (?<!…), atomic
//     groups (?>…), possessive quantifiers (a*+ a++ a?+ a{n}+),
//     backreferences (\1, \k<name>), nested classes and intersections
//     ([a-z&&[^aeiou]]), \Z, \G, \R, \X, Unicode blocks (\p{InGreek}),
//     and the flags U (Java: Unicode character classes; Go: ungreedy) and
//     x (comments).
//
// Differences that remain: \w, \d and \b are ASCII in both, but Java's \b
// considers non-ASCII letters word characters before JDK 19; Java's .
// also excludes \r, \u0085, \u2028 and \u2029, Go's only \n; Java's $
// (without (?m)) also matches before a final line terminator, Go's only
// at the very end; and matches that are empty (patterns such as a* that
// can match nothing) are found at slightly different places (Go skips an
// empty match right after a previous match).

// javaToRE2 translates a Java pattern to Go's syntax (see above).
func javaToRE2(p string) (string, error) {
	var b strings.Builder
	unsupported := func(what, hint string) error {
		return fmt.Errorf("pattern %q uses %s, which Go's RE2 regular expressions do not support; %s", p, what, hint)
	}
	inClass := false
	classStart := 0 // b.Len() just after the class's '[' or '[^'
	quantified := false
	for i := 0; i < len(p); {
		c := p[i]
		wasQuantifier := quantified
		quantified = false
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("pattern %q ends with a lone backslash; escape it as \\\\", p)
			}
			e := p[i+1]
			i += 2
			switch e {
			case 's':
				b.WriteString(classOr(inClass, `\t-\r `))
			case 'S':
				if inClass {
					b.WriteString(`\S`)
				} else {
					b.WriteString(`[^\t-\r ]`)
				}
			case 'v':
				b.WriteString(classOr(inClass, `\n-\r\x{85}\x{2028}\x{2029}`))
			case 'h':
				b.WriteString(classOr(inClass, `\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}`))
			case 'V', 'H':
				if inClass {
					return "", unsupported(`\`+string(e)+` inside [...]`, "move it out of the class")
				}
				set := `\n-\r\x{85}\x{2028}\x{2029}`
				if e == 'H' {
					set = `\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}`
				}
				b.WriteString(`[^` + set + `]`)
			case 'e':
				b.WriteString(`\x1B`)
			case 'c':
				if i >= len(p) {
					return "", fmt.Errorf("pattern %q ends with \\c; give the control letter (\\cM)", p)
				}
				fmt.Fprintf(&b, `\x{%X}`, p[i]^64)
				i++
			case 'u':
				if i+4 > len(p) {
					return "", fmt.Errorf("pattern %q: \\u needs 4 hex digits", p)
				}
				v, err := strconv.ParseUint(p[i:i+4], 16, 32)
				if err != nil {
					return "", fmt.Errorf("pattern %q: \\u%s is not 4 hex digits", p, p[i:i+4])
				}
				fmt.Fprintf(&b, `\x{%X}`, v)
				i += 4
			case '0':
				j := i
				for j < len(p) && j < i+3 && p[j] >= '0' && p[j] <= '7' {
					j++
				}
				if j == i {
					return "", fmt.Errorf("pattern %q: \\0 needs octal digits (\\011)", p)
				}
				v, _ := strconv.ParseUint(p[i:j], 8, 32)
				if v > 0377 {
					j--
					v, _ = strconv.ParseUint(p[i:j], 8, 32)
				}
				fmt.Fprintf(&b, `\x{%X}`, v)
				i = j
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return "", unsupported(`a backreference (\`+string(e)+`)`, "match the text another way or split it in two steps")
			case 'k':
				return "", unsupported(`a named backreference (\k<…>)`, "match the text another way")
			case 'Z':
				return "", unsupported(`\Z`, `use \z (end of text) or $`)
			case 'G':
				return "", unsupported(`\G`, "anchor the pattern another way")
			case 'R':
				return "", unsupported(`\R`, `use (?:\r\n|[\n-\r\x{85}\x{2028}\x{2029}])`)
			case 'X':
				return "", unsupported(`\X (grapheme clusters)`, `use \P{M}\p{M}*`)
			case 'p', 'P':
				name, n, err := propertyName(p, i)
				if err != nil {
					return "", err
				}
				i += n
				s, err := javaProperty(p, name, e == 'P', inClass)
				if err != nil {
					return "", err
				}
				b.WriteString(s)
			case 'Q':
				end := strings.Index(p[i:], `\E`)
				if end < 0 {
					end = len(p) - i
				}
				lit := p[i : i+end]
				if inClass {
					for _, r := range lit {
						b.WriteString(regexp.QuoteMeta(string(r)))
					}
				} else {
					b.WriteString(regexp.QuoteMeta(lit))
				}
				i += end
				if i < len(p) {
					i += 2
				}
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case inClass && c == '[':
			if strings.HasPrefix(p[i:], "[:") {
				b.WriteByte(c)
				i++
				continue
			}
			return "", unsupported("a nested character class ([a[b]])", "list all the characters in one class")
		case inClass && c == '&' && strings.HasPrefix(p[i:], "&&"):
			return "", unsupported("a class intersection (&&)", "list the characters that remain in one class, e.g. [b-df-hj-np-tv-z] for consonants")
		case inClass && c == ']':
			if b.Len() == classStart { // []…] and [^]…]: a literal ]
				b.WriteString(`\]`)
			} else {
				b.WriteByte(c)
				inClass = false
			}
			i++
		case inClass:
			b.WriteByte(c)
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			if i < len(p) && p[i] == '^' {
				b.WriteByte('^')
				i++
			}
			classStart = b.Len()
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
				return "", unsupported("lookahead ((?=…) or (?!…))", "match the following text as part of the token, or filter the tokens afterwards (e.g. with StopWordsRemover)")
			case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", unsupported("lookbehind ((?<=…) or (?<!…))", "match the preceding text as part of the token, or filter the tokens afterwards")
			case strings.HasPrefix(rest, ">"):
				return "", unsupported("an atomic group ((?>…))", "use a plain group (?:…); RE2 never backtracks, so it is rarely needed")
			case strings.HasPrefix(rest, "<"), strings.HasPrefix(rest, "P<"), strings.HasPrefix(rest, ":"):
				b.WriteString("(?")
				i += 2
			default:
				flags, n, err := javaFlags(p, rest)
				if err != nil {
					return "", err
				}
				b.WriteString(flags)
				i += 2 + n
			}
		case c == '*' || c == '+' || c == '?':
			switch {
			case c == '+' && wasQuantifier:
				return "", unsupported("a possessive quantifier (*+, ++, ?+ or {n}+)", "use the greedy form (drop the last +); RE2 never backtracks")
			case c == '?' && wasQuantifier: // lazy: ends the quantifier
			default:
				quantified = true
			}
			b.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(p[i:], '}')
			if end > 0 && repeatCount.MatchString(p[i+1:i+end]) {
				b.WriteString(p[i : i+end+1])
				i += end + 1
				quantified = true
				continue
			}
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	if inClass {
		return "", fmt.Errorf("pattern %q has a [ without its ]; close the character class", p)
	}
	return b.String(), nil
}

// repeatCount matches the inside of a {n}, {n,} or {n,m} quantifier.
var repeatCount = regexp.MustCompile(`^[0-9]+(,[0-9]*)?$`)

// classOr returns set as a class body inside a class, or wrapped in [ ].
func classOr(inClass bool, set string) string {
	if inClass {
		return set
	}
	return "[" + set + "]"
}

// propertyName reads the name after \p or \P at p[i:]: {Name} or one
// letter. n is the number of bytes read.
func propertyName(p string, i int) (name string, n int, err error) {
	if i >= len(p) {
		return "", 0, fmt.Errorf("pattern %q ends with \\p; give a property such as \\p{L}", p)
	}
	if p[i] != '{' {
		return p[i : i+1], 1, nil
	}
	end := strings.IndexByte(p[i:], '}')
	if end < 0 {
		return "", 0, fmt.Errorf("pattern %q: \\p{ without its }", p)
	}
	return p[i+1 : i+end], end + 1, nil
}

// posixNames maps Java's POSIX property names (ASCII-only, as Go's) to
// Go's class names.
var posixNames = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit",
	"Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank",
	"Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space",
}

// javaPropertyNames maps java.lang.Character properties to Go classes.
var javaPropertyNames = map[string]string{
	"javaLowerCase": `\p{Ll}`, "javaUpperCase": `\p{Lu}`, "javaTitleCase": `\p{Lt}`,
	"javaDigit": `\p{Nd}`, "javaLetter": `\p{L}`, "javaLetterOrDigit": `\p{L}\p{Nd}`,
	"javaAlphabetic": `\p{L}\p{Nl}`, "IsAlphabetic": `\p{L}\p{Nl}`, "IsLetter": `\p{L}`,
	"IsDigit": `\p{Nd}`, "IsUppercase": `\p{Lu}`, "IsLowercase": `\p{Ll}`, "IsPunctuation": `\p{P}`,
	"IsControl": `\p{Cc}`,
}

// javaProperty translates \p{name} (\P{name} when neg) to Go's syntax.
func javaProperty(p, name string, neg, inClass bool) (string, error) {
	wrap := func(body string) string {
		switch {
		case inClass && !neg:
			return body
		case neg:
			if inClass {
				if !strings.Contains(body, `\p{`) || strings.Count(body, `\p{`) > 1 {
					return "" // cannot negate a union inside a class
				}
				return `\P` + strings.TrimPrefix(body, `\p`)
			}
			return "[^" + body + "]"
		}
		return "[" + body + "]"
	}
	if g, ok := posixNames[name]; ok {
		if inClass {
			if neg {
				return "[:^" + g + ":]", nil
			}
			return "[:" + g + ":]", nil
		}
		if neg {
			return "[[:^" + g + ":]]", nil
		}
		return "[[:" + g + ":]]", nil
	}
	if g, ok := javaPropertyNames[name]; ok {
		if s := wrap(g); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("pattern %q: \\P{%s} inside [...] is not supported; move it out of the class", p, name)
	}
	if strings.HasPrefix(name, "In") && len(name) > 2 {
		return "", fmt.Errorf("pattern %q uses the Unicode block \\p{%s}, which Go's RE2 regular expressions do not support; use a script instead, e.g. \\p{%s}", p, name, strings.TrimPrefix(name, "In"))
	}
	if strings.HasPrefix(name, "java") {
		return "", fmt.Errorf("pattern %q uses \\p{%s}, which Go's RE2 regular expressions do not support; use a Unicode category such as \\p{L}, \\p{Lu} or \\p{Nd}", p, name)
	}
	for _, prefix := range []string{"Is", "script=", "sc=", "general_category=", "gc=", "block=", "blk="} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && rest != "" {
			if strings.HasPrefix(prefix, "b") {
				return "", fmt.Errorf("pattern %q uses the Unicode block \\p{%s}, which Go's RE2 regular expressions do not support; use a script instead", p, name)
			}
			name = rest
			break
		}
	}
	_, script := unicode.Scripts[name]
	_, cat := unicode.Categories[name]
	if !script && !cat && name != "Any" {
		return "", fmt.Errorf("pattern %q: unknown Unicode property \\p{%s}; use a category (L, Lu, Ll, N, Nd, P, S, Z …) or a script (Latin, Greek, Han …)", p, name)
	}
	if neg {
		return `\P{` + name + `}`, nil
	}
	return `\p{` + name + `}`, nil
}

// javaFlags translates an embedded flag group (?idmsuxU-idmsuxU) or
// (?flags:…) starting at rest (after "(?"); n is the number of bytes of
// rest consumed, the ')' or ':' included.
func javaFlags(p, rest string) (string, int, error) {
	var out strings.Builder
	for n := 0; n < len(rest); n++ {
		switch c := rest[n]; c {
		case 'i', 'm', 's', '-':
			out.WriteByte(c)
		case 'u', 'd':
			// UNICODE_CASE: Go's (?i) folds Unicode already. UNIX_LINES:
			// Go's . and $ know only \n already.
		case 'U':
			return "", 0, fmt.Errorf("pattern %q uses the flag U (Java's UNICODE_CHARACTER_CLASS), which Go does not have (Go's U means ungreedy); use Unicode classes such as \\p{L} and \\p{Nd} instead of \\w and \\d", p)
		case 'x':
			return "", 0, fmt.Errorf("pattern %q uses the flag x (comments mode), which Go's RE2 regular expressions do not support; remove the whitespace and comments from the pattern", p)
		case ')', ':':
			f := strings.TrimSuffix(out.String(), "-")
			if f == "" {
				if c == ')' {
					return "", n + 1, nil
				}
				return "(?:", n + 1, nil
			}
			return "(?" + f + string(c), n + 1, nil
		default:
			return "", 0, fmt.Errorf("pattern %q: unknown group (?%c; use (?:…), (?i), (?m), (?s) or a named group (?<name>…)", p, c)
		}
	}
	return "", 0, fmt.Errorf("pattern %q: unterminated (? group", p)
}

// compileJava compiles a Java pattern with Go's regexp (see javaToRE2).
func compileJava(p string) (*regexp.Regexp, error) {
	g, err := javaToRE2(p)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(g)
	if err != nil {
		msg := err.Error()
		if se, ok := err.(*syntax.Error); ok {
			msg = se.Code.String() + " " + strconv.Quote(se.Expr)
		}
		return nil, fmt.Errorf("pattern %q is not a valid regular expression: %s; Sluice uses Go's RE2 syntax (https://github.com/google/re2/wiki/Syntax), which is Java's without lookaround, backreferences and possessive quantifiers", p, msg)
	}
	return re, nil
}

// runeSet is a set of runes: a bitmap for ASCII and sorted ranges for
// the rest.
type runeSet struct {
	ascii [2]uint64
	hi    []rune // pairs lo, hi (inclusive) of runes >= 0x80, sorted
}

func newRuneSet(ranges []rune) *runeSet {
	s := &runeSet{}
	for k := 0; k+1 < len(ranges); k += 2 {
		lo, hi := ranges[k], ranges[k+1]
		for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
			s.ascii[r>>6] |= 1 << (r & 63)
		}
		if hi >= utf8.RuneSelf {
			s.hi = append(s.hi, max(lo, utf8.RuneSelf), hi)
		}
	}
	return s
}

func (s *runeSet) hasByte(c byte) bool { return s.ascii[c>>6]&(1<<(c&63)) != 0 }

func (s *runeSet) hasRune(r rune) bool {
	if r < utf8.RuneSelf {
		return s.hasByte(byte(r))
	}
	k := sort.Search(len(s.hi)/2, func(k int) bool { return s.hi[2*k+1] >= r })
	return k < len(s.hi)/2 && s.hi[2*k] <= r
}

// at reports whether the rune at s[i] is in the set, and its width.
func (set *runeSet) at(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return set.hasByte(c), 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	return set.hasRune(r), w
}

// javaSpace is Java's \s: space, \t, \n, \x0B, \f, \r.
var javaSpace = newRuneSet([]rune{'\t', '\r', ' ', ' '})

// matcher finds the matches of a pattern in a document. Simple patterns —
// one character class, optionally repeated with + — run on a rune set
// without the regexp engine and without allocating.
type matcher struct {
	set *runeSet // fast path: one class
	run bool     // the class repeated (X+): maximal runs match
	// caseStable: set holds each ASCII capital exactly when it holds its
	// small letter, so on ASCII text the matches of the text and of the
	// text lowercased are the same spans.
	caseStable bool
	re         *regexp.Regexp
}

// setMatcher is a matcher of one class (run: repeated).
func setMatcher(set *runeSet, run bool, re *regexp.Regexp) *matcher {
	stable := true
	for c := byte('A'); c <= 'Z'; c++ {
		if set.hasByte(c) != set.hasByte(c+'a'-'A') {
			stable = false
		}
	}
	return &matcher{set: set, run: run, caseStable: stable, re: re}
}

// newMatcher compiles a Java pattern into a matcher.
func newMatcher(p string) (*matcher, error) {
	re, err := compileJava(p)
	if err != nil {
		return nil, err
	}
	m := &matcher{re: re}
	g, _ := javaToRE2(p)
	parsed, err := syntax.Parse(g, syntax.Perl)
	if err != nil {
		return m, nil
	}
	parsed = parsed.Simplify()
	run := false
	if parsed.Op == syntax.OpPlus && len(parsed.Sub) == 1 {
		run = parsed.Flags&syntax.NonGreedy == 0 // X+? matches one X at a time
		parsed = parsed.Sub[0]
	}
	if ranges := classRanges(parsed); ranges != nil {
		return setMatcher(newRuneSet(ranges), run, re), nil
	}
	return m, nil
}

// classRanges returns the runes one-character regexp re matches, as
// range pairs, or nil when re is something else.
func classRanges(re *syntax.Regexp) []rune {
	switch re.Op {
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return nil
		}
		return re.Rune
	case syntax.OpAnyCharNotNL:
		return []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
	case syntax.OpAnyChar:
		return []rune{0, unicode.MaxRune}
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return nil
		}
		r := re.Rune[0]
		if re.Flags&syntax.FoldCase == 0 {
			return []rune{r, r}
		}
		rs := []rune{r}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			rs = append(rs, f)
		}
		sort.Slice(rs, func(a, b int) bool { return rs[a] < rs[b] })
		out := make([]rune, 0, 2*len(rs))
		for _, x := range rs {
			out = append(out, x, x)
		}
		return out
	}
	return nil
}

// matches appends the [start, end) byte offsets of the matches of m in s
// to dst, left to right.
func (m *matcher) matches(s string, dst []int) []int {
	if m.set == nil {
		for _, loc := range m.re.FindAllStringIndex(s, -1) {
			dst = append(dst, loc[0], loc[1])
		}
		return dst
	}
	set, run := m.set, m.run
	for i := 0; i < len(s); {
		// Skip to the first rune in the set.
		c := s[i]
		if c < utf8.RuneSelf {
			if set.ascii[c>>6]&(1<<(c&63)) == 0 {
				i++
				continue
			}
		} else if in, w := set.at(s, i); !in {
			i += w
			continue
		}
		start := i
		_, w := set.at(s, i)
		i += w
		for run && i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				if set.ascii[c>>6]&(1<<(c&63)) == 0 {
					break
				}
				i++
				continue
			}
			in, w := set.at(s, i)
			if !in {
				break
			}
			i += w
		}
		dst = append(dst, start, i)
	}
	return dst
}

// tokens appends the [start, end) offsets of the tokens of s to dst: with
// gaps the pieces between matches, as Java's String.split does them
// (a leading empty piece when a non-empty match starts the text, trailing
// empty pieces dropped, the whole text when nothing matches); without
// gaps the matches themselves. scratch holds the matches between calls.
func (m *matcher) tokens(s string, gaps bool, dst, scratch []int) (spans, matches []int) {
	if !gaps {
		return m.matches(s, dst), scratch
	}
	scratch = m.matches(s, scratch[:0])
	start := len(dst)
	index := 0
	for k := 0; k < len(scratch); k += 2 {
		ms, me := scratch[k], scratch[k+1]
		if index == 0 && ms == 0 && me == 0 {
			continue // no empty leading piece for an empty match at 0
		}
		dst = append(dst, index, ms)
		index = me
	}
	if index == 0 {
		return append(dst[:start], 0, len(s)), scratch
	}
	dst = append(dst, index, len(s))
	for len(dst) > start && dst[len(dst)-2] == dst[len(dst)-1] {
		dst = dst[:len(dst)-2]
	}
	return dst, scratch
}
