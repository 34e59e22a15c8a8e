package process

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"
)

// MaxValuesSize bounds a task values file.
const MaxValuesSize = 64 << 10

// ReadValues reads a task values file written by a task: a JSON object,
// or lines "key=value" (value used as JSON when it parses as JSON, else
// as a string; blank lines and lines starting with # ignored). A missing
// or empty file gives no values. Errors give the line and say how to fix
// it; a file over MaxValuesSize is an error.
//
// Keys are 1–128 characters of letters, digits, '_', '-' and '.'. In
// key=value lines spaces around the key and the value are dropped, and a
// later line for a key replaces an earlier one; a JSON object may not
// repeat a key. Values are returned compacted.
func ReadValues(path string) (map[string]json.RawMessage, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read task values: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxValuesSize+1))
	if err != nil {
		return nil, fmt.Errorf("read task values %s: %w", path, err)
	}
	if len(data) > MaxValuesSize {
		return nil, fmt.Errorf("task values %s: larger than %d KiB; publish small values (ids, counts, paths) and keep data in tables or files", path, MaxValuesSize>>10)
	}
	vals, err := parseValues(data)
	if err != nil {
		return nil, fmt.Errorf("task values %s: %w", path, err)
	}
	return vals, nil
}

// parseValues parses a values file's bytes (at most MaxValuesSize).
func parseValues(data []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, nil
	}
	if trimmed[0] == '{' {
		return parseJSONValues(data)
	}
	return parseLineValues(data)
}

func parseJSONValues(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(data, dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("line 1: want a JSON object {\"name\": value, …}")
	}
	vals := make(map[string]json.RawMessage)
	keyLine := make(map[string]int)
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(data, dec, err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("line %d: want a string key", lineAt(data, off))
		}
		line := lineAt(data, dec.InputOffset())
		if err := checkKey(key); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if prev, dup := keyLine[key]; dup {
			return nil, fmt.Errorf("line %d: key %q repeats line %d; give each value once", line, key, prev)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(data, dec, err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		vals[key] = buf.Bytes()
		keyLine[key] = line
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, jsonError(data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: text after the JSON object; write one object holding every value", lineAt(data, dec.InputOffset()))
	}
	return vals, nil
}

// jsonError names the line of a JSON decoding error.
func jsonError(data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("line %d: the JSON object is not complete (missing '}'?)", lineAt(data, int64(len(data))))
	}
	return fmt.Errorf("line %d: invalid JSON: %v", lineAt(data, off), err)
}

// lineAt returns the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func parseLineValues(data []byte) (map[string]json.RawMessage, error) {
	vals := make(map[string]json.RawMessage)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxValuesSize+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key=value, got %q; write one value per line, or a JSON object", n, clip(line))
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if err := checkKey(key); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		vals[key] = lineValue(val)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return vals, nil
}

// lineValue is val as JSON when it is a JSON value, else as a string.
func lineValue(val string) json.RawMessage {
	if val != "" && json.Valid([]byte(val)) {
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(val)) == nil {
			return buf.Bytes()
		}
	}
	b, _ := json.Marshal(val) // a string always marshals
	return b
}

// checkKey checks a value's name.
func checkKey(key string) error {
	if key == "" {
		return errors.New("empty value name")
	}
	if len(key) > 128 {
		return fmt.Errorf("value name %q… is longer than 128 characters", key[:32])
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return fmt.Errorf("value name %q has %q; use letters, digits, '_', '-' and '.'", clip(key), r)
		}
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	i := 60
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
