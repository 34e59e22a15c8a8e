package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	itable "github.com/apache/iceberg-go/table"

	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// The COPY path. For an unpartitioned table on the local file system,
// DuckDB writes the data files itself, with its parallel Parquet writer,
// straight into the table's data directory:
//
//	COPY (SELECT CAST(<incoming column> AS <table type>) AS <Parquet name>, …
//	      FROM (<the read query>))
//	TO '<table>/data/sluice-<random>' (FORMAT parquet, FIELD_IDS {…}, …)
//
// and table.AppendFiles (or OverwriteFiles) commits them with statistics
// from their footers. Reading, casting, encoding and writing overlap and
// run on all of DuckDB's threads, where the Arrow path first materializes
// the whole result in DuckDB and then encodes it on one goroutine. The
// Arrow path stays for partitioned tables (DuckDB would not split the rows
// by Iceberg partition), for tables with NOT NULL or nested columns, for
// writes that evolve the schema (MergeSchema), and for warehouses that are
// not local directories.

// copyRowGroupRows is the row group size of the files DuckDB writes: its
// own default, which its parallel writer is built around.
const copyRowGroupRows = 122880

// copyable reports whether every column of sc can be written by DuckDB's
// COPY with a Parquet type that reads back as exactly the column's Iceberg
// type, and is nullable (DuckDB writes every column as optional).
func copyable(sc *iceberg.Schema) bool {
	for _, f := range sc.Fields() {
		if f.Required {
			return false
		}
		switch f.Type.(type) {
		case iceberg.BooleanType, iceberg.Int32Type, iceberg.Int64Type,
			iceberg.Float32Type, iceberg.Float64Type, iceberg.DecimalType,
			iceberg.StringType, iceberg.BinaryType, iceberg.UUIDType,
			iceberg.DateType, iceberg.TimeType, iceberg.TimestampType, iceberg.TimestampTzType:
		default:
			return false
		}
	}
	return true
}

// probeSchema returns the Arrow schema of query's result, as the Arrow path
// would see it, without reading data: DuckDB plans "LIMIT 0" as an empty
// result.
func probeSchema(ctx context.Context, c *sqlengine.Conn, query string) (*arrow.Schema, error) {
	var sc *arrow.Schema
	err := c.Query(ctx, "SELECT * FROM ("+query+") LIMIT 0", func(rdr array.RecordReader) error {
		sc = rdr.Schema()
		return nil
	})
	return sc, err
}

// copyIngest writes the rows of query into the table with DuckDB's COPY
// and commits them, when the table allows it (see above). probe is query
// without side effects (no rejects tables), for learning the incoming
// columns. checkRejects runs after the COPY and before the commit; its
// error (a *BadRowsError in fail mode) aborts the ingest.
//
// It returns handled = false, having read nothing, when the Arrow path
// must do the write; *tblp is then the table it created, if it did (and
// sum.Created is set). On error, the files written are deleted, and a
// table it created is dropped.
func copyIngest(ctx context.Context, eng *sqlengine.Engine, c *sqlengine.Conn, opts Options, tblp **table.Table, query, probe string, checkRejects func() error, sum *Summary) (handled bool, err error) {
	tbl := *tblp
	if tbl != nil && len(tbl.Partition()) > 0 || tbl == nil && len(opts.Partition) > 0 {
		return false, nil
	}
	in, err := probeSchema(ctx, c, probe)
	if err != nil {
		return true, err
	}
	if tbl == nil {
		var sc *iceberg.Schema
		if sc, err = newTableSchema(in, opts); err != nil {
			return true, err
		}
		if !copyable(sc) {
			return false, nil
		}
		if tbl, err = eng.Tables().CreateTable(ctx, opts.Table, sc, table.CreateOptions{}); err != nil {
			return true, err
		}
		sum.Created = true
		*tblp = tbl
		defer func() {
			if err != nil {
				// Leave no table behind a failed first ingest.
				err = errors.Join(err, dropQuietly(ctx, eng, opts.Table))
			}
		}()
	} else if !copyable(tbl.Schema()) {
		return false, nil
	}
	// A new table can differ from the input too: a given schema may lack
	// some of a Parquet file's columns.
	var sme *table.SchemaMismatchError
	if err = tbl.CheckSchema(in); errors.As(err, &sme) && opts.MergeSchema {
		return false, nil // Append evolves the table
	} else if err != nil {
		return true, err
	}
	dir, err := tbl.NewDataLocation()
	if errors.Is(err, table.ErrNotLocal) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	stmt, err := copySQL(query, tbl, in, dir)
	if err != nil {
		return true, fmt.Errorf("ingest into %s: %w", opts.Table, err)
	}
	rows, files, err := runCopy(ctx, c, stmt)
	if err == nil {
		err = checkRejects()
	}
	if err != nil {
		// Nothing of this write is committed: remove what DuckDB wrote,
		// which may be partial files of a COPY that failed.
		if rerr := os.RemoveAll(dir); rerr != nil {
			err = errors.Join(err, fmt.Errorf("delete the data files written: %w", rerr))
		}
		return true, err
	}
	wopts := table.WriteOptions{Operation: "INGEST", Summary: map[string]string{"sluice.source-files": fmt.Sprint(sum.Files)}}
	var info table.CommitInfo
	if opts.Mode == "overwrite" {
		_, info, err = tbl.OverwriteFiles(ctx, files, wopts)
	} else {
		_, info, err = tbl.AppendFiles(ctx, files, wopts)
	}
	if err != nil {
		return true, err // the table deleted the files
	}
	sum.RowsWritten, sum.Version = rows, info.Version
	return true, nil
}

