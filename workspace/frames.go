package workspace

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// Write modes of WriteFrame.
const (
	ModeAppend    = "append"
	ModeOverwrite = "overwrite"
)

// WriteFrame writes the rows of f into table id in one commit: appended
// (mode "append" or "") or replacing every row (mode "overwrite"). A
// missing table is created from f's schema. An overwrite also evolves the
// table's schema to fit f (table.WriteOptions.MergeSchema: new columns
// added, numeric types widened; columns f lacks stay, NULL), so a
// rewritten result may gain columns. Vector columns must have been
// made storable first (ml.Frame.StorableColumns). It returns the commit:
// the table's new version and the rows written. Errors name the table;
// a frame whose columns do not fit an existing table is a
// *table.SchemaMismatchError. ctx bounds the write. Safe for concurrent
// use (concurrent commits to one table are retried as table.Append says).
func (w *Workspace) WriteFrame(ctx context.Context, id table.Ident, f *ml.Frame, mode string) (table.CommitInfo, error) {
	if mode != "" && mode != ModeAppend && mode != ModeOverwrite {
		return table.CommitInfo{}, fmt.Errorf("write %s: mode %q: use append or overwrite", id, mode)
	}
	cat := w.Tables()
	tbl, err := cat.Load(ctx, id)
	if errors.Is(err, table.ErrNotFound) {
		sc, err := sqlengine.ArrowToSchema(f.Schema())
		if err != nil {
			return table.CommitInfo{}, fmt.Errorf("table %s: %w", id, err)
		}
		if tbl, err = cat.CreateTable(ctx, id, sc, table.CreateOptions{}); err != nil {
			return table.CommitInfo{}, err
		}
	} else if err != nil {
		return table.CommitInfo{}, err
	}
	t := f.Table()
	defer t.Release()
	rdr := array.NewTableReader(t, 64*1024)
	defer rdr.Release()
	write, opts := tbl.Append, table.WriteOptions{}
	if mode == ModeOverwrite {
		write, opts.MergeSchema = tbl.Overwrite, true
	}
	_, info, err := write(ctx, rdr, opts)
	if err != nil {
		return info, fmt.Errorf("write %s: %w", id, err)
	}
	return info, nil
}
