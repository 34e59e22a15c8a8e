package table

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MetadataLocation returns where the table's current metadata file is, with
// one indexed lookup in the catalog database and without reading the file.
// Every commit changes it, so callers cache loaded tables by it. It returns
// ErrNotFound (wrapped) when there is no such table.
func (c *Catalog) MetadataLocation(ctx context.Context, id Ident) (string, error) {
	c.locOnce.Do(func() {
		// The schema is iceberg-go's SQL catalog's (and PyIceberg's and Java's).
		c.locStmt, c.locErr = c.db.PrepareContext(context.WithoutCancel(ctx),
			`SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3`)
	})
	if c.locErr != nil {
		return "", fmt.Errorf("look up table %s: %w", id, c.locErr)
	}
	var loc sql.NullString
	err := c.locStmt.QueryRowContext(ctx, CatalogName, id.Namespace, id.Name).Scan(&loc)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !loc.Valid) {
		return "", fmt.Errorf("table %s: %w; see `sluice tables list`", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("look up table %s: %w", id, err)
	}
	return loc.String, nil
}

// MetadataLocation returns the metadata file the table was loaded from.
func (t *Table) MetadataLocation() string { return t.t.MetadataLocation() }
