package cron

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, even where the system has no zoneinfo
)

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// mustTime parses an RFC 3339 time (the offset says which instant).
func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatalf("time.Parse(%q): %v", s, err)
	}
	return t
}

func TestNextUTC(t *testing.T) {
	tests := []struct {
		expr, after, want string
	}{
		{"* * * * *", "2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z"},
		{"* * * * *", "2025-01-01T00:00:59.999Z", "2025-01-01T00:01:00Z"},
		{"* * * * *", "2024-12-31T23:59:00Z", "2025-01-01T00:00:00Z"},
		{"30 2 * * *", "2025-01-01T02:30:00Z", "2025-01-02T02:30:00Z"}, // strictly after
		{"30 2 * * *", "2025-01-01T02:29:59Z", "2025-01-01T02:30:00Z"},
		{"*/15 * * * *", "2025-01-01T10:16:00Z", "2025-01-01T10:30:00Z"},
		{"*/15 * * * *", "2025-01-01T23:50:00Z", "2025-01-02T00:00:00Z"},
		{"5/20 * * * *", "2025-01-01T10:46:00Z", "2025-01-01T11:05:00Z"},
		{"0 9-17/4 * * *", "2025-01-01T13:00:00Z", "2025-01-01T17:00:00Z"},
		{"0 9-17/4 * * *", "2025-01-01T17:00:00Z", "2025-01-02T09:00:00Z"},
		{"0 0 * * MON-FRI", "2025-01-03T12:00:00Z", "2025-01-06T00:00:00Z"}, // Friday → Monday
		{"0 0 * * 7", "2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z"},       // 7 is Sunday
		{"0 0 * * sun", "2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z"},
		{"0 12 * JUN *", "2025-07-01T00:00:00Z", "2026-06-01T12:00:00Z"},
		{"0 0 31 * *", "2025-04-01T00:00:00Z", "2025-05-31T00:00:00Z"}, // April has no 31st
		{"0 0 30 * *", "2025-01-30T00:00:00Z", "2025-03-30T00:00:00Z"}, // nor February a 30th
		{"0 0 29 2 *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"}, // leap years only
		{"0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"}, // 2100 is not a leap year
		{"0 0 29 2 *", "1999-03-01T00:00:00Z", "2000-02-29T00:00:00Z"}, // 2000 is
		{"0 0 28-29 2 *", "2025-02-28T00:00:00Z", "2026-02-28T00:00:00Z"},
		{"0 0 L2 * *"[:0] + "0 0 1 * *", "2025-12-15T00:00:00Z", "2026-01-01T00:00:00Z"},
		// The Vixie rule: both day fields restricted → either matches.
		{"0 0 13 * FRI", "2025-01-01T00:00:00Z", "2025-01-03T00:00:00Z"}, // a Friday
		{"0 0 13 * FRI", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z"}, // the 13th, a Monday
		{"0 0 1,15 * MON", "2025-01-02T00:00:00Z", "2025-01-06T00:00:00Z"},
		{"0 0 30 2 MON", "2025-02-04T00:00:00Z", "2025-02-10T00:00:00Z"}, // Feb 30 never, Mondays do
		// One day field starts with * → both must match.
		{"0 0 */2 * MON", "2025-01-01T00:00:00Z", "2025-01-13T00:00:00Z"}, // odd day and Monday: the 13th
		{"0 0 13 * */5", "2025-01-01T00:00:00Z", "2025-04-13T00:00:00Z"},  // a 13th on a Sunday or Friday
		{"0 0 13 * ?", "2025-01-14T00:00:00Z", "2025-02-13T00:00:00Z"},
		{"0 0 29 2 */6", "2024-03-01T00:00:00Z", "2032-02-29T00:00:00Z"}, // 29 Feb on Sat/Sun: 2032 is a Sunday
		{"0 0 29 2 */6", "2088-03-01T00:00:00Z", "2116-02-29T00:00:00Z"},
		{"0 0 29 2 0", "2088-03-01T00:00:00Z", "2089-02-06T00:00:00Z"}, // Vixie: any Sunday in February
		{"@yearly", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"},
		{"@monthly", "2025-01-31T23:59:00Z", "2025-02-01T00:00:00Z"},
		{"@weekly", "2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"},
		{"@daily", "2025-01-05T00:00:00Z", "2025-01-06T00:00:00Z"},
		{"@hourly", "2025-01-05T00:59:00Z", "2025-01-05T01:00:00Z"},
		{"59 23 31 12 *", "2025-12-31T23:59:00Z", "2026-12-31T23:59:00Z"},
		{"0 0 1 1 *", "0001-01-01T00:00:00Z", "0002-01-01T00:00:00Z"},
		{"0 0 1 1 *", "9999-06-01T00:00:00Z", "10000-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.expr+"/"+tt.after, func(t *testing.T) {
			e := MustParse(t, tt.expr)
			after := mustTime(t, tt.after)
			var want time.Time
			if strings.HasPrefix(tt.want, "10000") {
				want = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			} else {
				want = mustTime(t, tt.want)
			}
			got := e.Next(after, time.UTC)
			if !got.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", tt.after, got, want)
			}
			if got.Location() != time.UTC {
				t.Errorf("location %v, want UTC", got.Location())
			}
		})
	}
}

