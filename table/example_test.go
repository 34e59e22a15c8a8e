package table_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/table"
)

// openExampleCatalog opens a catalog in a new temporary directory; cleanup
// closes it and removes the directory.
func openExampleCatalog(ctx context.Context) (cat *table.Catalog, cleanup func()) {
	dir, err := os.MkdirTemp("", "sluice-table-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		log.Fatal(err)
	}
	cat, err = table.Open(ctx, db.DB, db.Dialect, "file://"+filepath.Join(dir, "warehouse"))
	if err != nil {
		log.Fatal(err)
	}
	return cat, func() {
		cat.Close()
		db.Close()
		os.RemoveAll(dir)
	}
}

// customers returns a reader of (id, name) rows; the caller releases it.
func customers(ids []int64, names []string) array.RecordReader {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(names, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	if err != nil {
		log.Fatal(err)
	}
	return rdr
}

func ExampleCatalog_CreateTable() {
	ctx := context.Background()
	cat, cleanup := openExampleCatalog(ctx)
	defer cleanup()

	cols, err := table.ParseSchema("id BIGINT NOT NULL, name VARCHAR")
	if err != nil {
		log.Fatal(err)
	}
	sc, err := table.NewSchema(cols)
	if err != nil {
		log.Fatal(err)
	}
	spec, err := table.ParsePartitionSpec("bucket(4, id)")
	if err != nil {
		log.Fatal(err)
	}
	id, err := table.ParseIdent("sales.customers")
	if err != nil {
		log.Fatal(err)
	}
	tbl, err := cat.CreateTable(ctx, id, sc, table.CreateOptions{Partition: spec})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created %s (%s) partitioned by %v, version %d\n", tbl.Ident(), table.FormatSchema(tbl.Schema()), tbl.Partition(), tbl.CurrentVersion())

	for _, batch := range []struct {
		ids   []int64
		names []string
	}{
		{[]int64{1, 2, 3}, []string{"ada", "grace", "edsger"}},
		{[]int64{4}, []string{"barbara"}},
	} {
		rdr := customers(batch.ids, batch.names)
		var info table.CommitInfo
		tbl, info, err = tbl.Append(ctx, rdr, table.WriteOptions{})
		rdr.Release()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("appended %d rows as version %d\n", info.RowsWritten, info.Version)
	}
	for _, v := range tbl.History() {
		fmt.Printf("version %d: %s, +%d rows, %d in total, current %v\n", v.Version, v.Operation, v.AddedRows, v.TotalRows, v.Current)
	}
	// Output:
	// created sales.customers (id BIGINT NOT NULL, name VARCHAR) partitioned by [bucket(4, id)], version 0
	// appended 3 rows as version 1
	// appended 1 rows as version 2
	// version 1: append, +3 rows, 3 in total, current false
	// version 2: append, +1 rows, 4 in total, current true
}

func ExampleTable_Rollback() {
	ctx := context.Background()
	cat, cleanup := openExampleCatalog(ctx)
	defer cleanup()

	cols, _ := table.ParseSchema("id BIGINT, name VARCHAR")
	sc, _ := table.NewSchema(cols)
	tbl, err := cat.CreateTable(ctx, table.Ident{Namespace: "default", Name: "people"}, sc, table.CreateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []int64{1, 2} {
		rdr := customers([]int64{id}, []string{"x"})
		tbl, _, err = tbl.Append(ctx, rdr, table.WriteOptions{})
		rdr.Release()
		if err != nil {
			log.Fatal(err)
		}
	}
	if tbl, err = tbl.Rollback(ctx, 1); err != nil {
		log.Fatal(err)
	}
	d := tbl.Describe()
	fmt.Printf("current version %d with %d rows; %d versions kept\n", d.CurrentVersion, d.Rows, d.Versions)
	// Output:
	// current version 1 with 1 rows; 2 versions kept
}

func ExampleParseSchema() {
	cols, err := table.ParseSchema(`id BIGINT NOT NULL, "full name" VARCHAR(80), amount DECIMAL(18,2), tags TEXT[]`)
	if err != nil {
		log.Fatal(err)
	}
	sc, err := table.NewSchema(cols)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(table.FormatSchema(sc))

	_, err = table.ParseSchema("id BIGINT, name VARCHR")
	fmt.Println(err)
	// Output:
	// id BIGINT NOT NULL, "full name" VARCHAR, amount DECIMAL(18,2), tags VARCHAR[]
	// schema "id BIGINT, name VARCHR": column 17: unknown type "VARCHR"; use BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), VARCHAR, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, UUID or BLOB
}

func ExampleParsePartitionSpec() {
	spec, err := table.ParsePartitionSpec("region, days(ts), bucket(16, id)")
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range spec {
		fmt.Printf("%s: %s of %s\n", f, f.Transform, f.Column)
	}
	_, err = table.ParsePartitionSpec("region, weekly(ts)")
	fmt.Println(err)
	// Output:
	// region: identity of region
	// day(ts): day of ts
	// bucket(16, id): bucket of id
	// partition spec "region, weekly(ts)": column 9, field 2: unknown transform "weekly"; use identity, year, month, day, hour, bucket(n, col) or truncate(w, col)
}

func ExampleParseIdent() {
	id, err := table.ParseIdent("orders")
	fmt.Println(id.Namespace, id.Name, err)
	_, err = table.ParseIdent("sales.order-lines")
	fmt.Println(err)
	// Output:
	// default orders <nil>
	// table name "sales.order-lines": invalid character '-' in "order-lines"; use letters, digits and underscores, not starting with a digit
}

// ExampleTable_AppendFiles commits a Parquet file written by another
// program (here arrow-go's pqarrow; in Sluice's ingest, DuckDB's COPY):
// its columns carry the table's field ids.
func ExampleTable_AppendFiles() {
	ctx := context.Background()
	cat, cleanup := openExampleCatalog(ctx)
	defer cleanup()

	cols, _ := table.ParseSchema("id BIGINT, name VARCHAR")
	sc, _ := table.NewSchema(cols)
	tbl, err := cat.CreateTable(ctx, table.Ident{Namespace: "default", Name: "people"}, sc, table.CreateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := tbl.NewDataLocation() // a fresh path under the table's data/
	if err != nil {
		log.Fatal(err) // table.ErrNotLocal: write through Append instead
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "part-0.parquet")

	// The writer: columns tagged with the table's field ids.
	rdr := customers([]int64{1, 2, 3}, []string{"ada", "grace", "edsger"})
	defer rdr.Release()
	var fields []arrow.Field
	for _, f := range rdr.Schema().Fields() {
		tf, _ := tbl.Schema().FindFieldByName(f.Name)
		f.Metadata = arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{fmt.Sprint(tf.ID)})
		f.Nullable = true
		fields = append(fields, f)
	}
	out, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(arrow.NewSchema(fields, nil), out, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		log.Fatal(err)
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		tagged := array.NewRecordBatch(arrow.NewSchema(fields, nil), rec.Columns(), rec.NumRows())
		err := w.Write(tagged)
		tagged.Release()
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	_, info, err := tbl.AppendFiles(ctx, []string{path}, table.WriteOptions{})
	if err != nil {
		log.Fatal(err) // the file has been deleted
	}
	fmt.Printf("version %d: %d rows\n", info.Version, info.RowsWritten)
	// Output:
	// version 1: 3 rows
}
