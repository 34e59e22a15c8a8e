package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/jobs/spec"
)

// Defaults and caps of a Sender.
const (
	DefaultRetries = 3
	DefaultBackoff = time.Second
	// MaxBackoff caps the exponential backoff between attempts.
	MaxBackoff = 30 * time.Second
	// MaxRetryAfter caps how long a 429 response's Retry-After makes the
	// sender wait.
	MaxRetryAfter = time.Minute
	// DefaultTimeout bounds each request when the Sender has no Client.
	DefaultTimeout = 10 * time.Second

	bodyInError = 200 // bytes of a response body quoted in errors
)

// Sender delivers notifications. The zero Sender is ready to use; set
// fields before the first Send and do not change them after. A Sender is
// safe for concurrent use.
type Sender struct {
	// Client sends the requests. nil: a client with a 10-second timeout
	// per request.
	Client *http.Client
	// Logger receives a line for each failed attempt that will be
	// retried. nil: no logging.
	Logger *slog.Logger
	// Retries is how many times a failed delivery is retried: after a
	// network error, a 5xx or a 429 response. 0 means DefaultRetries (3);
	// negative means none.
	Retries int
	// Backoff is the wait before the first retry; it doubles for each
	// further one, up to MaxBackoff (or Backoff if larger). A 429's Retry-After (seconds or an
	// HTTP date, up to MaxRetryAfter) replaces it when longer. 0 means
	// DefaultBackoff (1s).
	Backoff time.Duration
	// Concurrency bounds the deliveries SendAll makes at once. 0 means
	// GOMAXPROCS.
	Concurrency int
}

