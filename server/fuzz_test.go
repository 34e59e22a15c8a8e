package server

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzAuthorized checks that only "Bearer <token>" (scheme in any case,
// surrounding spaces ignored) passes the token check, and that no header
// panics it.
func FuzzAuthorized(f *testing.F) {
	for _, seed := range []string{"", "Bearer t0k", "bearer t0k", "Bearer  t0k ", "Bearer t0", "Basic dDBr", "Bearer", "Bearer t0k extra", "\x00"} {
		f.Add(seed)
	}
	s := &Server{cfg: Config{Token: "t0k"}}
	s.token = tokenHash("t0k")
	f.Fuzz(func(t *testing.T, h string) {
		if len(h) > 4096 {
			return
		}
		r := &http.Request{Header: http.Header{"Authorization": {h}}}
		got := s.authorized(r)
		scheme, tok, ok := strings.Cut(h, " ")
		want := ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) == "t0k"
		if got != want {
			t.Errorf("authorized(%q) = %v, want %v", h, got, want)
		}
	})
}

// FuzzConfigValidate checks that Validate never panics and accepts what
// DefaultConfig gives with any valid host:port.
func FuzzConfigValidate(f *testing.F) {
	f.Add("127.0.0.1:8080", "", "")
	f.Add("nonsense", "mysql://x", "a b")
	f.Add(":0", "postgres://u:p@h/db", "tok")
	f.Fuzz(func(t *testing.T, addr, db, token string) {
		c := DefaultConfig()
		c.Addr, c.DB, c.Token = addr, db, token
		_ = c.Validate()
	})
}
