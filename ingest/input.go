package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// openInput opens path for reading its decompressed bytes, the bytes
// DuckDB's readers see: .gz and .zst files are decompressed, others are
// read as they are. The caller closes the result.
func openInput(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(strings.ToLower(path), ".gz"):
		zr, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return readCloser{Reader: zr, close: func() error { return errors.Join(zr.Close(), f.Close()) }}, nil
	case strings.HasSuffix(strings.ToLower(path), ".zst"):
		zr, err := zstd.NewReader(bufio.NewReader(f), zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return readCloser{Reader: zr, close: func() error { zr.Close(); return f.Close() }}, nil
	}
	return f, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// headBytes is how much of a file peekInput reads.
const headBytes = 64 << 10

// peekInput returns up to headBytes of the decompressed start of path,
// without a UTF-8 byte order mark.
func peekInput(path string) ([]byte, error) {
	r, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, headBytes))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return bytes.TrimPrefix(b, utf8BOM), nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// firstRecord splits the first CSV record of head into its fields. A
// quoted field may span lines. It returns the fields and the offset just
// past the record's line break (len(head) if there is none).
func firstRecord(head []byte, delim, quote, escape string) ([]string, int) {
	d, q, e := []byte(delim), []byte(quote), []byte(escape)
	var fields []string
	var cur []byte
	inQuotes := false
	for i := 0; i < len(head); {
		rest := head[i:]
		if inQuotes {
			switch {
			case len(e) > 0 && !bytes.Equal(e, q) && bytes.HasPrefix(rest, e) && len(rest) > len(e):
				cur = append(cur, rest[len(e)])
				i += len(e) + 1
			case len(q) > 0 && bytes.HasPrefix(rest, q):
				if bytes.Equal(e, q) && bytes.HasPrefix(rest[len(q):], q) {
					cur = append(cur, q...)
					i += 2 * len(q)
				} else {
					inQuotes = false
					i += len(q)
				}
			default:
				cur = append(cur, rest[0])
				i++
			}
			continue
		}
		switch c := rest[0]; {
		case c == '\n' || c == '\r':
			end := i + 1
			if c == '\r' && end < len(head) && head[end] == '\n' {
				end++
			}
			return append(fields, string(cur)), end
		case len(d) > 0 && bytes.HasPrefix(rest, d):
			fields = append(fields, string(cur))
			cur = cur[:0]
			i += len(d)
		case len(q) > 0 && len(cur) == 0 && bytes.HasPrefix(rest, q):
			inQuotes = true
			i += len(q)
		default:
			cur = append(cur, c)
			i++
		}
	}
	return append(fields, string(cur)), len(head)
}

// guessDelimiter returns the most frequent of , tab ; | outside double
// quotes in the first line of head, or "" when none occurs.
func guessDelimiter(head []byte) string {
	counts := map[byte]int{}
	inQuotes := false
	for _, c := range head {
		if c == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		switch c {
		case ',', '\t', ';', '|':
			counts[c]++
		}
	}
	best, n := "", 0
	for _, c := range []byte{',', '\t', ';', '|'} {
		if counts[c] > n {
			best, n = string(c), counts[c]
		}
	}
	return best
}

// hasData reports whether head holds anything but blank lines after its
// first skip bytes.
func hasData(head []byte, skip int) bool {
	return len(bytes.TrimSpace(head[min(skip, len(head)):])) > 0
}

// lineCounter turns byte offsets in a file into 1-based physical line
// numbers. Offsets must be asked for in increasing order. Every line break
// counts once: "\n", "\r\n" and a lone "\r".
type lineCounter struct {
	r      *bufio.Reader
	close  func() error
	pos    int64 // bytes consumed
	breaks int64 // line breaks in the consumed bytes
	lastCR bool  // the last consumed byte is '\r'
	err    error
}

func newLineCounter(path string) (*lineCounter, error) {
	rc, err := openInput(path)
	if err != nil {
		return nil, err
	}
	return &lineCounter{r: bufio.NewReaderSize(rc, 256<<10), close: rc.Close}, nil
}

// lineAt returns the line holding the byte at offset off (0-based). A
// "\r\n" pair counts when its "\r" is consumed, so an offset pointing at the
// "\n" of a pair (where DuckDB says a CRLF line starts) gets the next line.
func (lc *lineCounter) lineAt(off int64) (int64, error) {
	for lc.pos < off && lc.err == nil {
		chunk, err := lc.r.Peek(int(min(off-lc.pos, 64<<10)))
		for _, c := range chunk {
			switch {
			case c == '\r':
				lc.breaks++
			case c == '\n' && !lc.lastCR:
				lc.breaks++
			}
			lc.lastCR = c == '\r'
		}
		lc.pos += int64(len(chunk))
		if _, derr := lc.r.Discard(len(chunk)); derr != nil && err == nil {
			err = derr
		}
		lc.err = err
	}
	if lc.pos < off {
		if errors.Is(lc.err, io.EOF) {
			return 0, fmt.Errorf("offset %d is past the end of the file (%d bytes)", off, lc.pos)
		}
		return 0, lc.err
	}
	return lc.breaks + 1, nil
}
