package ml

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Model directories.
//
// Save writes a stage (a fitted model, an estimator, a pipeline) to a
// directory:
//
//	metadata.json        {"format":"sluice-ml","formatVersion":1,
//	                      "class":"DecisionTreeClassificationModel",
//	                      "timestamp":"…","params":{"maxDepth":5,…},
//	                      "files":{"data/nodes.arrow":"<sha256>",…}}
//	data/NAME.arrow      columnar state, one Arrow IPC file per table
//	data/NAME.json       small structured state
//	stages/NAME/         nested stages (pipelines, OneVsRest, tuning), same layout
//
// params holds every param by Spark name; ±Inf and NaN, which JSON
// lacks, are written as the strings "Infinity", "-Infinity" and "NaN".
// Load refuses a directory whose format is not sluice-ml, whose
// formatVersion is newer than ModelFormatVersion, whose class the
// registry does not know, or whose files are missing or do not match
// their checksums.
const (
	ModelFormat        = "sluice-ml"
	ModelFormatVersion = 1
)

// Saver is implemented by stages with state beyond their params.
type Saver interface {
	SaveData(w *DataWriter) error
}

// Loader is implemented by stages that read back what SaveData wrote. Load
// calls it on a fresh stage from the registry, after setting its params.
type Loader interface {
	LoadData(r *DataReader) error
}

type modelMetadata struct {
	Format        string            `json:"format"`
	FormatVersion int               `json:"formatVersion"`
	Class         string            `json:"class"`
	Timestamp     string            `json:"timestamp"`
	Params        map[string]any    `json:"params"`
	Files         map[string]string `json:"files"`
}

// Save writes s to dir, which must not exist yet (remove it first to
// replace a model). The directory is written under a temporary name and
// renamed into place, so a crash leaves no half-written model at dir.
func Save(dir string, s Stage) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("save %s: %s already exists; remove it or choose another directory", s.StageName(), dir)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", s.StageName(), err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("save %s: %w", s.StageName(), err)
	}
	if err := saveInto(tmp, s); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save %s: %w", s.StageName(), err)
	}
	return nil
}

func saveInto(dir string, s Stage) error {
	w := &DataWriter{dir: dir, files: map[string]string{}}
	if sv, ok := s.(Saver); ok {
		if err := sv.SaveData(w); err != nil {
			return fmt.Errorf("save %s: %w", s.StageName(), err)
		}
	}
	md := modelMetadata{
		Format: ModelFormat, FormatVersion: ModelFormatVersion, Class: s.StageName(),
		Timestamp: time.Now().UTC().Format(time.RFC3339), Params: map[string]any{}, Files: w.files,
	}
	for _, p := range ParamList(s) {
		md.Params[p.Name] = jsonSafe(reflect.ValueOf(p.Value))
	}
	b, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return fmt.Errorf("save %s: %w", s.StageName(), err)
	}
	return writeFileSync(filepath.Join(dir, "metadata.json"), b)
}

// jsonSafe turns float values JSON cannot hold into strings.
func jsonSafe(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		f := v.Float()
		switch {
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		case math.IsNaN(f):
			return "NaN"
		}
		return f
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonSafe(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

func writeFileSync(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Load reads the stage saved in dir, creating it with reg. Errors say
// which file is wrong and what to do.
func Load(dir string, reg *Registry) (Stage, error) {
	b, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load %s: not a Sluice model directory (no metadata.json); give the directory `sluice ml fit --out` or ml.Save wrote", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	var md modelMetadata
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, fmt.Errorf("load %s: metadata.json is corrupt: %v; re-save the model", dir, err)
	}
	switch {
	case md.Format != ModelFormat:
		return nil, fmt.Errorf("load %s: metadata.json has format %q, want %q; this is not a Sluice model", dir, md.Format, ModelFormat)
	case md.FormatVersion > ModelFormatVersion:
		return nil, fmt.Errorf("load %s: model format version %d is newer than this Sluice reads (%d); upgrade Sluice", dir, md.FormatVersion, ModelFormatVersion)
	case md.FormatVersion < 1:
		return nil, fmt.Errorf("load %s: metadata.json has no valid formatVersion; re-save the model", dir)
	}
	hs, err := reg.New(md.Class)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	s, ok := hs.(Stage)
	if !ok {
		return nil, fmt.Errorf("load %s: %s is not a pipeline stage", dir, md.Class)
	}
	names := make([]string, 0, len(md.Params))
	for k := range md.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := SetParam(s, k, md.Params[k]); err != nil {
			return nil, fmt.Errorf("load %s: metadata.json: %w", dir, err)
		}
	}
	for name, sum := range md.Files {
		if err := checkSum(filepath.Join(dir, filepath.FromSlash(name)), sum); err != nil {
			return nil, fmt.Errorf("load %s: %w", dir, err)
		}
	}
	if l, ok := s.(Loader); ok {
		if err := l.LoadData(&DataReader{dir: dir, files: md.Files, reg: reg}); err != nil {
			return nil, fmt.Errorf("load %s (%s): %w", dir, md.Class, err)
		}
	}
	return s, nil
}

func checkSum(path, want string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("file %s is missing; the model directory is incomplete, re-save it", path)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		return fmt.Errorf("file %s is corrupt (checksum mismatch); re-save the model", path)
	}
	return nil
}

