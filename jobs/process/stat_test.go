//go:build linux

package process

import (
	"os"
	"testing"
)

func TestParseStat(t *testing.T) {
	t.Parallel()
	// Fields after the command name: state ppid pgrp session tty tpgid
	// flags minflt cminflt majflt cmajflt utime stime cutime cstime
	// priority nice threads itrealvalue starttime …
	rest := " S 1 4242 4242 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234 56"
	for _, tc := range []struct {
		name string
		data string
		want stat
	}{
		{"plain", "4242 (sleep)" + rest, stat{'S', 4242, 987654}},
		{"spaces and parens", "4242 (a) b (c) d)" + rest, stat{'S', 4242, 987654}},
		{"empty name", "4242 ()" + rest, stat{'S', 4242, 987654}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "4242 sleep S 1", "4242 (x) S 1 2", "4242 (x) S 1 x" + rest[7:], "4242 (x) SS" + rest[2:]} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q): got no error", bad)
		}
	}
}

func TestReadStatSelf(t *testing.T) {
	t.Parallel()
	st, err := readStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.startTicks == 0 || st.state == 'Z' {
		t.Errorf("got %+v for this process", st)
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("4242 (a) b)) S 1 4242 4242 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234 56"))
	f.Add([]byte("1 (x)"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		_, _ = parseStat(data)
	})
}
