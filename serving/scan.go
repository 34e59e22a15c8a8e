package serving

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is a small allocation-free JSON reader over a request body. It
// reads tokens in place: strings without escapes are returned as views
// of the body, escaped ones are decoded into a reused scratch buffer
// (valid until the next string is read).
type scanner struct {
	b       []byte
	pos     int
	depth   int
	scratch []byte
}

// maxDepth bounds nesting, so hostile bodies cannot exhaust the stack.
const maxDepth = 64

func (s *scanner) reset(b []byte) {
	s.b, s.pos, s.depth = b, 0, 0
}

// syntaxError is malformed JSON.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.pos+1, e.msg)
}

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxError{pos: s.pos, msg: fmt.Sprintf(format, args...)}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	for s.pos < len(s.b) {
		switch c := s.b[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// expect consumes c (after white space) or fails.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.unexpected(fmt.Sprintf("%q", c))
	}
	s.pos++
	return nil
}

func (s *scanner) unexpected(want string) error {
	if s.pos >= len(s.b) {
		return s.errorf("unexpected end of input, want %s", want)
	}
	return s.errorf("unexpected %q, want %s", s.b[s.pos], want)
}

// more reports, inside an array or object whose opening bracket (and
// first element, when !first) was read, whether another element follows,
// consuming the comma; it consumes the closing bracket when not.
func (s *scanner) more(close byte, first bool) (bool, error) {
	c := s.peek()
	if c == close {
		s.pos++
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		return false, s.unexpected(fmt.Sprintf("',' or %q", close))
	}
	s.pos++
	return true, nil
}

// member reads an object's next member name and the colon after it; ok
// is false at the closing brace. first is true before the first member.
func (s *scanner) member(first bool) (key []byte, ok bool, err error) {
	if ok, err = s.more('}', first); !ok || err != nil {
		return nil, ok, err
	}
	if key, err = s.str(); err != nil {
		return nil, false, err
	}
	if err = s.expect(':'); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// enter and leave track nesting depth.
func (s *scanner) enter() error {
	s.depth++
	if s.depth > maxDepth {
		return s.errorf("nested more than %d levels deep", maxDepth)
	}
	return nil
}

func (s *scanner) leave() { s.depth-- }

// str reads a string (the opening quote is next after white space).
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.unexpected("a string")
	}
	s.pos++
	start := s.pos
	for i := start; i < len(s.b); i++ {
		c := s.b[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return s.b[start:i], nil
		case c == '\\':
			return s.escaped(start, i)
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character in string")
		}
	}
	s.pos = len(s.b)
	return nil, s.errorf("unterminated string")
}

func (s *scanner) escaped(start, i int) ([]byte, error) {
	out := append(s.scratch[:0], s.b[start:i]...)
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.scratch = out
			return out, nil
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character in string")
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			break
		}
		e := s.b[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s.b, i)
			if !ok {
				s.pos = i
				return nil, s.errorf("bad \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s.b, i+2); ok && i+1 < len(s.b) && s.b[i] == '\\' && s.b[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			s.pos = i - 1
			return nil, s.errorf("bad escape \\%c", e)
		}
	}
	s.pos = len(s.b)
	return nil, s.errorf("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads a JSON number and returns its text. It also accepts NaN,
// Infinity and -Infinity, which Python's json module writes.
func (s *scanner) number() ([]byte, error) {
	s.peek()
	start := s.pos
	b := s.b
	i := start
	if i < len(b) && b[i] == '-' {
		i++
	}
	for _, lit := range [...]string{"NaN", "Infinity"} {
		if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
			s.pos = i + len(lit)
			return b[start:s.pos], nil
		}
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		s.pos = i
		return nil, s.unexpected("a number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			s.pos = i
			return nil, s.unexpected("a digit")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			s.pos = i
			return nil, s.unexpected("a digit")
		}
	}
	s.pos = i
	return b[start:i], nil
}

// literal consumes lit (true, false, null).
func (s *scanner) literal(lit string) error {
	s.peek()
	if len(s.b)-s.pos < len(lit) || string(s.b[s.pos:s.pos+len(lit)]) != lit {
		return s.unexpected(lit)
	}
	s.pos += len(lit)
	return nil
}

// skip reads and discards one value.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		_, err := s.str()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	case '[', '{':
		if err := s.enter(); err != nil {
			return err
		}
		defer s.leave()
		s.pos++
		close := byte(']')
		if c == '{' {
			close = '}'
		}
		for first := true; ; first = false {
			ok, err := s.more(close, first)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
	default:
		_, err := s.number()
		return err
	}
}

// end checks that only white space is left.
func (s *scanner) end() error {
	if s.peek() != 0 {
		return s.errorf("unexpected %q after the end of the JSON value", s.b[s.pos])
	}
	return nil
}