// newTableSchema is the schema of a table the ingest creates: the given
// one, which keeps NOT NULL and exact types, or the incoming columns'.
func newTableSchema(in *arrow.Schema, opts Options) (*iceberg.Schema, error) {
	if len(opts.Schema) > 0 {
		return table.NewSchema(opts.Schema)
	}
	sc, err := sqlengine.ArrowToSchema(in)
	if err != nil {
		return nil, fmt.Errorf("ingest into %s: %w", opts.Table, err)
	}
	return sc, nil
}

// copySQL builds the COPY statement that writes the rows of query, whose
// columns are in, as Parquet files of tbl into the new directory dir: one
// column per table column, in table order, cast to the table's type and
// named by its Parquet name (iceberg.SanitizeColumnNames) with its field
// id; table columns the input lacks are NULL. Incoming columns match table
// columns by name, case-insensitively, as table.Append matches them. The
// files roll over at the table's write.target-file-size-bytes and are
// compressed with its write.parquet.compression-codec.
func copySQL(query string, tbl *table.Table, in *arrow.Schema, dir string) (string, error) {
	sc := tbl.Schema()
	safe, err := iceberg.SanitizeColumnNames(sc)
	if err != nil {
		return "", err
	}
	incoming := map[string]string{}
	for _, f := range in.Fields() {
		incoming[strings.ToLower(f.Name)] = f.Name
	}
	cols := make([]string, 0, sc.NumFields())
	ids := make([]string, 0, sc.NumFields())
	for _, f := range sc.Fields() {
		sf, ok := safe.FindFieldByID(f.ID)
		if !ok {
			return "", fmt.Errorf("column %s: no Parquet name", f.Name)
		}
		val := "NULL"
		if name, ok := incoming[strings.ToLower(f.Name)]; ok {
			val = table.QuoteIdent(name)
		}
		cols = append(cols, fmt.Sprintf("CAST(%s AS %s) AS %s", val, table.SQLType(f.Type), table.QuoteIdent(sf.Name)))
		ids = append(ids, fmt.Sprintf("%s: %d", sqlString(sf.Name), f.ID))
	}
	props := tbl.Iceberg().Properties()
	size := props.GetInt(itable.WriteTargetFileSizeBytesKey, itable.WriteTargetFileSizeBytesDefault)
	if size <= 0 {
		size = itable.WriteTargetFileSizeBytesDefault
	}
	return fmt.Sprintf("COPY (SELECT %s FROM (%s)) TO %s (FORMAT parquet, FIELD_IDS {%s}, COMPRESSION %s, ROW_GROUP_SIZE %d, FILE_SIZE_BYTES %d, RETURN_FILES true)",
		strings.Join(cols, ", "), query, sqlString(dir), strings.Join(ids, ", "), copyCodec(props), copyRowGroupRows, size), nil
}

// copyCodec maps the table's Parquet compression codec to DuckDB's name
// for it; snappy (the default) for codecs DuckDB does not write.
func copyCodec(props iceberg.Properties) string {
	switch c := strings.ToLower(props.Get(itable.ParquetCompressionKey, "snappy")); c {
	case "zstd", "gzip", "brotli", "uncompressed":
		return c
	case "lz4":
		return "lz4_raw"
	default:
		return "snappy"
	}
}

// runCopy runs a COPY … RETURN_FILES statement and returns the rows it
// wrote and the files it wrote them to.
func runCopy(ctx context.Context, c *sqlengine.Conn, stmt string) (int64, []string, error) {
	var rows int64
	var files []string
	err := c.Query(ctx, stmt, func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			if rec.NumCols() != 2 {
				return fmt.Errorf("COPY returned %d columns, want the row count and the files", rec.NumCols())
			}
			for i := 0; i < int(rec.NumRows()); i++ {
				switch n := rec.Column(0).(type) {
				case *array.Int64:
					rows += n.Value(i)
				case *array.Uint64:
					rows += int64(n.Value(i))
				default:
					return fmt.Errorf("COPY returned a row count of type %s", n.DataType())
				}
				list, ok := rec.Column(1).(*array.List)
				if !ok {
					return fmt.Errorf("COPY returned files of type %s", rec.Column(1).DataType())
				}
				names, ok := list.ListValues().(*array.String)
				if !ok {
					return fmt.Errorf("COPY returned files of type %s", rec.Column(1).DataType())
				}
				start, end := list.ValueOffsets(i)
				for j := start; j < end; j++ {
					files = append(files, strings.Clone(names.Value(int(j))))
				}
			}
		}
		return nil
	})
	return rows, files, err
}
