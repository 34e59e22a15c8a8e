package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"github.com/sluice-dev/sluice/jobs/notify"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// TableVersions reports a table's current version (snapshot sequence),
// for on: {table_updated: …} triggers; ok=false when the table does not
// exist.
type TableVersions interface {
	TableVersion(ctx context.Context, table string) (version int64, ok bool, err error)
}

// Config configures an Engine. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// Store holds jobs, runs and attempts. Required.
	Store *state.Store
	// Runners runs the in-process task types by type name (sql, ingest,
	// ml_fit, ml_transform, models_predict). A job using a type with no
	// runner fails validation at deploy. A for_each over a query needs
	// Runners["sql"] to implement RowsQuerier.
	Runners map[string]TaskRunner
	// Tables answers table_updated triggers; nil disables them.
	Tables TableVersions
	// LogDir holds attempt logs: LogDir/RUN/KEY.ATTEMPT.log, and the task
	// values files exec tasks write (LogDir/RUN/KEY.ATTEMPT.values).
	// Required.
	LogDir string
	// Slots bounds task attempts running at once in this engine (exec and
	// in-process tasks; run_job and for_each parents wait without a slot).
	// Attempts waiting for a slot get one in the order they became ready.
	// Default 32.
	Slots int
	// MaxRuns bounds the runs Serve executes at once (claimed queued runs
	// and adopted ones). Execute calls are not counted. Default 64.
	MaxRuns int
	// ExecutorID names this engine in the store. Default host:pid:random.
	ExecutorID string
	// PollInterval is how often Serve looks for queued runs, due
	// schedules and table versions, and how often the engine checks the
	// store for cancel requests of the runs it executes. Default 500ms.
	PollInterval time.Duration
	// LeaseTimeout is how old an executor's heartbeat may get before its
	// running runs are adopted by another executor. Default 30s;
	// heartbeats every LeaseTimeout/3, Serve reconciles every
	// LeaseTimeout.
	LeaseTimeout time.Duration
	// KillGrace is how long a canceled or timed-out exec task's process
	// group gets between SIGTERM and SIGKILL. Default 5s.
	KillGrace time.Duration
	// HTTPClient sends notifications. Default: 10s timeout.
	HTTPClient *http.Client
	// RunURL, when set, gives a run's address for notifications
	// (run_url); nil: none.
	RunURL func(runID int64) string
	// Logger receives the engine's logs. Default: discard.
	Logger *slog.Logger
	// Metrics registers the engine's Prometheus metrics; nil: none.
	Metrics prometheus.Registerer
	// Env holds KEY=VALUE pairs added to every exec task's environment,
	// after this process's own and before the task's env (the CLI sets
	// SLUICE_BIN, the path of the running sluice binary). Default none.
	Env []string
	// Now is the clock the scheduler reads (due cron ticks) and the
	// engine stamps states with. Default time.Now.
	Now func() time.Time
}

// DefaultConfig returns a Config with every default filled in, except
// Store and LogDir.
func DefaultConfig() Config {
	return Config{
		Slots:        32,
		MaxRuns:      64,
		PollInterval: 500 * time.Millisecond,
		LeaseTimeout: 30 * time.Second,
		KillGrace:    5 * time.Second,
	}
}

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Slots == 0 {
		c.Slots = d.Slots
	}
	if c.MaxRuns == 0 {
		c.MaxRuns = d.MaxRuns
	}
	if c.PollInterval == 0 {
		c.PollInterval = d.PollInterval
	}
	if c.LeaseTimeout == 0 {
		c.LeaseTimeout = d.LeaseTimeout
	}
	if c.KillGrace == 0 {
		c.KillGrace = d.KillGrace
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports the first invalid field of c (after defaults).
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("jobs: Config.Store is required")
	case c.LogDir == "":
		return errors.New("jobs: Config.LogDir is required (attempt logs are written under it)")
	case c.Slots < 1:
		return fmt.Errorf("jobs: Config.Slots is %d; it must be at least 1", c.Slots)
	case c.MaxRuns < 1:
		return fmt.Errorf("jobs: Config.MaxRuns is %d; it must be at least 1", c.MaxRuns)
	case c.PollInterval < 0:
		return fmt.Errorf("jobs: Config.PollInterval is %s; it must be positive", c.PollInterval)
	case c.LeaseTimeout < 0:
		return fmt.Errorf("jobs: Config.LeaseTimeout is %s; it must be positive", c.LeaseTimeout)
	case c.KillGrace < 0:
		return fmt.Errorf("jobs: Config.KillGrace is %s; it must be positive", c.KillGrace)
	}
	return nil
}

