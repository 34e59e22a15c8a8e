package metastore_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

var testMigrations = []metastore.Migration{
	{SQL: `CREATE TABLE things (id {{AUTOINC}}, name TEXT NOT NULL UNIQUE, note TEXT DEFAULT 'a;b')`},
	{SQL: `ALTER TABLE things ADD COLUMN size BIGINT; CREATE INDEX things_size ON things (size)`},
}

func TestMigrate(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		// Concurrent starters apply each step once.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = metastore.Migrate(ctx, db, "test", testMigrations) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := metastore.Migrate(ctx, db, "test", testMigrations); err != nil {
			t.Fatalf("second run: %v", err)
		}
		if _, err := db.ExecContext(ctx, db.Rebind("INSERT INTO things (name, size) VALUES (?, ?)"), "x?", 3); err != nil {
			t.Fatal(err)
		}
		var id, size int64
		var note string
		if err := db.QueryRowContext(ctx, db.Rebind("SELECT id, size, note FROM things WHERE name = ?"), "x?").Scan(&id, &size, &note); err != nil {
			t.Fatal(err)
		}
		if id != 1 || size != 3 || note != "a;b" {
			t.Errorf("got id %d size %d note %q, want 1 3 a;b", id, size, note)
		}
		var n int
		db.QueryRowContext(ctx, "SELECT count(*) FROM sluice_migrations WHERE component = 'test'").Scan(&n)
		if n != 2 {
			t.Errorf("recorded %d migrations, want 2", n)
		}
		err := metastore.Migrate(ctx, db, "test", testMigrations[:1])
		if err == nil || !strings.Contains(err.Error(), "upgrade Sluice") {
			t.Errorf("older binary: got %v, want a refusal", err)
		}
	})
}

func TestRebind(t *testing.T) {
	db := &metastore.DB{Dialect: metastore.Postgres}
	got := db.Rebind("SELECT '?' , a FROM t WHERE b = ? AND c IN (?, ?)")
	want := "SELECT '?' , a FROM t WHERE b = $1 AND c IN ($2, $3)"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	lite := &metastore.DB{Dialect: metastore.SQLite}
	if q := "a = ?"; lite.Rebind(q) != q {
		t.Error("sqlite query changed")
	}
}