func TestNextDST(t *testing.T) {
	tests := []struct {
		name, zone, expr, from string
		want                   []string // the first ticks at or after from
	}{
		// America/New_York: 2025-03-09 02:00 EST → 03:00 EDT; 2025-11-02 02:00 EDT → 01:00 EST.
		{"NY spring daily in the gap", "America/New_York", "30 2 * * *", "2025-03-08T00:00:00-05:00",
			[]string{"2025-03-08T02:30:00-05:00", "2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00"}},
		{"NY spring gap fires once", "America/New_York", "0,15,30,45 2 * * *", "2025-03-09T00:00:00-05:00",
			[]string{"2025-03-09T03:00:00-04:00", "2025-03-10T02:00:00-04:00"}},
		{"NY spring gap and 3:00 fire once", "America/New_York", "0,30 2-3 * * *", "2025-03-09T00:00:00-05:00",
			[]string{"2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00", "2025-03-10T02:00:00-04:00"}},
		{"NY spring daily outside the gap", "America/New_York", "30 1 * * *", "2025-03-09T00:00:00-05:00",
			[]string{"2025-03-09T01:30:00-05:00", "2025-03-10T01:30:00-04:00"}},
		{"NY spring hourly skips the hour", "America/New_York", "0 * * * *", "2025-03-09T00:30:00-05:00",
			[]string{"2025-03-09T01:00:00-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T04:00:00-04:00"}},
		{"NY spring every 20 minutes", "America/New_York", "*/20 * * * *", "2025-03-09T01:30:00-05:00",
			[]string{"2025-03-09T01:40:00-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:20:00-04:00"}},
		{"NY fall daily in the overlap fires at the first", "America/New_York", "30 1 * * *", "2025-11-01T00:00:00-04:00",
			[]string{"2025-11-01T01:30:00-04:00", "2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"}},
		{"NY fall every 15 minutes of hour 1 once", "America/New_York", "*/15 1 * * *", "2025-11-02T00:00:00-04:00",
			[]string{"2025-11-02T01:00:00-04:00", "2025-11-02T01:15:00-04:00", "2025-11-02T01:30:00-04:00", "2025-11-02T01:45:00-04:00", "2025-11-03T01:00:00-05:00"}},
		{"NY fall after the first occurrence", "America/New_York", "30 1 * * *", "2025-11-02T01:31:00-04:00",
			[]string{"2025-11-03T01:30:00-05:00"}},
		{"NY fall from the second occurrence", "America/New_York", "45 1 * * *", "2025-11-02T01:10:00-05:00",
			[]string{"2025-11-03T01:45:00-05:00"}},
		{"NY fall daily at 2", "America/New_York", "0 2 * * *", "2025-11-02T00:00:00-04:00",
			[]string{"2025-11-02T02:00:00-05:00", "2025-11-03T02:00:00-05:00"}},
		{"NY fall hourly fires both 1:00s", "America/New_York", "0 * * * *", "2025-11-02T00:00:00-04:00",
			[]string{"2025-11-02T00:00:00-04:00", "2025-11-02T01:00:00-04:00", "2025-11-02T01:00:00-05:00", "2025-11-02T02:00:00-05:00"}},
		{"NY fall every 30 minutes", "America/New_York", "*/30 * * * *", "2025-11-02T01:00:00-04:00",
			[]string{"2025-11-02T01:00:00-04:00", "2025-11-02T01:30:00-04:00", "2025-11-02T01:00:00-05:00", "2025-11-02T01:30:00-05:00", "2025-11-02T02:00:00-05:00"}},
		{"NY fall hourly from inside the second hour", "America/New_York", "30 * * * *", "2025-11-02T01:31:00-04:00",
			[]string{"2025-11-02T01:30:00-05:00", "2025-11-02T02:30:00-05:00"}},

		// Europe/Paris: 2025-03-30 02:00 CET → 03:00 CEST; 2025-10-26 03:00 CEST → 02:00 CET.
		{"Paris spring", "Europe/Paris", "30 2 * * *", "2025-03-29T12:00:00+01:00",
			[]string{"2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"}},
		{"Paris fall", "Europe/Paris", "30 2 * * *", "2025-10-25T12:00:00+02:00",
			[]string{"2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"}},
		{"Paris fall hourly", "Europe/Paris", "15 * * * *", "2025-10-26T01:30:00+02:00",
			[]string{"2025-10-26T02:15:00+02:00", "2025-10-26T02:15:00+01:00", "2025-10-26T03:15:00+01:00"}},
		{"Paris weekdays", "Europe/Paris", "0 2 * * SUN", "2025-03-24T00:00:00+01:00",
			[]string{"2025-03-30T03:00:00+02:00", "2025-04-06T02:00:00+02:00"}},

		// Australia/Lord_Howe: 2025-10-05 02:00 +10:30 → 02:30 +11; 2025-04-06 02:00 +11 → 01:30 +10:30.
		{"Lord Howe spring in the half-hour gap", "Australia/Lord_Howe", "15 2 * * *", "2025-10-04T12:00:00+10:30",
			[]string{"2025-10-05T02:30:00+11:00", "2025-10-06T02:15:00+11:00"}},
		{"Lord Howe spring after the gap", "Australia/Lord_Howe", "45 2 * * *", "2025-10-04T12:00:00+10:30",
			[]string{"2025-10-05T02:45:00+11:00"}},
		{"Lord Howe spring hourly", "Australia/Lord_Howe", "0 * * * *", "2025-10-05T00:30:00+10:30",
			[]string{"2025-10-05T01:00:00+10:30", "2025-10-05T03:00:00+11:00"}},
		{"Lord Howe spring half past", "Australia/Lord_Howe", "30 * * * *", "2025-10-05T00:00:00+10:30",
			[]string{"2025-10-05T00:30:00+10:30", "2025-10-05T01:30:00+10:30", "2025-10-05T02:30:00+11:00", "2025-10-05T03:30:00+11:00"}},
		{"Lord Howe fall daily in the overlap", "Australia/Lord_Howe", "45 1 * * *", "2025-04-05T12:00:00+11:00",
			[]string{"2025-04-06T01:45:00+11:00", "2025-04-07T01:45:00+10:30"}},
		{"Lord Howe fall daily before the overlap", "Australia/Lord_Howe", "15 1 * * *", "2025-04-05T12:00:00+11:00",
			[]string{"2025-04-06T01:15:00+11:00", "2025-04-07T01:15:00+10:30"}},
		{"Lord Howe fall hourly at 45", "Australia/Lord_Howe", "45 * * * *", "2025-04-06T00:00:00+11:00",
			[]string{"2025-04-06T00:45:00+11:00", "2025-04-06T01:45:00+11:00", "2025-04-06T01:45:00+10:30", "2025-04-06T02:45:00+10:30"}},
		{"Lord Howe fall hourly on the hour", "Australia/Lord_Howe", "0 * * * *", "2025-04-06T00:30:00+11:00",
			[]string{"2025-04-06T01:00:00+11:00", "2025-04-06T02:00:00+10:30"}},

		// America/Santiago changes at midnight: 2025-09-07 00:00 -04 → 01:00 -03;
		// 2025-04-06 00:00 -03 → 2025-04-05 23:00 -04.
		{"Santiago spring midnight", "America/Santiago", "@daily", "2025-09-05T12:00:00-04:00",
			[]string{"2025-09-06T00:00:00-04:00", "2025-09-07T01:00:00-03:00", "2025-09-08T00:00:00-03:00"}},
		{"Santiago spring 00:30", "America/Santiago", "30 0 * * *", "2025-09-06T12:00:00-04:00",
			[]string{"2025-09-07T01:00:00-03:00", "2025-09-08T00:30:00-03:00"}},
		{"Santiago fall 23:30 once", "America/Santiago", "30 23 * * *", "2025-04-05T12:00:00-03:00",
			[]string{"2025-04-05T23:30:00-03:00", "2025-04-06T23:30:00-04:00"}},
		{"Santiago fall daily", "America/Santiago", "@daily", "2025-04-05T12:00:00-03:00",
			[]string{"2025-04-06T00:00:00-04:00", "2025-04-07T00:00:00-04:00"}},
		{"Santiago fall hourly", "America/Santiago", "@hourly", "2025-04-05T22:30:00-03:00",
			[]string{"2025-04-05T23:00:00-03:00", "2025-04-05T23:00:00-04:00", "2025-04-06T00:00:00-04:00"}},

		// America/Havana: 2025-03-09 00:00 CST → 01:00 CDT; 2025-11-02 01:00 CDT → 00:00 CST.
		{"Havana spring midnight", "America/Havana", "0 0 * * *", "2025-03-08T12:00:00-05:00",
			[]string{"2025-03-09T01:00:00-04:00", "2025-03-10T00:00:00-04:00"}},
		{"Havana spring Sunday", "America/Havana", "0 0 * * SUN", "2025-03-08T12:00:00-05:00",
			[]string{"2025-03-09T01:00:00-04:00", "2025-03-16T00:00:00-04:00"}},
		{"Havana fall midnight once", "America/Havana", "@midnight", "2025-11-01T12:00:00-04:00",
			[]string{"2025-11-02T00:00:00-04:00", "2025-11-03T00:00:00-05:00"}},
		{"Havana fall hourly", "America/Havana", "0 * * * *", "2025-11-01T23:30:00-04:00",
			[]string{"2025-11-02T00:00:00-04:00", "2025-11-02T00:00:00-05:00", "2025-11-02T01:00:00-05:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoad(t, tt.zone)
			e := MustParse(t, tt.expr)
			from := mustTime(t, tt.from)
			after := from.Add(-time.Nanosecond)
			for i, w := range tt.want {
				want := mustTime(t, w)
				got := e.Next(after, loc)
				if !got.Equal(want) {
					t.Fatalf("tick %d: Next(%s) = %s, want %s", i, after.In(loc).Format(time.RFC3339), got.Format(time.RFC3339), want.In(loc).Format(time.RFC3339))
				}
				if got.Location() != loc {
					t.Errorf("tick %d: location %v, want %v", i, got.Location(), loc)
				}
				after = got
			}
		})
	}
}

