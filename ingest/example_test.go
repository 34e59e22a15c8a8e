package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

func ExampleRun() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sluice-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	cat, err := table.Open(ctx, db.DB, db.Dialect, "file://"+filepath.Join(dir, "warehouse"))
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	eng, err := sqlengine.Open(ctx, cat, sqlengine.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	csv := filepath.Join(dir, "orders.csv")
	body := "id,amount\n1,9.5\n2,oops\n3,12\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		log.Fatal(err)
	}
	cols, err := table.ParseSchema("id BIGINT, amount DOUBLE")
	if err != nil {
		log.Fatal(err)
	}
	opts := ingest.Options{Table: table.Ident{Namespace: "sales", Name: "orders"}, Schema: cols}

	// By default a bad row fails the ingest and nothing is committed.
	_, err = ingest.Run(ctx, eng, []string{csv}, opts)
	var bad *ingest.BadRowsError
	if errors.As(err, &bad) {
		r := bad.First[0]
		fmt.Printf("%d bad row: %s:%d: column %s: %s\n", bad.Total, filepath.Base(r.File), r.Line, r.Column, r.Reason)
	}

	// In quarantine mode the good rows land and the bad one is kept aside.
	opts.BadRows = "quarantine"
	sum, err := ingest.Run(ctx, eng, []string{csv}, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s version %d: read %d, wrote %d, rejected %d (see %s)\n",
		sum.Table, sum.Version, sum.RowsRead, sum.RowsWritten, sum.RowsRejected, sum.RejectsTable)
	// Output:
	// 1 bad row: orders.csv:3: column amount: cannot convert "oops" to DOUBLE
	// sales.orders version 1: read 3, wrote 2, rejected 1 (see sales.orders__rejects)
}
