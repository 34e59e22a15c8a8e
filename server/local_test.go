package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestLocalClient(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Name", r.PathValue("name"))
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, r.URL.Query().Get("q")+":"+string(b))
	})
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	hc := LocalClient(mux)

	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantBody, wantHeader     string
	}{
		{"echo", "POST", "/echo/abc?q=1", "hello", http.StatusCreated, "1:hello", "abc"},
		{"no body written", "GET", "/empty", "", http.StatusOK, "", ""},
		{"not found", "GET", "/nope", "", http.StatusNotFound, "404 page not found\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, LocalURL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || string(b) != tt.wantBody || resp.Header.Get("X-Name") != tt.wantHeader {
				t.Errorf("got %d %q X-Name=%q, want %d %q %q", resp.StatusCode, b, resp.Header.Get("X-Name"), tt.wantStatus, tt.wantBody, tt.wantHeader)
			}
		})
	}

	t.Run("panic", func(t *testing.T) {
		resp, err := hc.Get(LocalURL + "/panic")
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || err == nil || !strings.Contains(err.Error(), "boom") {
			t.Errorf("got status %d, read error %v; want 500 and an error naming the panic", resp.StatusCode, err)
		}
	})
}

// TestLocalClientStreams checks that the response arrives while the handler
// is still writing, and that closing the body early stops the handler.
func TestLocalClientStreams(t *testing.T) {
	first := make(chan struct{})
	handlerErr := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first")
		<-first
		var err error
		for err == nil {
			_, err = io.WriteString(w, "more")
		}
		handlerErr <- err
	})
	resp, err := LocalClient(h).Get(LocalURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
		t.Fatalf("got %q, %v; want first", buf, err)
	}
	close(first)
	resp.Body.Close() // waits for the handler
	select {
	case err := <-handlerErr:
		if err == nil {
			t.Error("handler's write after Close succeeded")
		}
	default:
		t.Error("Close returned before the handler")
	}
}

func TestLocalClientContext(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", LocalURL+"/", nil)
	go func() {
		<-started
		cancel()
	}()
	_, err := LocalClient(h).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