// window holds every minute instant around [from, to) with its wall
// clock, for reference.
type window struct {
	from, to time.Time
	loc      *time.Location
	instants []time.Time
	walls    []time.Time // the wall clock at instants[i], in UTC
	maxWalls []time.Time // the latest wall clock up to instants[i]
}

func newWindow(from, to time.Time, loc *time.Location) *window {
	w := &window{from: from, to: to, loc: loc}
	margin := 26 * time.Hour
	for t := from.Add(-margin).Truncate(time.Minute); t.Before(to.Add(margin)); t = t.Add(time.Minute) {
		l := t.In(loc)
		wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
		mx := wall
		if n := len(w.maxWalls); n > 0 && w.maxWalls[n-1].After(mx) {
			mx = w.maxWalls[n-1]
		}
		w.instants, w.walls, w.maxWalls = append(w.instants, t), append(w.walls, wall), append(w.maxWalls, mx)
	}
	return w
}

// reference computes the ticks in the window the slow way, straight from
// the documented rules: visit every minute instant and every wall-clock
// minute, with the field matching done by time's own calendar.
func reference(e *Expr, win *window) []time.Time {
	matches := func(w time.Time) bool { // w: a wall time in UTC
		domOK := e.dom&(1<<w.Day()) != 0
		dowOK := e.dow&(1<<int(w.Weekday())) != 0
		day := domOK && dowOK
		if !e.domStar && !e.dowStar {
			day = domOK || dowOK
		}
		return day && e.minute&(1<<w.Minute()) != 0 && e.hour&(1<<w.Hour()) != 0 && e.month&(1<<int(w.Month())) != 0
	}
	in := func(t time.Time) bool { return !t.Before(win.from) && t.Before(win.to) }
	var out []time.Time
	if e.hour&allHours == allHours {
		// Every instant whose wall clock matches.
		for i, t := range win.instants {
			if in(t) && win.walls[i].Second() == 0 && matches(win.walls[i]) {
				out = append(out, t.In(win.loc))
			}
		}
		return out
	}
	// Wall schedules: for each matching wall minute w, the first instant
	// whose wall clock is ≥ w; the same instant once.
	seen := map[time.Time]bool{}
	mw := win.maxWalls
	for w := mw[0]; w.Before(mw[len(mw)-1]); w = w.Add(time.Minute) {
		if !matches(w) {
			continue
		}
		i := sort.Search(len(mw), func(i int) bool { return !mw[i].Before(w) })
		if t := win.instants[i]; in(t) && !seen[t] {
			seen[t] = true
			out = append(out, t.In(win.loc))
		}
	}
	return out
}

