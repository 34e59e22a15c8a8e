package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// NewHTTPClient returns a client keeping up to conns idle keep-alive
// connections to one host.
func NewHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     0,
			DisableCompression:  true,
			IdleConnTimeout:     90 * time.Second,
		},
	}
}

// Send posts body (JSON) to url, or GETs url when body is nil, with the
// given headers, and returns the response body; a status other than 200
// is an error wrapping ErrStatus.
func Send(ctx context.Context, c *http.Client, url string, body []byte, header http.Header) ([]byte, error) {
	method := http.MethodGet
	var r io.Reader
	if body != nil {
		method, r = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		if len(out) > 300 {
			out = out[:300]
		}
		return nil, fmt.Errorf("%s %s: %w %d: %s", method, url, ErrStatus, resp.StatusCode, bytes.TrimSpace(out))
	}
	return out, nil
}

// Result is what a driver measured.
type Result struct {
	Summary
	// Service summarizes OpenLoop's latencies measured from when each
	// request was actually sent rather than when it was due (zero for the
	// other drivers, where the two are the same).
	Service  Summary
	Elapsed  time.Duration // the measured window
	RPS      float64       // successful requests per second in the window
	Errors   int
	FirstErr error
}

type recorder struct {
	mu       sync.Mutex
	lat      []time.Duration
	service  []time.Duration
	errors   int
	firstErr error
}

func (r *recorder) merge(lat []time.Duration, errs int, first error, service ...time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, lat...)
	r.service = append(r.service, service...)
	r.errors += errs
	if r.firstErr == nil {
		r.firstErr = first
	}
}

func (r *recorder) result(elapsed time.Duration) Result {
	s := Summarize(r.lat)
	return Result{Summary: s, Service: Summarize(r.service), Elapsed: elapsed, RPS: float64(s.N) / elapsed.Seconds(), Errors: r.errors, FirstErr: r.firstErr}
}

// ClosedLoop runs clients goroutines, each calling do back to back, for
// warmup (not measured) and then dur (measured). It returns when every
// client has stopped; ctx cancels early.
func ClosedLoop(ctx context.Context, clients int, warmup, dur time.Duration, do func(ctx context.Context, client int) error) Result {
	var rec recorder
	var wg sync.WaitGroup
	start := time.Now()
	measureFrom := start.Add(warmup)
	end := measureFrom.Add(dur)
	for c := range clients {
		wg.Go(func() {
			var lat []time.Duration
			var errs int
			var first error
			for ctx.Err() == nil {
				t := time.Now()
				if !t.Before(end) {
					break
				}
				err := do(ctx, c)
				d := time.Since(t)
				if t.Before(measureFrom) {
					continue
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, d)
			}
			rec.merge(lat, errs, first)
		})
	}
	wg.Wait()
	return rec.result(dur)
}

// Sequential calls do n times after warm calls that are not measured.
func Sequential(ctx context.Context, warm, n int, do func(ctx context.Context) error) Result {
	var rec recorder
	for range warm {
		_ = do(ctx)
	}
	lat := make([]time.Duration, 0, n)
	var errs int
	var first error
	start := time.Now()
	for range n {
		if ctx.Err() != nil {
			break
		}
		t := time.Now()
		if err := do(ctx); err != nil {
			errs++
			if first == nil {
				first = err
			}
			continue
		}
		lat = append(lat, time.Since(t))
	}
	rec.merge(lat, errs, first)
	return rec.result(time.Since(start))
}

// OpenLoop sends requests at a fixed rate (requests per second) for dur,
// the way wrk2 does: request i is due at start + i/rate, and its latency
// is measured from when it was due, so a server that falls behind is
// charged for the queueing it causes (no coordinated omission). workers
// bounds the requests in flight; do gets the worker's index (0 ≤ worker <
// workers), so each worker can own a connection. The first warmup of the
// run is sent but not measured. Result.Service has the latencies from
// when each request was sent.
func OpenLoop(ctx context.Context, rate float64, workers int, warmup, dur time.Duration, do func(ctx context.Context, worker int) error) Result {
	var rec recorder
	due := make(chan time.Time, workers*4)
	var wg sync.WaitGroup
	start := time.Now()
	measureFrom := start.Add(warmup)
	for w := range workers {
		wg.Go(func() {
			var lat, service []time.Duration
			var errs int
			var first error
			for t := range due {
				if d := time.Until(t); d > 0 {
					time.Sleep(d) // pacing to the schedule, not synchronization
				}
				sent := time.Now()
				err := do(ctx, w)
				end := time.Now()
				if t.Before(measureFrom) {
					continue
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, end.Sub(t))
				service = append(service, end.Sub(sent))
			}
			rec.merge(lat, errs, first, service...)
		})
	}
	total := int((warmup + dur).Seconds() * rate)
	interval := time.Duration(float64(time.Second) / rate)
	for i := range total {
		if ctx.Err() != nil {
			break
		}
		due <- start.Add(time.Duration(i) * interval)
	}
	close(due)
	wg.Wait()
	return rec.result(max(dur, time.Since(measureFrom)))
}
