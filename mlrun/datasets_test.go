package mlrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml/spec"
)

func TestDataset(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "train.csv")
	os.WriteFile(csv, []byte("x,y\n1,2\n"), 0o644)
	s := &spec.Spec{Data: map[string]string{"t": csv}}
	tests := []struct {
		src              spec.Source
		name, typ, inSrc string
	}{
		{spec.Source{Table: "sales.orders"}, "sales.orders", SourceTable, `{"table":"sales.orders"}`},
		{spec.Source{File: csv}, "train.csv", SourceLocal, `"uri":"file://` + filepath.ToSlash(dir)},
		{spec.Source{SQL: "SELECT * FROM t"}, "query", SourceSQL, `"query":"SELECT * FROM t"`},
	}
	for _, tt := range tests {
		d := dataset(s, tt.src, 10, `{"mlflow_colspec":[]}`)
		if d.Name != tt.name || d.SourceType != tt.typ || !strings.Contains(d.Source, tt.inSrc) || len(d.Digest) != 8 || d.Profile != `{"num_rows":10}` {
			t.Errorf("dataset(%+v) = %+v; want name %s, type %s, source containing %s", tt.src, d, tt.name, tt.typ, tt.inSrc)
		}
	}
	before := dataset(s, spec.Source{File: csv}, 10, "").Digest
	os.WriteFile(csv, []byte("x,y\n1,3\n"), 0o644)
	if after := dataset(s, spec.Source{File: csv}, 10, "").Digest; after == before {
		t.Errorf("digest %s did not change with the file's content", after)
	}
}