// Engine validates and deploys jobs, schedules runs and executes them.
// Its methods are safe for concurrent use.
type Engine struct {
	cfg     Config
	store   *state.Store
	log     *slog.Logger
	now     func() time.Time
	id      string
	host    string
	environ []string // os.Environ() at New, the base of exec tasks' environments
	slots   *semaphore.Weighted
	met     *metrics
	sender  *notify.Sender

	// ctx lives until Close; background goroutines and Serve-owned runs
	// derive from it.
	ctx    context.Context
	cancel context.CancelFunc
	// notesCtx bounds notifications; Close cancels it after a grace
	// period so that a run's last notification is still delivered.
	notesCtx    context.Context
	notesCancel context.CancelFunc

	bg    sync.WaitGroup // heartbeat and cancel poller, Serve-owned runs
	runs  sync.WaitGroup // every run executing (Execute callers included)
	notes sync.WaitGroup // notifications being sent

	wake chan struct{} // Serve's loop: a run was queued locally

	// startHook, when set (benchmarks), sees each exec attempt's ready,
	// slot-granted and started times.
	startHook func(ready, granted, started time.Time)

	regMu      sync.Mutex // serializes registration
	registered bool

	mu      sync.Mutex
	closed  bool
	serving bool
	active  map[int64]*runExec
	// abandoned are runs Serve left running when its ctx ended; a later
	// Reconcile of this engine resumes them (no other executor would:
	// this one is alive).
	abandoned map[int64]bool
	cache     map[jobRef]*spec.Job
	closeErr  error
}

type jobRef struct {
	name    string
	version int64
}

// New returns an Engine. It does not touch the store until used. Close
// it to stop its runs' tasks.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	if cfg.ExecutorID == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		cfg.ExecutorID = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	met, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, fmt.Errorf("jobs: register metrics: %w", err)
	}
	e := &Engine{
		cfg:       cfg,
		store:     cfg.Store,
		log:       cfg.Logger,
		now:       cfg.Now,
		id:        cfg.ExecutorID,
		host:      host,
		environ:   append(os.Environ(), cfg.Env...),
		slots:     semaphore.NewWeighted(int64(cfg.Slots)),
		met:       met,
		sender:    &notify.Sender{Client: cfg.HTTPClient, Logger: cfg.Logger},
		wake:      make(chan struct{}, 1),
		active:    map[int64]*runExec{},
		abandoned: map[int64]bool{},
		cache:     map[jobRef]*spec.Job{},
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.notesCtx, e.notesCancel = context.WithCancel(context.Background())
	return e, nil
}

// ExecutorID returns the ID this engine claims runs under.
func (e *Engine) ExecutorID() string { return e.id }

// notifyGrace bounds how long Close waits for notifications in flight.
const notifyGrace = 15 * time.Second

// Close cancels the runs this engine still executes (recording them
// canceled), waits for them and for notifications in flight (at most
// 15s), stops the engine's background work and unregisters its executor.
// Runs Serve left running when its ctx ended are not touched: they are
// adopted on the next start. Close is idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return e.closeErr
	}
	e.closed = true
	act := make([]*runExec, 0, len(e.active))
	for _, x := range e.active {
		act = append(act, x)
	}
	e.mu.Unlock()

	for _, x := range act {
		x.stop(errEngineClosed)
	}
	e.runs.Wait()

	done := make(chan struct{})
	go func() { e.notes.Wait(); close(done) }()
	t := time.NewTimer(notifyGrace)
	select {
	case <-done:
	case <-t.C:
		e.notesCancel()
		<-done
	}
	t.Stop()
	e.notesCancel()

	e.cancel()
	e.bg.Wait()

	var errs []error
	e.regMu.Lock()
	if e.registered {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := e.store.UnregisterExecutor(ctx, e.id); err != nil && !errors.Is(err, state.ErrNotFound) {
			errs = append(errs, fmt.Errorf("jobs: unregister executor %s: %w", e.id, err))
		}
		cancel()
		e.registered = false
	}
	e.regMu.Unlock()
	e.mu.Lock()
	e.closeErr = errors.Join(errs...)
	e.mu.Unlock()
	return e.closeErr
}

// ErrClosed is returned by an Engine's methods that execute or serve runs
// once Close was called.
var ErrClosed = errors.New("jobs: engine closed")

