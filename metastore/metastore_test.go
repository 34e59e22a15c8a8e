package metastore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/metastore"
)

func TestOpenSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	db, err := metastore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "m?x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect != "sqlite" {
		t.Errorf("dialect = %q", db.Dialect)
	}
	var mode string
	var timeout int
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || timeout != 30000 {
		t.Errorf("journal_mode %q busy_timeout %d, want wal and 30000", mode, timeout)
	}
}

// Concurrent writers on separate connections wait for each other instead
// of failing with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := metastore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		other, err := metastore.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		wg.Go(func() {
			for range 25 {
				tx, err := other.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if err := tx.Commit(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 200 {
		t.Errorf("rows = %d, want 200", n)
	}
}
