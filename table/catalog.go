package table

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	isql "github.com/apache/iceberg-go/catalog/sql"
	itable "github.com/apache/iceberg-go/table"
)

// Errors callers branch on. They are wrapped with the table name.
var (
	ErrNotFound      = errors.New("table not found")
	ErrAlreadyExists = errors.New("table already exists")
	// ErrConflict means another writer committed first and this write could
	// not be replayed on top of it; nothing was committed.
	ErrConflict = errors.New("concurrent commit conflict")
)

// CatalogName is the name Sluice's tables carry in the Iceberg SQL catalog
// (the catalog_name column), so other engines can point at the same database.
const CatalogName = "sluice"

// Default table properties: format v2, copy-on-write row changes so that a
// snapshot's data files are all there is to read, and automatic refresh and
// retry of conflicting appends.
var defaultProps = iceberg.Properties{
	"format-version":                             "2",
	itable.WriteDeleteModeKey:                    itable.WriteModeCopyOnWrite,
	"write.update.mode":                          itable.WriteModeCopyOnWrite,
	"write.merge.mode":                           itable.WriteModeCopyOnWrite,
	itable.CommitNumRetriesKey:                   "20",
	itable.CommitMinRetryWaitMsKey:               "5",
	itable.CommitMaxRetryWaitMsKey:               "2000",
	itable.CommitTotalRetryTimeoutMsKey:          "120000",
	"write.parquet.compression-codec":            "snappy",
	"write.metadata.delete-after-commit.enabled": "false",
}

// Catalog is Sluice's table catalog. It is safe for concurrent use.
type Catalog struct {
	cat       *isql.Catalog
	db        *sql.DB
	warehouse string

	locOnce sync.Once // prepares locStmt for MetadataLocation
	locStmt *sql.Stmt
	locErr  error
}

// Open opens the Iceberg SQL catalog stored in db (SQLite or PostgreSQL,
// see dialect: "sqlite" or "postgres"), creating its tables if needed, with
// new tables' files under warehouse (a URL such as file:///abs/path). The
// caller owns db and closes it after Close.
func Open(ctx context.Context, db *sql.DB, dialect, warehouse string) (*Catalog, error) {
	if warehouse == "" {
		return nil, errors.New("open table catalog: empty warehouse location")
	}
	d := isql.SQLite
	switch dialect {
	case "sqlite", "":
	case "postgres":
		d = isql.Postgres
	default:
		return nil, fmt.Errorf("open table catalog: unknown dialect %q; use sqlite or postgres", dialect)
	}
	cat, err := isql.NewCatalog(CatalogName, db, d, iceberg.Properties{"warehouse": warehouse})
	if err != nil {
		return nil, fmt.Errorf("open table catalog: %w", err)
	}
	return &Catalog{cat: cat, db: db, warehouse: warehouse}, nil
}

// Warehouse returns the location under which new tables are created.
func (c *Catalog) Warehouse() string { return c.warehouse }

// Close releases the catalog's prepared statements. The database passed to
// Open stays open.
func (c *Catalog) Close() error {
	if c.locStmt != nil {
		return c.locStmt.Close()
	}
	return nil
}

// CreateOptions configures CreateTable.
type CreateOptions struct {
	// Partition is the partition spec; empty means unpartitioned.
	Partition []PartitionField
	// Properties are extra Iceberg table properties; they override Sluice's
	// defaults (format v2, copy-on-write, commit retries).
	Properties map[string]string
	// IfNotExists makes creating an existing table a no-op returning it.
	IfNotExists bool
	// Location overrides the table's location (default: under the warehouse).
	Location string
}

func (c *Catalog) ensureNamespace(ctx context.Context, ns string) error {
	err := c.cat.CreateNamespace(ctx, itable.Identifier{ns}, nil)
	if err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
		return fmt.Errorf("create namespace %s: %w", ns, err)
	}
	return nil
}

