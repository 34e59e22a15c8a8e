package metastore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Writer runs write transactions on a DB. On SQLite, which admits one
// writer at a time, it group-commits: writes that arrive while a
// transaction is being written share the next transaction, each inside
// its own SAVEPOINT, so a failing write rolls back alone while the others
// commit. On PostgreSQL each write is a plain transaction.
//
// A Writer is safe for concurrent use. Every component writing to one DB
// should use the same Writer (DB.Writer), so that their writes group
// together instead of waiting for each other in SQLite's busy handler.
type Writer struct {
	db *DB

	// lead is the leader token (a one-slot semaphore): its holder runs
	// this process's write transaction on SQLite. Waiting here is cheaper
	// than SQLite's busy-handler sleeps; other processes still wait on
	// busy_timeout.
	lead chan struct{}
	// qmu guards queue, the writes waiting for the next group commit.
	qmu   sync.Mutex
	queue []*writeReq

	// onEnqueue, when set (by tests), is called after a write is queued.
	onEnqueue func()
}

// NewWriter returns a Writer of its own for db. Most callers want the
// DB's shared Writer (DB.Writer) instead.
func NewWriter(db *DB) *Writer { return &Writer{db: db, lead: make(chan struct{}, 1)} }

// Writer returns db's shared Writer, made on first use. Use it for every
// write to db from this process so that SQLite writes of all components
// group-commit together.
func (db *DB) Writer() *Writer {
	db.writerOnce.Do(func() { db.writer = NewWriter(db) })
	return db.writer
}

// Write runs fn in a write transaction and commits when fn returns nil;
// when fn fails, its changes are rolled back and Write returns fn's
// error. fn may run on another goroutine (the group's leader), inside a
// transaction shared with other callers' writes: it must use only tx for
// database work, must not call Write itself, and must not keep tx. fn
// should pass ctx to its statements.
//
// On SQLite, ctx is checked when fn's group runs: a write whose ctx is
// done by then is skipped and returns ctx's error. Write does not return
// before its group has committed or failed, even when ctx is done
// meanwhile, so its result always says whether fn's changes were kept. A
// failed commit fails every write of the group.
//
// On SQLite the transaction is BEGIN IMMEDIATE (OpenSQLite's _txlock), so
// fn's reads and writes are serialized with every other writer, in this
// process and others. On PostgreSQL it is a READ COMMITTED transaction
// bound to ctx.
func (w *Writer) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if w.db.Dialect == SQLite {
		return w.groupWrite(ctx, fn)
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// writeReq is one caller's write waiting for a group commit.
type writeReq struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error // buffered, receives the outcome once
}

// groupWrite runs fn in a transaction shared with the writes queued
// meanwhile by other goroutines (group commit): SQLite commits one
// transaction at a time and each commit writes the changed pages to the
// WAL, so under concurrent writers one commit for many requests is what
// raises throughput. A waiter either finds its result delivered by a
// leader or becomes the leader itself and commits the queue; followers
// return as soon as their result is in, without waiting for the leader
// token (that convoy made every write wait for the next commit too).
func (w *Writer) groupWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	w.qmu.Lock()
	w.queue = append(w.queue, req)
	w.qmu.Unlock()
	if w.onEnqueue != nil {
		w.onEnqueue()
	}

	select {
	case err := <-req.done: // a leader committed it
		return err
	case w.lead <- struct{}{}:
	}
	defer func() { <-w.lead }()
	select {
	case err := <-req.done: // committed while we took the token
		return err
	default:
	}
	w.qmu.Lock()
	batch := w.queue
	w.queue = nil
	w.qmu.Unlock()
	w.commitGroup(batch)
	return <-req.done
}

// commitGroup runs batch's writes in one transaction and delivers each
// outcome. The transaction is not bound to any caller's context, so one
// caller giving up does not fail the others.
func (w *Writer) commitGroup(batch []*writeReq) {
	bg := context.Background()
	tx, err := w.db.BeginTx(bg, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	errs := make([]error, len(batch))
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if len(batch) == 1 {
			errs[i] = r.fn(tx)
		} else {
			errs[i] = inSavepoint(bg, tx, r.fn)
		}
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		tx.Rollback()
	} else if err := tx.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// inSavepoint runs fn so that its changes are undone when it fails.
func inSavepoint(ctx context.Context, tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); rerr != nil {
			return errors.Join(err, rerr)
		}
		tx.ExecContext(ctx, "RELEASE SAVEPOINT w")
		return err
	}
	_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT w")
	return err
}