var dataName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// DataWriter writes a stage's state into its model directory.
type DataWriter struct {
	dir   string
	files map[string]string // relative path → sha256
}

func (w *DataWriter) write(rel string, b []byte) error {
	path := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := writeFileSync(path, b); err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	w.files[rel] = hex.EncodeToString(sum[:])
	return nil
}

// WriteJSON writes v as data/NAME.json.
func (w *DataWriter) WriteJSON(name string, v any) error {
	if !dataName.MatchString(name) {
		return fmt.Errorf("bad data name %q", name)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return w.write("data/"+name+".json", b)
}

// WriteColumns writes cols as the Arrow IPC file data/NAME.arrow.
func (w *DataWriter) WriteColumns(name string, cols *Columns) error {
	if !dataName.MatchString(name) {
		return fmt.Errorf("bad data name %q", name)
	}
	rec, err := cols.record()
	if err != nil {
		return fmt.Errorf("columns %s: %w", name, err)
	}
	defer rec.Release()
	var buf bytesBuffer
	fw, err := ipc.NewFileWriter(&buf, ipc.WithSchema(rec.Schema()))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	return w.write("data/"+name+".arrow", buf.b)
}

// SaveStage writes a nested stage (a pipeline's stage, OneVsRest's
// per-class models, a tuning's best model) under stages/NAME.
func (w *DataWriter) SaveStage(name string, s Stage) error {
	if !dataName.MatchString(name) {
		return fmt.Errorf("bad stage name %q", name)
	}
	sub := filepath.Join(w.dir, "stages", name)
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return err
	}
	if err := saveInto(sub, s); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(sub, "metadata.json"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	w.files["stages/"+name+"/metadata.json"] = hex.EncodeToString(sum[:])
	return nil
}

type bytesBuffer struct{ b []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }

// DataReader reads what a DataWriter wrote.
type DataReader struct {
	dir   string
	files map[string]string
	reg   *Registry
}

func (r *DataReader) listed(rel string) error {
	if _, ok := r.files[rel]; !ok {
		return fmt.Errorf("%s is not listed in metadata.json; the model directory is incomplete or from another version, re-save it", rel)
	}
	return nil
}

// ReadJSON decodes data/NAME.json into v.
func (r *DataReader) ReadJSON(name string, v any) error {
	rel := "data/" + name + ".json"
	if err := r.listed(rel); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s is corrupt: %v; re-save the model", rel, err)
	}
	return nil
}