// Send delivers ev to d: for a webhook, a POST of ev as JSON (see the
// package documentation); for Slack, a POST of SlackBody(ev). Both carry
// Content-Type: application/json, User-Agent: sluice, X-Sluice-Event and
// d.Headers (which override the others). A 2xx response means delivered. Network errors, 5xx and
// 429 responses are retried as Retries and Backoff say; other responses
// are not. ctx bounds everything, waits between attempts included.
//
// A failed delivery returns a *DeliveryError naming the destination (its
// URL without query, fragment or credentials), the last HTTP status and
// the start of the response body; a destination that is not exactly one
// valid http(s) URL returns an error before any request.
func (s *Sender) Send(ctx context.Context, d spec.Destination, ev Event) error {
	kind, raw := "webhook", d.Webhook
	switch {
	case d.Webhook != "" && d.Slack != "":
		return errors.New("notify: destination has both webhook and slack; give one per destination")
	case d.Slack != "":
		kind, raw = "slack", d.Slack
	case d.Webhook == "":
		return errors.New("notify: destination has neither webhook nor slack; give the URL to post to")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL, secrets included
		}
		return fmt.Errorf("notify %s %s: bad URL: %w", kind, redact(kind, raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("notify %s %s: want an http:// or https:// URL", kind, redact(kind, raw))
	}
	var body []byte
	if kind == "slack" {
		body, err = SlackBody(ev)
	} else {
		body, err = json.Marshal(ev)
	}
	if err != nil {
		return fmt.Errorf("notify %s %s: %w", kind, redact(kind, raw), err)
	}
	header := http.Header{}
	header.Set("Content-Type", "application/json")
	header.Set("User-Agent", "sluice")
	header.Set("X-Sluice-Event", ev.Event)
	for k, v := range d.Headers {
		if err := checkHeader(k, v); err != nil {
			return fmt.Errorf("notify %s %s: %w", kind, redact(kind, raw), err)
		}
		header.Set(k, v)
	}
	return s.deliver(ctx, &DeliveryError{Kind: kind, URL: redact(kind, raw)}, u, header, body)
}

// SendAll sends ev to every destination, at most Concurrency at once, and
// returns the errors of those that failed joined (errors.Join), or nil.
// One failure does not stop the others; ctx bounds them all.
func (s *Sender) SendAll(ctx context.Context, ds []spec.Destination, ev Event) error {
	n := s.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(ds))
	var g errgroup.Group
	g.SetLimit(n)
	for i, d := range ds {
		g.Go(func() error {
			errs[i] = s.Send(ctx, d, ev)
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through errs
	return errors.Join(errs...)
}

// DeliveryError is a notification that was not delivered.
type DeliveryError struct {
	// Kind is "webhook" or "slack".
	Kind string
	// URL is the destination's URL with only its scheme, host and path
	// (of a Slack URL, only the path's first segment: the rest is its
	// secret).
	URL string
	// Attempts is how many requests were made.
	Attempts int
	// StatusCode is the last response's HTTP status; 0 if none came.
	StatusCode int
	// Body is the start (up to 200 bytes) of the last response's body.
	Body string
	// Err is the last network error, or the context's error if ctx ended
	// the delivery; nil if the last attempt got a response.
	Err error
}

func (e *DeliveryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify %s %s: ", e.Kind, e.URL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Body != "" {
			fmt.Fprintf(&b, ": %q", e.Body)
		}
		if e.Err != nil {
			b.WriteString("; then ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	switch {
	case e.Attempts == 1 && e.StatusCode >= 400 && e.StatusCode < 500 && e.StatusCode != http.StatusTooManyRequests && e.Err == nil:
		b.WriteString(" (not retried: the receiver refused the request; check the URL and headers)")
	case e.Attempts > 1:
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// deliver posts body until it is accepted, refused, or out of attempts.
// failure carries the destination's name and collects what went wrong.
func (s *Sender) deliver(ctx context.Context, failure *DeliveryError, u *url.URL, header http.Header, body []byte) error {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	retries := s.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	backoff := s.Backoff
	if backoff <= 0 {
		backoff = DefaultBackoff
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			failure.Err = err
			return failure
		}
		failure.Attempts = attempt
		retryAfter, retry := s.post(ctx, client, failure, u, header, body)
		if !retry && failure.Err == nil && failure.StatusCode/100 == 2 {
			return nil
		}
		if !retry || attempt > retries {
			return failure
		}
		if ctx.Err() != nil { // the request failed because ctx ended
			failure.Err = ctx.Err()
			return failure
		}
		wait, ceiling := backoff, max(backoff, MaxBackoff)
		for i := 1; i < attempt && wait < ceiling; i++ {
			wait *= 2
		}
		wait = max(min(wait, ceiling), retryAfter)
		if s.Logger != nil {
			s.Logger.Info("notify: delivery failed; retrying", "kind", failure.Kind, "url", failure.URL,
				"attempt", attempt, "status", failure.StatusCode, "err", failure.Err, "wait", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			failure.Err = ctx.Err()
			return failure
		case <-t.C:
		}
	}
}

// post makes one request, recording its outcome in failure. It reports
// whether the outcome may be retried, and how long the receiver asked to
// wait first.
func (s *Sender) post(ctx context.Context, client *http.Client, failure *DeliveryError, u *url.URL, header http.Header, body []byte) (retryAfter time.Duration, retry bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		failure.Err = unwrapURL(err)
		return 0, false
	}
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		failure.Err = unwrapURL(err)
		return 0, true
	}
	defer resp.Body.Close()
	head := make([]byte, bodyInError)
	n, _ := io.ReadFull(resp.Body, head)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	failure.StatusCode, failure.Err = resp.StatusCode, nil
	failure.Body = strings.ToValidUTF8(string(head[:n]), "\uFFFD")
	switch {
	case resp.StatusCode/100 == 2:
		return 0, false
	case resp.StatusCode == http.StatusTooManyRequests:
		return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), true
	case resp.StatusCode >= 500:
		return 0, true
	}
	return 0, false
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
// The result is at most MaxRetryAfter; 0 if the header is absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// unwrapURL drops the *url.Error wrapper net/http puts around request
// errors: its message repeats the whole URL, secrets included.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact returns raw with only its scheme, host and path: no user
// information, query or fragment. For Slack-style URLs the path is the
// secret (hooks.slack.com/services/T…/B…/TOKEN), so only its first
// segment is kept.
func redact(kind, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	path := u.EscapedPath()
	if kind == "slack" {
		if seg, _, found := strings.Cut(strings.TrimPrefix(path, "/"), "/"); found || seg != "" {
			path = "/" + seg + "/…"
		}
	}
	return u.Scheme + "://" + u.Host + path
}

// checkHeader refuses a header that net/http would refuse to send, so it
// is reported before any request instead of retried as a network error.
func checkHeader(k, v string) error {
	if k == "" {
		return errors.New("empty header name")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return fmt.Errorf("header name %q: character %q is not allowed", k, c)
		}
	}
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("header %s: the value contains a line break or NUL", k)
	}
	return nil
}