// CreateTable creates an empty table with the given schema. The schema's
// field ids are reassigned. It returns ErrAlreadyExists (wrapped) when the
// table exists and opts.IfNotExists is false.
func (c *Catalog) CreateTable(ctx context.Context, id Ident, sc *iceberg.Schema, opts CreateOptions) (*Table, error) {
	if sc == nil || sc.NumFields() == 0 {
		return nil, fmt.Errorf("create table %s: a table needs at least one column", id)
	}
	if err := c.ensureNamespace(ctx, id.Namespace); err != nil {
		return nil, fmt.Errorf("create table %s: %w", id, err)
	}
	spec, err := bindPartitionSpec(sc, opts.Partition)
	if err != nil {
		return nil, fmt.Errorf("create table %s: %w", id, err)
	}
	props := iceberg.Properties{}
	for k, v := range defaultProps {
		props[k] = v
	}
	for k, v := range opts.Properties {
		props[k] = v
	}
	copts := []catalog.CreateTableOpt{catalog.WithPartitionSpec(spec), catalog.WithProperties(props)}
	if opts.Location != "" {
		copts = append(copts, catalog.WithLocation(opts.Location))
	}
	t, err := c.cat.CreateTable(ctx, id.parts(), sc, copts...)
	if errors.Is(err, catalog.ErrTableAlreadyExists) {
		if opts.IfNotExists {
			return c.Load(ctx, id)
		}
		return nil, fmt.Errorf("create table %s: %w; drop it first or use --if-not-exists", id, ErrAlreadyExists)
	}
	if err != nil {
		return nil, fmt.Errorf("create table %s: %w", id, err)
	}
	return &Table{id: id, t: t, cat: c}, nil
}

// Load returns the table's current state. It returns ErrNotFound (wrapped)
// when there is no such table.
func (c *Catalog) Load(ctx context.Context, id Ident) (*Table, error) {
	t, err := c.cat.LoadTable(ctx, id.parts())
	if errors.Is(err, catalog.ErrNoSuchTable) || errors.Is(err, catalog.ErrNoSuchNamespace) {
		return nil, fmt.Errorf("table %s: %w; see `sluice tables list`", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load table %s: %w", id, err)
	}
	return &Table{id: id, t: t, cat: c}, nil
}

// Exists reports whether the table exists.
func (c *Catalog) Exists(ctx context.Context, id Ident) (bool, error) {
	ok, err := c.cat.CheckTableExists(ctx, id.parts())
	if errors.Is(err, catalog.ErrNoSuchNamespace) {
		return false, nil
	}
	return ok, err
}

// List returns the tables of a namespace, or of every namespace when ns is
// empty, sorted by name.
func (c *Catalog) List(ctx context.Context, ns string) ([]Ident, error) {
	var namespaces []string
	if ns != "" {
		namespaces = []string{ns}
	} else {
		list, err := c.cat.ListNamespaces(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("list namespaces: %w", err)
		}
		for _, n := range list {
			namespaces = append(namespaces, strings.Join(n, "."))
		}
	}
	var out []Ident
	for _, n := range namespaces {
		for ident, err := range c.cat.ListTables(ctx, itable.Identifier{n}) {
			if errors.Is(err, catalog.ErrNoSuchNamespace) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("list tables in %s: %w", n, err)
			}
			if len(ident) >= 2 {
				out = append(out, Ident{Namespace: strings.Join(ident[:len(ident)-1], "."), Name: ident[len(ident)-1]})
			}
		}
	}
	slices.SortFunc(out, func(a, b Ident) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// Drop removes the table from the catalog; with purge it also deletes its
// data and metadata files. It returns ErrNotFound (wrapped) when absent.
func (c *Catalog) Drop(ctx context.Context, id Ident, purge bool) error {
	var err error
	if purge {
		err = c.cat.PurgeTable(ctx, id.parts())
	} else {
		err = c.cat.DropTable(ctx, id.parts())
	}
	if errors.Is(err, catalog.ErrNoSuchTable) || errors.Is(err, catalog.ErrNoSuchNamespace) {
		return fmt.Errorf("drop table %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("drop table %s: %w", id, err)
	}
	return nil
}

// Table is a loaded table: a snapshot of its metadata at load time. Methods
// that commit return the new state; the receiver is not changed.
type Table struct {
	id  Ident
	t   *itable.Table
	cat *Catalog
}

// Ident returns the table's name.
func (t *Table) Ident() Ident { return t.id }

// Iceberg returns the underlying iceberg-go table (for interop and tests).
func (t *Table) Iceberg() *itable.Table { return t.t }

// Schema returns the current schema.
func (t *Table) Schema() *iceberg.Schema { return t.t.Schema() }

// Partition returns the current partition spec in ParsePartitionSpec form.
func (t *Table) Partition() []PartitionField {
	return describePartitionSpec(t.t.Schema(), t.t.Spec())
}