// ReadColumns reads data/NAME.arrow.
func (r *DataReader) ReadColumns(name string) (*Columns, error) {
	rel := "data/" + name + ".arrow"
	if err := r.listed(rel); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(r.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fr, err := ipc.NewFileReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s is corrupt: %v; re-save the model", rel, err)
	}
	defer fr.Close()
	c := &Columns{}
	for _, fl := range fr.Schema().Fields() {
		c.names = append(c.names, fl.Name)
	}
	parts := make([][]arrow.Array, len(c.names))
	for i := 0; i < fr.NumRecords(); i++ {
		rec, err := fr.RecordBatch(i)
		if err != nil {
			return nil, fmt.Errorf("%s is corrupt: %v; re-save the model", rel, err)
		}
		for j := range c.names {
			parts[j] = append(parts[j], rec.Column(j))
		}
	}
	for j := range c.names {
		if len(parts[j]) == 0 {
			c.arrs = append(c.arrs, array.MakeArrayOfNull(memory.DefaultAllocator, fr.Schema().Field(j).Type, 0))
			continue
		}
		a, err := array.Concatenate(parts[j], memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		c.arrs = append(c.arrs, a)
	}
	return c, nil
}

// LoadStage loads the nested stage SaveStage wrote as NAME.
func (r *DataReader) LoadStage(name string) (Stage, error) {
	if err := r.listed("stages/" + name + "/metadata.json"); err != nil {
		return nil, err
	}
	return Load(filepath.Join(r.dir, "stages", name), r.reg)
}

// Columns is a small set of equal-length named columns for model state.
// Add methods return c for chaining.
type Columns struct {
	names []string
	arrs  []arrow.Array
	err   error
}

func (c *Columns) add(name string, a arrow.Array) *Columns {
	if len(c.arrs) > 0 && c.arrs[0].Len() != a.Len() && c.err == nil {
		c.err = fmt.Errorf("column %s has %d rows, %s has %d", name, a.Len(), c.names[0], c.arrs[0].Len())
	}
	c.names = append(c.names, name)
	c.arrs = append(c.arrs, a)
	return c
}

// AddFloat64 adds a float64 column.
func (c *Columns) AddFloat64(name string, v []float64) *Columns {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return c.add(name, b.NewArray())
}

// AddInt64 adds an int64 column.
func (c *Columns) AddInt64(name string, v []int64) *Columns {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return c.add(name, b.NewArray())
}

// AddInt adds an int column (stored as int64).
func (c *Columns) AddInt(name string, v []int) *Columns {
	w := make([]int64, len(v))
	for i, x := range v {
		w[i] = int64(x)
	}
	return c.AddInt64(name, w)
}

// AddString adds a string column.
func (c *Columns) AddString(name string, v []string) *Columns {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return c.add(name, b.NewArray())
}

// AddBool adds a boolean column.
func (c *Columns) AddBool(name string, v []bool) *Columns {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return c.add(name, b.NewArray())
}

// AddFloat64s adds a list<float64> column (one list per row).
func (c *Columns) AddFloat64s(name string, v [][]float64) *Columns {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	defer b.Release()
	vb := b.ValueBuilder().(*array.Float64Builder)
	for _, row := range v {
		b.Append(true)
		vb.AppendValues(row, nil)
	}
	return c.add(name, b.NewArray())
}

func (c *Columns) record() (arrow.RecordBatch, error) {
	if c.err != nil {
		return nil, c.err
	}
	fields := make([]arrow.Field, len(c.names))
	n := int64(0)
	for i, a := range c.arrs {
		fields[i] = arrow.Field{Name: c.names[i], Type: a.DataType(), Nullable: true}
		n = int64(a.Len())
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), c.arrs, n), nil
}

// Len returns the number of rows.
func (c *Columns) Len() int {
	if len(c.arrs) == 0 {
		return 0
	}
	return c.arrs[0].Len()
}

func (c *Columns) get(name string) (arrow.Array, error) {
	i := slices.Index(c.names, name)
	if i < 0 {
		return nil, fmt.Errorf("model data has no column %q; the model directory is corrupt or from another version", name)
	}
	return c.arrs[i], nil
}

// Float64 returns a float64 column.
func (c *Columns) Float64(name string) ([]float64, error) {
	a, err := c.get(name)
	if err != nil {
		return nil, err
	}
	f, ok := a.(*array.Float64)
	if !ok {
		return nil, fmt.Errorf("model data column %s is %s, want double", name, a.DataType())
	}
	return slices.Clone(f.Float64Values()), nil
}

// Int64 returns an int64 column.
func (c *Columns) Int64(name string) ([]int64, error) {
	a, err := c.get(name)
	if err != nil {
		return nil, err
	}
	f, ok := a.(*array.Int64)
	if !ok {
		return nil, fmt.Errorf("model data column %s is %s, want bigint", name, a.DataType())
	}
	return slices.Clone(f.Int64Values()), nil
}

// Int returns an int64 column as ints.
func (c *Columns) Int(name string) ([]int, error) {
	v, err := c.Int64(name)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out, nil
}

// String returns a string column.
func (c *Columns) String(name string) ([]string, error) {
	a, err := c.get(name)
	if err != nil {
		return nil, err
	}
	f, ok := a.(*array.String)
	if !ok {
		return nil, fmt.Errorf("model data column %s is %s, want string", name, a.DataType())
	}
	out := make([]string, f.Len())
	for i := range out {
		out[i] = f.Value(i)
	}
	return out, nil
}

// Bool returns a boolean column.
func (c *Columns) Bool(name string) ([]bool, error) {
	a, err := c.get(name)
	if err != nil {
		return nil, err
	}
	f, ok := a.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("model data column %s is %s, want boolean", name, a.DataType())
	}
	out := make([]bool, f.Len())
	for i := range out {
		out[i] = f.Value(i)
	}
	return out, nil
}

// Float64s returns a list<float64> column.
func (c *Columns) Float64s(name string) ([][]float64, error) {
	a, err := c.get(name)
	if err != nil {
		return nil, err
	}
	l, ok := a.(*array.List)
	if !ok {
		return nil, fmt.Errorf("model data column %s is %s, want list<double>", name, a.DataType())
	}
	vals, ok := l.ListValues().(*array.Float64)
	if !ok {
		return nil, fmt.Errorf("model data column %s is %s, want list<double>", name, a.DataType())
	}
	out := make([][]float64, l.Len())
	for i := range out {
		s, e := l.ValueOffsets(i)
		out[i] = slices.Clone(vals.Float64Values()[s:e])
	}
	return out, nil
}
