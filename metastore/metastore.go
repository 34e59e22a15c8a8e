// Package metastore opens the database that holds Sluice's metadata: the
// Iceberg table catalog now, tracking and jobs later. The embedded default
// is a SQLite file in the workspace (pure Go, modernc.org/sqlite), opened in
// WAL mode with a busy timeout so that several processes can read and
// commit at once.
package metastore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DB is an open metadata database and its SQL dialect.
type DB struct {
	*sql.DB
	Dialect string // "sqlite" or "postgres"
}

// OpenSQLite opens (creating if needed) the SQLite database at path. The
// connection pool is shared by all goroutines; SQLite serializes writers
// and waits up to 30 s for a lock before returning SQLITE_BUSY.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(30000)", "synchronous(NORMAL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + strings.ReplaceAll(path, "?", "%3F") + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open metadata database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open metadata database %s: %w", path, err)
	}
	return &DB{DB: db, Dialect: "sqlite"}, nil
}
