package table_test

import (
	"context"
	"testing"

	"github.com/sluice-dev/sluice/table"
)

var sinkLoc string

// BenchmarkMetadataLocation is the catalog lookup every SQL statement makes
// per table it reads.
func BenchmarkMetadataLocation(b *testing.B) {
	cat := mustCatalog(b)
	mustCreate(b, cat, "t", "id BIGINT", table.CreateOptions{})
	ctx := context.Background()
	id := table.Ident{Namespace: "default", Name: "t"}
	b.ReportAllocs()
	for b.Loop() {
		loc, err := cat.MetadataLocation(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		sinkLoc = loc
	}
}
