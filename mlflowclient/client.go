package mlflowclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// TokenEnv is the environment variable the CLI reads the bearer token
// from; pass its value with WithToken.
const TokenEnv = "SLUICE_TOKEN"

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// maxResponseBody bounds a JSON response.
const maxResponseBody = 256 << 20

// Client calls one MLflow tracking server. It is safe for concurrent use.
type Client struct {
	base  string // scheme://host[:port][/prefix], no trailing slash
	hc    *http.Client
	token string
	agent string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through hc (default
// http.DefaultClient). Use it for timeouts, TLS settings, or a transport
// that calls an in-process handler instead of the network.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithToken sends "Authorization: Bearer token" on every request (default:
// no Authorization header). An empty token sends none.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithUserAgent sets the User-Agent header (default "sluice-mlflowclient").
func WithUserAgent(ua string) Option { return func(c *Client) { c.agent = ua } }

// New returns a client of the tracking server at baseURL — the server's
// root, as MLflow's MLFLOW_TRACKING_URI gives it (http://127.0.0.1:5000);
// the client appends /api/2.0/mlflow/… itself. baseURL must be an
// absolute http or https URL without query or fragment; anything else is
// an INVALID_PARAMETER_VALUE error.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, apierr.Invalid("tracking URI %q: want an http:// or https:// URL of the server's root, e.g. http://127.0.0.1:8080", baseURL)
	}
	c := &Client{base: strings.TrimRight(u.String(), "/"), hc: http.DefaultClient, agent: "sluice-mlflowclient"}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the server root the client calls.
func (c *Client) BaseURL() string { return c.base }

// Call sends req to MLflow endpoint (relative to /api/2.0/mlflow/, e.g.
// "runs/log-batch") and decodes the JSON response into resp (which may be
// nil). For GET, req's fields become the query string (by their json
// names; lists repeat the key); otherwise req is the JSON body. An error
// response from the server becomes an *apierr.Error with the server's
// error_code and message; transport failures are wrapped errors. ctx
// bounds the whole exchange.
func (c *Client) Call(ctx context.Context, method, endpoint string, req, resp any) error {
	u := c.base + "/api/2.0/mlflow/" + strings.TrimLeft(endpoint, "/")
	var body io.Reader
	if method == http.MethodGet {
		q, err := Query(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, endpoint, err)
		}
		if q != "" {
			u += "?" + q
		}
	} else {
		if req == nil {
			req = struct{}{}
		}
		b, err := json.Marshal(req)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, endpoint, err)
		}
		body = bytes.NewReader(b)
	}
	hr, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, endpoint, err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("Accept", "application/json")
	r, err := c.do(hr)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	if resp == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxResponseBody))
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBody))
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, endpoint, err)
	}
	if err := json.Unmarshal(b, resp); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, endpoint, err)
	}
	return nil
}

// do sends hr with the client's headers and turns a non-2xx answer into
// an error (closing its body). On success the caller closes the body.
func (c *Client) do(hr *http.Request) (*http.Response, error) {
	if c.token != "" {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.agent != "" {
		hr.Header.Set("User-Agent", c.agent)
	}
	r, err := c.hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", hr.Method, hr.URL.Redacted(), err)
	}
	if r.StatusCode/100 != 2 {
		defer r.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBody))
		return nil, responseError(hr, r.StatusCode, b)
	}
	return r, nil
}

// responseError builds the error for a non-2xx response: MLflow's error
// body {"error_code", "message"} becomes an *apierr.Error with that code
// and message; any other body an *apierr.Error whose code follows the
// status.
func responseError(hr *http.Request, status int, body []byte) error {
	var eb struct {
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
	}
	if json.Unmarshal(body, &eb) == nil && eb.ErrorCode != "" {
		return &apierr.Error{Code: apierr.Code(eb.ErrorCode), Message: eb.Message}
	}
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	msg := fmt.Sprintf("%s %s: HTTP %d", hr.Method, hr.URL.Path, status)
	if text != "" {
		msg += ": " + text
	}
	return &apierr.Error{Code: statusCode(status), Message: msg}
}

// statusCode maps an HTTP status without an MLflow error body to a code.
func statusCode(status int) apierr.Code {
	switch status {
	case http.StatusBadRequest:
		return apierr.BadRequest
	case http.StatusUnauthorized:
		return apierr.Unauthenticated
	case http.StatusForbidden:
		return apierr.PermissionDenied
	case http.StatusNotFound:
		return apierr.EndpointNotFound
	case http.StatusNotImplemented:
		return apierr.NotImplemented
	case http.StatusTooManyRequests:
		return apierr.RequestLimitExceeded
	case http.StatusUnsupportedMediaType:
		return apierr.UnsupportedMediaType
	}
	return apierr.InternalError
}

// Query encodes a request message as a query string: each field by its
// json name (zero fields omitted as their omitempty tags say), lists as
// repeated keys, numbers and booleans in their JSON spelling, nested
// objects as JSON text. Keys are sorted. A nil req gives "".
func Query(req any) (string, error) {
	if req == nil {
		return "", nil
	}
	b, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("encode request: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return "", errors.New("encode request: a GET request message must be a JSON object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	q := url.Values{}
	for _, k := range keys {
		raw := m[k]
		var list []json.RawMessage
		if len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, &list) == nil {
			for _, x := range list {
				q.Add(k, scalarText(x))
			}
			continue
		}
		if string(raw) == "null" {
			continue
		}
		q.Add(k, scalarText(raw))
	}
	return q.Encode(), nil
}

// scalarText is a JSON value's query-string form: strings unquoted,
// everything else as its JSON text.
func scalarText(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// call sends req and decodes a Resp.
func call[Resp any](ctx context.Context, c *Client, method, endpoint string, req any) (*Resp, error) {
	resp := new(Resp)
	if err := c.Call(ctx, method, endpoint, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}
