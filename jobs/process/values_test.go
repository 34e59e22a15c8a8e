package process_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/jobs/process"
)

func writeValues(tb testing.TB, data string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "values")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestReadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, data string
		want       map[string]string // name → JSON text; nil: no values
	}{
		{"empty", "", nil},
		{"blank", " \n\t\n", nil},
		{"object", `{"auc": 0.91, "name": "churn", "ok": true, "none": null, "tags": ["a", "b"], "m": {"x": 1}}`,
			map[string]string{"auc": "0.91", "name": `"churn"`, "ok": "true", "none": "null", "tags": `["a","b"]`, "m": `{"x":1}`}},
		{"object multiline", "{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n", map[string]string{"a": "1", "b": `"x"`}},
		{"empty object", "{}", map[string]string{}},
		{"lines", "# comment\nrows=42\n\nname = churn model\nflag=false\nlist=[1, 2]\nquoted=\"x y\"\nempty=\nurl=http://x/?a=b\r\nrows=43\n",
			map[string]string{"rows": "43", "name": `"churn model"`, "flag": "false", "list": "[1,2]", "quoted": `"x y"`, "empty": `""`, "url": `"http://x/?a=b"`}},
		{"bom", "\ufeffa=1\n", map[string]string{"a": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := process.ReadValues(writeValues(t, tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if got != nil {
					t.Errorf("got %v, want nil", got)
				}
				return
			}
			gotS := make(map[string]string, len(got))
			for k, v := range got {
				gotS[k] = string(v)
			}
			if !reflect.DeepEqual(gotS, tc.want) {
				t.Errorf("got %v, want %v", gotS, tc.want)
			}
		})
	}
}

func TestReadValuesMissing(t *testing.T) {
	t.Parallel()
	got, err := process.ReadValues(filepath.Join(t.TempDir(), "none"))
	if got != nil || err != nil {
		t.Errorf("got (%v, %v), want (nil, nil)", got, err)
	}
}

func TestReadValuesErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"no equals", "a=1\n\njust text\n", []string{"line 3", "want key=value", "just text"}},
		{"empty key", "a=1\n=2\n", []string{"line 2", "empty value name"}},
		{"bad key", "a b=1\n", []string{"line 1", `"a b"`, "letters, digits"}},
		{"long key", strings.Repeat("k", 129) + "=1", []string{"longer than 128"}},
		{"json syntax", "{\n\"a\": 1,\n\"b\": oops\n}", []string{"line 3", "invalid JSON"}},
		{"json unterminated", "{\n\"a\": 1,\n", []string{"line 3", "not complete"}},
		{"json duplicate", "{\n\"a\": 1,\n\"a\": 2}", []string{"line 3", `"a" repeats line 2`}},
		{"json trailing", "{\"a\": 1}\n{\"b\": 2}", []string{"line 2", "text after the JSON object"}},
		{"json bad key", "{\"a/b\": 1}", []string{"line 1", "'_'"}},
		{"too big", "a=" + strings.Repeat("x", process.MaxValuesSize), []string{"larger than 64 KiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := writeValues(t, tc.data)
			_, err := process.ReadValues(p)
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range append(tc.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func FuzzReadValues(f *testing.F) {
	for _, s := range []string{"", "a=1\nb=x\n", `{"a": [1, {"b": null}]}`, "{", "# c\n=\n", "{\"a\":1}x", "\ufeffk = \"v\"", "a=1\r\nb={\"x\":"} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "values")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > process.MaxValuesSize+16 {
			return
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		vals, err := process.ReadValues(path)
		if err != nil {
			return
		}
		for k, v := range vals {
			if !json.Valid(v) {
				t.Errorf("value %q: invalid JSON %q", k, v)
			}
		}
	})
}
