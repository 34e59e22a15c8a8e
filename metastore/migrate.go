package metastore

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
)

// Migration is one step of a component's schema. SQL holds statements
// separated by semicolons; SQLite and PostgreSQL variants may differ, and
// when Postgres is empty SQL serves both. Types and defaults that differ
// between the two dialects can be written portably as BIGINT, DOUBLE
// PRECISION, TEXT, and "id INTEGER PRIMARY KEY" is replaced by an
// auto-increment column on PostgreSQL when written {{AUTOINC}}.
type Migration struct {
	SQL      string
	Postgres string
}

// Migrate brings component's schema to the last of migrations, applying
// each missing step in order in its own transaction and recording it in
// the table sluice_migrations (component, version). Steps already applied
// are skipped, so Migrate runs at every start. On PostgreSQL an advisory
// lock serializes concurrent starters; on SQLite the
// IMMEDIATE transaction does.
//
// A database whose recorded version is newer than len(migrations) was
// written by a newer Sluice; Migrate refuses it rather than guess.
func Migrate(ctx context.Context, db *DB, component string, migrations []Migration) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	defer conn.Close()
	if db.Dialect == Postgres {
		// One lock for all components: PostgreSQL's CREATE TABLE IF NOT
		// EXISTS itself races when two sessions run it at once.
		h := fnv.New64a()
		h.Write([]byte("sluice_migrations"))
		key := int64(h.Sum64() >> 1)
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
			return fmt.Errorf("migrate %s: lock: %w", component, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS sluice_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	var current sql.NullInt64
	if err := conn.QueryRowContext(ctx, db.Rebind("SELECT max(version) FROM sluice_migrations WHERE component = ?"), component).Scan(&current); err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	if int(current.Int64) > len(migrations) {
		return fmt.Errorf("migrate %s: the database is at schema version %d but this Sluice knows only %d; upgrade Sluice", component, current.Int64, len(migrations))
	}
	for v := int(current.Int64) + 1; v <= len(migrations); v++ {
		m := migrations[v-1]
		text := m.SQL
		if db.Dialect == Postgres && m.Postgres != "" {
			text = m.Postgres
		}
		if err := applyMigration(ctx, conn, db, component, v, text); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, db *DB, component string, v int, text string) error {
	autoinc := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if db.Dialect == Postgres {
		autoinc = "BIGSERIAL PRIMARY KEY"
	}
	text = strings.ReplaceAll(text, "{{AUTOINC}}", autoinc)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s to version %d: %w", component, v, err)
	}
	defer tx.Rollback()
	var done int
	if err := tx.QueryRowContext(ctx, db.Rebind("SELECT count(*) FROM sluice_migrations WHERE component = ? AND version = ?"), component, v).Scan(&done); err != nil {
		return fmt.Errorf("migrate %s to version %d: %w", component, v, err)
	}
	if done > 0 { // another process applied it meanwhile
		return nil
	}
	for _, stmt := range splitStatements(text) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate %s to version %d: %w\nstatement: %s", component, v, err, stmt)
		}
	}
	if _, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO sluice_migrations (component, version) VALUES (?, ?)"), component, v); err != nil {
		return fmt.Errorf("migrate %s to version %d: %w", component, v, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s to version %d: %w", component, v, err)
	}
	return nil
}

// splitStatements splits text at semicolons outside single quotes.
func splitStatements(text string) []string {
	var out []string
	start, inQuote := 0, false
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end + 1
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\'':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				flush(i)
			}
		}
	}
	flush(len(text))
	return out
}
