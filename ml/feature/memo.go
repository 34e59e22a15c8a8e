package feature

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// fieldMemo remembers the last output field a stage built and the key it
// was built for, so that scoring a few rows at a time (serving) does not
// encode the same ml_attr metadata JSON on every call. Safe for
// concurrent use; the zero value is ready.
type fieldMemo struct {
	last atomic.Pointer[memoEntry]
}

type memoEntry struct {
	key string
	f   arrow.Field
}

// get returns the field for key, building it when the key changed.
func (m *fieldMemo) get(key string, build func() arrow.Field) arrow.Field {
	if e := m.last.Load(); e != nil && e.key == key {
		return e.f
	}
	f := build()
	m.last.Store(&memoEntry{key: key, f: f})
	return f
}

// schemaKey describes what of in's columns cols an output field depends
// on: name, type and metadata, plus the given sizes.
func schemaKey(in *arrow.Schema, cols []string, sizes map[string]int, extra string) string {
	var b strings.Builder
	b.WriteString(extra)
	for _, c := range cols {
		b.WriteByte(0)
		b.WriteString(c)
		idx := in.FieldIndices(c)
		if len(idx) == 0 {
			continue
		}
		f := in.Field(idx[0])
		b.WriteByte(1)
		b.WriteString(f.Type.Fingerprint())
		for i, k := range f.Metadata.Keys() {
			b.WriteByte(2)
			b.WriteString(k)
			b.WriteByte(3)
			b.WriteString(f.Metadata.Values()[i])
		}
		if n, ok := sizes[c]; ok {
			b.WriteByte(4)
			b.WriteString(strconv.Itoa(n))
		}
	}
	return b.String()
}
