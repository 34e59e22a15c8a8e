package mlrun

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"

	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/tracking"
)

// Dataset source types Sluice logs (MLflow's "local" for files).
const (
	SourceLocal = "local"
	SourceTable = "sluice_table"
	SourceSQL   = "sluice_sql"
)

// digestHeadBytes is how much of a file's start its digest reads, so
// logging stays cheap for large files.
const digestHeadBytes = 4 << 20

// datasets describes the spec's training input and test source as
// MLflow datasets with contexts "training" and "testing".
func (l *logger) datasets() []tracking.DatasetInput {
	pl, res := l.opts.Plan, l.opts.Result
	if pl == nil {
		return nil
	}
	schema := ""
	if l.input != nil {
		if s, err := models.SchemaFromArrow(l.input); err == nil {
			if b, err := json.Marshal(map[string]any{"mlflow_colspec": s}); err == nil {
				schema = string(b)
			}
		}
	}
	var out []tracking.DatasetInput
	add := func(src spec.Source, rows int64, context string) {
		d := dataset(pl.Spec, src, rows, schema)
		out = append(out, tracking.DatasetInput{Dataset: d, Tags: []tracking.InputTag{{Key: TagDataCtx, Value: context}}})
	}
	add(pl.Spec.Input, res.InputRows, "training")
	if pl.Spec.Test != nil {
		add(*pl.Spec.Test, res.TestRows, "testing")
	}
	return out
}

// dataset describes one source: a table by name, a file by its URI, a
// query by its text and the files it reads. The digest hashes the source,
// schema and row count, and each file's size, modification time and first
// 4 MiB, cut to 8 hex digits as MLflow's digests are.
func dataset(s *spec.Spec, src spec.Source, rows int64, schema string) *tracking.Dataset {
	h := sha256.New()
	var d tracking.Dataset
	var source any
	switch {
	case src.Table != "":
		d.Name, d.SourceType = src.Table, SourceTable
		source = map[string]any{"table": src.Table}
	case src.File != "":
		d.Name, d.SourceType = filepath.Base(src.File), SourceLocal
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(src.File)}
		source = map[string]any{"uri": u.String()}
		hashFile(h, src.File)
	default:
		d.Name, d.SourceType = "query", SourceSQL
		m := map[string]any{"query": src.SQL}
		if len(s.Data) > 0 {
			files := map[string]string{}
			for _, k := range sortedKeys(s.Data) {
				files[k] = s.Data[k]
				hashFile(h, s.Data[k])
			}
			m["data"] = files
		}
		source = m
	}
	b, _ := json.Marshal(source)
	d.Source = string(b)
	d.Schema = schema
	p, _ := json.Marshal(map[string]any{"num_rows": rows})
	d.Profile = string(p)
	h.Write(b)
	h.Write([]byte(schema))
	h.Write(p)
	d.Digest = hex.EncodeToString(h.Sum(nil))[:8]
	return &d
}

// hashFile feeds path's size, modification time and first bytes to h;
// an unreadable file adds nothing.
func hashFile(h io.Writer, path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		fmt.Fprintf(h, "%d %d\n", st.Size(), st.ModTime().UnixNano())
	}
	io.Copy(h, io.LimitReader(f, digestHeadBytes))
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