// ensureRegistered registers the engine as an executor (once) and starts
// its heartbeat and cancel poller, so that runs it claims are not taken
// for orphans.
func (e *Engine) ensureRegistered(ctx context.Context) error {
	e.regMu.Lock()
	defer e.regMu.Unlock()
	if e.registered {
		return nil
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return ErrClosed
	}
	now := e.now()
	err := e.store.RegisterExecutor(ctx, state.Executor{ID: e.id, Host: e.host, PID: os.Getpid(), StartedAt: now, HeartbeatAt: now})
	if err != nil {
		return fmt.Errorf("jobs: register executor %s: %w", e.id, err)
	}
	e.registered = true // Close unregisters it (it waits for regMu)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	e.bg.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.bg.Done()
		e.maintain()
	}()
	return nil
}

// maintain heartbeats and polls cancel requests of the runs this engine
// executes, until Close.
func (e *Engine) maintain() {
	hb := time.NewTicker(max(e.cfg.LeaseTimeout/3, time.Millisecond))
	defer hb.Stop()
	poll := time.NewTicker(e.cfg.PollInterval)
	defer poll.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-hb.C:
			if err := e.store.Heartbeat(e.ctx, e.id, e.now()); err != nil && e.ctx.Err() == nil {
				e.log.Warn("jobs: heartbeat", "executor", e.id, "err", err)
				if errors.Is(err, state.ErrNotFound) {
					// Unregistered behind our back (a reconciler took us
					// for dead): register again so new claims are ours.
					now := e.now()
					_ = e.store.RegisterExecutor(e.ctx, state.Executor{ID: e.id, Host: e.host, PID: os.Getpid(), StartedAt: now, HeartbeatAt: now})
				}
			}
		case <-poll.C:
			e.pollCancels(e.ctx)
		}
	}
}

// pollCancels stops the runs executing here whose cancellation was
// requested in the store (by another process).
func (e *Engine) pollCancels(ctx context.Context) {
	e.mu.Lock()
	ids := make([]int64, 0, len(e.active))
	for id := range e.active {
		ids = append(ids, id)
	}
	e.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	req, err := e.store.CancelRequested(ctx, ids)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("jobs: poll cancel requests", "err", err)
		}
		return
	}
	for _, id := range req {
		e.mu.Lock()
		x := e.active[id]
		e.mu.Unlock()
		if x != nil {
			x.stop(errCancelRequested)
		}
	}
}

// jobVersion returns a deployed job version parsed (cached: versions
// never change).
func (e *Engine) jobVersion(ctx context.Context, name string, version int64) (*spec.Job, error) {
	ref := jobRef{name, version}
	e.mu.Lock()
	j := e.cache[ref]
	e.mu.Unlock()
	if j != nil {
		return j, nil
	}
	sj, err := e.store.JobVersion(ctx, name, version)
	if err != nil {
		return nil, fmt.Errorf("load job %s version %d: %w", name, version, err)
	}
	j, err = parseDeployed(sj)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cache[ref] = j
	e.mu.Unlock()
	return j, nil
}

// currentJob returns a job's current deployed version, parsed.
func (e *Engine) currentJob(ctx context.Context, name string) (*state.Job, *spec.Job, error) {
	sj, err := e.store.GetJob(ctx, name)
	if errors.Is(err, state.ErrNotFound) {
		return nil, nil, fmt.Errorf("job %q is not deployed; deploy it with 'sluice jobs deploy FILE': %w", name, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load job %s: %w", name, err)
	}
	j, err := e.jobVersion(ctx, name, sj.Version)
	if err != nil {
		return nil, nil, err
	}
	return sj, j, nil
}

// wakeServe tells Serve's loop to look for queued runs now.
func (e *Engine) wakeServe() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// addActive registers a run executing here; false when it already is or
// the engine is closed.
func (e *Engine) addActive(x *runExec) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if e.active[x.id] != nil {
		return fmt.Errorf("run %d is already executing in this engine", x.id)
	}
	e.active[x.id] = x
	e.runs.Add(1)
	return nil
}

func (e *Engine) removeActive(x *runExec) {
	e.mu.Lock()
	if e.active[x.id] == x {
		delete(e.active, x.id)
	}
	e.mu.Unlock()
	e.runs.Done()
}

// activeRun returns the run executing here with id, or nil.
func (e *Engine) activeRun(id int64) *runExec {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.active[id]
}
