// Package metastore opens the database that holds Sluice's metadata: the
// Iceberg table catalog, tracking, the model registry and jobs. The
// embedded default is a SQLite file in the workspace (pure Go,
// modernc.org/sqlite), opened in WAL mode with a busy timeout so that
// several processes can read and commit at once; PostgreSQL (pgx) is the
// shared alternative. Queries are written once with ? placeholders and
// passed through DB.Rebind; each component's schema is a list of
// migrations applied by Migrate.
package metastore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"strconv"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DB is an open metadata database and its SQL dialect.
type DB struct {
	*sql.DB
	Dialect string // "sqlite" or "postgres"

	writerOnce sync.Once
	writer     *Writer // see DB.Writer
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
	return &DB{DB: db, Dialect: SQLite}, nil
}

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Open opens the metadata database named by dsn: a postgres:// or
// postgresql:// URL opens PostgreSQL (through pgx); anything else is a
// SQLite file path (created if missing).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"))
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// OpenPostgres connects to the PostgreSQL database at url
// (postgres://user:pass@host:port/db?sslmode=disable).
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open metadata database %s: %w", redact(url), err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open metadata database %s: %w (is the server running and the URL right?)", redact(url), err)
	}
	return &DB{DB: db, Dialect: Postgres}, nil
}

// redact hides the password of a database URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Rebind rewrites the ? placeholders of query for db's dialect: PostgreSQL
// wants $1, $2, …. Question marks inside single-quoted literals are kept.
// Write every query with ? and pass it through Rebind.
func (db *DB) Rebind(query string) string {
	if db.Dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n, inQuote := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
