package cron

import (
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that what it accepts prints
// as an expression that parses to the same schedule, and that Next moves
// strictly forward in several zones.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"* * * * *", "30 2 * * *", "*/15 9-17 * * MON-FRI", "0 0 1,15 * MON", "0 0 29 2 *", "0 0 30 2 *",
		"5/20 3/7 10/10 2/5 1/2", "0-30/10 */6 1,15 jan,Jul ?", "@daily", "@reboot", "@every 1h", "0 0 * * 7",
		"61 * * * *", "0 0 * * FRI-MON", "0 0 L * *", "0 0 * * 5#3", "1,,2 * * * *", "*/0 * * * *", "",
		"0 0 0 * * * *", "é * * * *", "\xff", "0 0 31 APR,JUN *", "0 0 13 * */5",
	} {
		f.Add(seed, int64(1741500000), uint8(0))
	}
	zones := []string{"UTC", "America/New_York", "Europe/Paris", "Australia/Lord_Howe", "America/Santiago", "America/Havana"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = mustLoad(f, z)
	}
	f.Fuzz(func(t *testing.T, expr string, sec int64, zone uint8) {
		if len(expr) > 256 {
			return
		}
		e, err := Parse(expr)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok || se.Col < 1 || se.Msg == "" {
				t.Fatalf("Parse(%q): error %#v, want a *SyntaxError with a column and message", expr, err)
			}
			return
		}
		again, err := Parse(e.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", expr, e.String(), err)
		}
		if !sameSchedule(e, again) || again.String() != e.String() {
			t.Fatalf("Parse(%q) = %+v, but Parse(String()) = %+v", expr, *e, *again)
		}
		loc := locs[int(zone)%len(locs)]
		after := time.Unix(sec%100_000_000_000, 0) // within ±3000 years of 1970
		for range 3 {
			next := e.Next(after, loc)
			if next.IsZero() {
				t.Fatalf("Parse(%q).Next(%s) = zero; every accepted expression fires within 400 years", expr, after)
			}
			if !next.After(after) {
				t.Fatalf("Parse(%q).Next(%s) = %s, not after", expr, after, next)
			}
			after = next
		}
	})
}