// offsetChanges returns the instants in years y1-y2 where loc's UTC
// offset changes, found by looking every quarter hour.
func offsetChanges(loc *time.Location, y1, y2 int) []time.Time {
	var out []time.Time
	t := time.Date(y1, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := offset(t.In(loc))
	for ; t.Year() <= y2; t = t.Add(15 * time.Minute) {
		if o := offset(t.In(loc)); o != prev {
			out = append(out, t)
			prev = o
		}
	}
	return out
}

func offset(t time.Time) int {
	_, o := t.Zone()
	return o
}

// TestTicksMatchReference compares Ticks with the brute-force reference
// over the days around each offset change of 2024-2026 and 2040-2041
// (computed from the zone's rule, not its table) in five zones.
func TestTicksMatchReference(t *testing.T) {
	exprs := []string{
		"30 2 * * *", "0,30 2 * * *", "*/10 1-3 * * *", "45 1 * * *", "0 0 * * *", "30 23 * * *",
		"0 * * * *", "*/15 * * * *", "45 * * * *", "17 */2 * * *", "0 3 * * *", "*/7 0-2 * * SUN",
		"0 0 1,15 * MON", "5 4 */2 * *",
	}
	if testing.Short() {
		exprs = exprs[:4]
	}
	zones := []string{"America/New_York", "Europe/Paris", "Australia/Lord_Howe", "America/Santiago", "America/Havana"}
	for _, zone := range zones {
		loc := mustLoad(t, zone)
		changes := append(offsetChanges(loc, 2024, 2026), offsetChanges(loc, 2040, 2041)...)
		if len(changes) != 10 {
			t.Fatalf("%s: %d offset changes in 2024-2026 and 2040-2041, want 10", zone, len(changes))
		}
		for _, ch := range changes {
			from, to := ch.Add(-30*time.Hour).Add(7*time.Second), ch.Add(30*time.Hour)
			win := newWindow(from, to, loc)
			for _, expr := range exprs {
				e := MustParse(t, expr)
				want := reference(e, win)
				got, err := e.Ticks(from, to, loc, 0)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s %q around %s:\n got %v\nwant %v", zone, expr, ch.In(loc), got, want)
				}
			}
		}
	}
}

