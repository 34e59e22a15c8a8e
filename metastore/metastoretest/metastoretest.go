// Package metastoretest gives tests a fresh metadata database on every
// backend Sluice supports, so one test suite runs against SQLite and
// PostgreSQL alike.
//
// SQLite is always available. PostgreSQL is used when the environment
// variable SLUICE_TEST_POSTGRES holds a URL of a server where the user may
// create databases (scripts/test.sh starts one with scripts/postgres.sh);
// each call creates a new database on it and drops it at cleanup. When
// SLUICE_TEST_POSTGRES is unset, PostgreSQL subtests are skipped with a
// message saying how to run them; when SLUICE_REQUIRE_POSTGRES=1 (set by
// scripts/test.sh), they fail instead, so CI cannot silently skip them.
package metastoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/metastore"
)

// EnvPostgres names the variable holding the test PostgreSQL server URL.
const EnvPostgres = "SLUICE_TEST_POSTGRES"

// Backends lists the dialects tests should cover.
var Backends = []string{metastore.SQLite, metastore.Postgres}

// Open returns a new, empty database of dialect for tb, closed (and on
// PostgreSQL dropped) at cleanup. It skips tb when dialect is PostgreSQL
// and no server is configured.
func Open(tb testing.TB, dialect string) *metastore.DB {
	tb.Helper()
	ctx := context.Background()
	switch dialect {
	case metastore.SQLite:
		db, err := metastore.OpenSQLite(ctx, filepath.Join(tb.TempDir(), "meta.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	case metastore.Postgres:
		u := PostgresURL(tb)
		admin, err := metastore.OpenPostgres(ctx, u)
		if err != nil {
			tb.Fatal(err)
		}
		defer admin.Close()
		var b [6]byte
		rand.Read(b[:])
		name := "sluice_test_" + hex.EncodeToString(b[:])
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			tb.Fatal(err)
		}
		pu, _ := url.Parse(u)
		pu.Path = "/" + name
		db, err := metastore.OpenPostgres(ctx, pu.String())
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			db.Close()
			a, err := metastore.OpenPostgres(context.Background(), u)
			if err == nil {
				a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				a.Close()
			}
		})
		return db
	}
	tb.Fatalf("metastoretest: unknown dialect %q", dialect)
	return nil
}

// PostgresURL returns the test server's URL or skips tb (fails it when
// SLUICE_REQUIRE_POSTGRES=1).
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		if os.Getenv("SLUICE_REQUIRE_POSTGRES") == "1" {
			tb.Fatalf("%s is not set but SLUICE_REQUIRE_POSTGRES=1", EnvPostgres)
		}
		tb.Skipf("PostgreSQL tests need %s=postgres://…; run them with make test (scripts/postgres.sh starts a server)", EnvPostgres)
	}
	return u
}

// ForEach runs fn as a subtest on a fresh database of every backend.
func ForEach(t *testing.T, fn func(t *testing.T, db *metastore.DB)) {
	t.Helper()
	for _, d := range Backends {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}
