package loadtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RawConn is one keep-alive HTTP/1.1 connection that sends a fixed,
// pre-serialized POST and reads the answer with a minimal parser. It costs
// the load generator far less CPU per request than net/http, which
// matters when generator and server share two cores. Not safe for
// concurrent use: give each worker its own.
type RawConn struct {
	addr string
	req  []byte
	conn net.Conn
	r    *bufio.Reader
}

// NewRawConn prepares POSTs of body (Content-Type contentType) to rawURL
// (http only); it connects on first Do.
func NewRawConn(rawURL, contentType string, body []byte) (*RawConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("raw client: %s: only http:// URLs", rawURL)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", u.RequestURI(), u.Host, contentType, len(body))
	b.Write(body)
	return &RawConn{addr: u.Host, req: b.Bytes()}, nil
}

// Close closes the connection.
func (c *RawConn) Close() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn, c.r = nil, nil
	return err
}

// Do sends the request and reads the whole response; a status other than
// 200 is an error wrapping ErrStatus. A broken connection is closed, and
// the next Do reconnects.
func (c *RawConn) Do() error {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 16<<10)
	}
	if _, err := c.conn.Write(c.req); err != nil {
		c.Close()
		return err
	}
	status, keep, err := c.readResponse()
	if err != nil {
		c.Close()
		return err
	}
	if !keep {
		c.Close()
	}
	if status != 200 {
		return fmt.Errorf("POST %s: %w %d", c.addr, ErrStatus, status)
	}
	return nil
}

func (c *RawConn) readResponse() (status int, keepAlive bool, err error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK"
	f := bytes.Fields(line)
	if len(f) < 2 || !bytes.HasPrefix(f[0], []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("raw client: bad status line %q", line)
	}
	status, err = strconv.Atoi(string(f[1]))
	if err != nil {
		return 0, false, fmt.Errorf("raw client: bad status line %q", line)
	}
	keepAlive = bytes.HasPrefix(f[0], []byte("HTTP/1.1"))
	length, chunked := -1, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		k, v, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch strings.ToLower(string(k)) {
		case "content-length":
			if length, err = strconv.Atoi(string(v)); err != nil {
				return 0, false, fmt.Errorf("raw client: bad Content-Length %q", v)
			}
		case "transfer-encoding":
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case "connection":
			keepAlive = !bytes.EqualFold(v, []byte("close"))
		}
	}
	switch {
	case chunked:
		for {
			line, err := c.r.ReadSlice('\n')
			if err != nil {
				return 0, false, err
			}
			sz, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(sz), 16, 64)
			if err != nil {
				return 0, false, fmt.Errorf("raw client: bad chunk size %q", line)
			}
			if _, err := c.r.Discard(int(n) + 2); err != nil { // data and CRLF
				return 0, false, err
			}
			if n == 0 {
				return status, keepAlive, nil // no trailers expected
			}
		}
	case length >= 0:
		_, err = c.r.Discard(length)
		return status, keepAlive, err
	default: // body until close
		_, err = io.Copy(io.Discard, c.r)
		return status, false, err
	}
}