// TestNextLeapYearEnd covers the last day of 2040, where
// time.Time.ZoneBounds reports period ends that are not after the time
// asked about.
func TestNextLeapYearEnd(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	from := time.Date(2040, 12, 30, 0, 0, 0, 0, ny)
	got, err := MustParse(t, "0 * * * *").Ticks(from, from.AddDate(0, 0, 3), ny, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 72 {
		t.Fatalf("got %d hourly ticks in three days, want 72: %v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		if d := got[i].Sub(got[i-1]); d != time.Hour {
			t.Errorf("ticks %s and %s are %s apart, want 1h", got[i-1], got[i], d)
		}
	}
}

func TestTicks(t *testing.T) {
	e := MustParse(t, "0 * * * *")
	from := mustTime(t, "2025-01-01T00:00:00Z")
	to := mustTime(t, "2025-01-01T03:00:00Z")
	got, err := e.Ticks(from, to, time.UTC, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := "[2025-01-01 00:00:00 +0000 UTC 2025-01-01 01:00:00 +0000 UTC 2025-01-01 02:00:00 +0000 UTC]"
	if fmt.Sprint(got) != want { // from included, to excluded
		t.Errorf("got %v, want %s", got, want)
	}
	if got, err := e.Ticks(from, to, time.UTC, 3); err != nil || len(got) != 3 {
		t.Errorf("exactly max: got %v, %v; want 3 ticks", got, err)
	}
	if got, err := e.Ticks(from, from, time.UTC, 3); err != nil || len(got) != 0 {
		t.Errorf("empty range: got %v, %v; want none", got, err)
	}
	if got, err := e.Ticks(from.Add(time.Second), to, time.UTC, 3); err != nil || len(got) != 2 {
		t.Errorf("from after a tick: got %v, %v; want 2 ticks", got, err)
	}
	_, err = e.Ticks(from, to, time.UTC, 2)
	wantErr := `cron "0 * * * *": 3 ticks from 2025-01-01T00:00:00Z to 2025-01-01T03:00:00Z, more than the maximum 2; narrow the range`
	if err == nil || err.Error() != wantErr {
		t.Errorf("over max: got %v, want %s", err, wantErr)
	}
	_, err = e.Ticks(to, from, time.UTC, 2)
	if err == nil || !strings.Contains(err.Error(), "the end is before the start") {
		t.Errorf("reversed: got %v", err)
	}
	// A year of minutes against a small max is counted, not collected.
	every := MustParse(t, "* * * * *")
	_, err = every.Ticks(from, from.AddDate(3, 0, 0), time.UTC, 100)
	if err == nil || !strings.Contains(err.Error(), "at least 1000000 ticks") {
		t.Errorf("huge range: got %v", err)
	}
	// Local days: Ticks of @daily across the New York spring change.
	ny := mustLoad(t, "America/New_York")
	days, err := MustParse(t, "@daily").Ticks(mustTime(t, "2025-03-08T00:00:00-05:00"), mustTime(t, "2025-03-11T00:00:00-04:00"), ny, 0)
	if err != nil || len(days) != 3 || days[1].Sub(days[0]) != 24*time.Hour || days[2].Sub(days[1]) != 23*time.Hour {
		t.Errorf("@daily in New York: got %v, %v", days, err)
	}
}

func TestNextStrictlyAfter(t *testing.T) {
	loc := mustLoad(t, "Australia/Lord_Howe")
	for _, expr := range []string{"* * * * *", "*/5 * * * *", "0 2 * * *", "@daily"} {
		e := MustParse(t, expr)
		tick := e.Next(mustTime(t, "2025-10-04T00:00:00Z"), loc)
		if next := e.Next(tick, loc); !next.After(tick) {
			t.Errorf("%q: Next(%s) = %s, want later", expr, tick, next)
		}
	}
}

func TestNextNilLocationIsUTC(t *testing.T) {
	got := MustParse(t, "0 12 * * *").Next(mustTime(t, "2025-01-01T00:00:00+09:00"), nil)
	if want := mustTime(t, "2025-01-01T12:00:00Z"); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNextNeverFiringTerminates(t *testing.T) {
	var zero Expr
	start := time.Now()
	if got := zero.Next(start, time.UTC); !got.IsZero() {
		t.Errorf("zero Expr: got %s, want the zero time", got)
	}
	// Built by hand: February 30, which Parse refuses.
	feb30 := &Expr{minute: set(0), hour: set(0), dom: set(30), month: set(2), dow: allDow, dowStar: true}
	if got := feb30.Next(start, time.UTC); !got.IsZero() {
		t.Errorf("February 30: got %s, want the zero time", got)
	}
	ny := mustLoad(t, "America/New_York")
	feb30.hour = allHour
	if got := feb30.Next(start, ny); !got.IsZero() {
		t.Errorf("February 30 hourly: got %s, want the zero time", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	if got := MustParse(t, "* * * * *").Next(time.Date(200_000_000, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC); !got.IsZero() {
		t.Errorf("year 200,000,000: got %s, want the zero time", got)
	}
}

func TestCivilRoundTrip(t *testing.T) {
	for _, d := range []int64{-800_000, -719_468, -1, 0, 1, 59, 60, 11_016, 2_932_896, 100_000_000} {
		y, m, dd := civilFromDays(d)
		if back := daysFromCivil(y, m, dd); back != d {
			t.Errorf("day %d → %d-%d-%d → %d", d, y, m, dd, back)
		}
		want := time.Unix(d*86400, 0).UTC()
		if y != want.Year() || m != int(want.Month()) || dd != want.Day() || weekday(y, m, dd) != int(want.Weekday()) {
			t.Errorf("day %d: got %d-%d-%d (weekday %d), want %s", d, y, m, dd, weekday(y, m, dd), want.Format("2006-01-02 Mon"))
		}
	}
}

var sink time.Time

func BenchmarkNext(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, bc := range []struct{ name, expr string }{
		{"every-minute", "* * * * *"},
		{"hourly", "0 * * * *"},
		{"daily", "30 2 * * *"},
		{"leap-day-sunday", "0 0 29 2 0"},
	} {
		e, err := Parse(bc.expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			t := start
			for b.Loop() {
				t = e.Next(t, ny)
				if t.IsZero() {
					t = start
				}
			}
			sink = t
		})
	}
}
