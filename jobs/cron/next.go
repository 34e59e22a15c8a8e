package cron

import (
	"fmt"
	"math/bits"
	"time"
)

// searchYears bounds every search. The Gregorian calendar repeats, weekdays
// included, every 400 years, so an expression that Parse accepts fires
// within any 400-year window; the bound only stops a search for an Expr
// that can never fire (the zero Expr).
const searchYears = 401

// maxYear keeps the arithmetic on seconds far from overflow.
const maxYear = 100_000_000

// String returns the expression in normal form: a macro in lower case, or
// the five fields separated by single spaces with names in upper case.
// Parse(e.String()) gives an equal schedule.
func (e *Expr) String() string { return e.text }

// Next returns the first time the schedule fires strictly after after,
// in loc (nil means UTC), reading the expression in loc's wall clock as
// the package documentation describes for daylight-saving changes. It
// returns the zero Time only for an Expr that never fires (the zero Expr),
// when no firing falls within 400 years of after, or when after is more
// than 100 million years away from year 0. Next is efficient: it skips
// whole months, days and hours that cannot match.
func (e *Expr) Next(after time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if y := after.Year(); y > maxYear || y < -maxYear {
		return time.Time{}
	}
	if e.hour&allHours == allHours {
		return e.nextReal(after, loc)
	}
	return e.nextWall(after, loc)
}

// Ticks returns every time the schedule fires in [from, to), in loc (nil
// means UTC), in increasing order. If there are more than max ticks
// (max > 0) it returns an error naming how many there are (counted up to
// a million) and max, and no ticks; max <= 0 means no limit. It is an
// error for to to be before from.
func (e *Expr) Ticks(from, to time.Time, loc *time.Location, max int) ([]time.Time, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("cron %q: ticks from %s to %s: the end is before the start", e.text, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	const countCap = 1_000_000
	var out []time.Time
	n := 0
	for t := e.Next(from.Add(-time.Nanosecond), loc); !t.IsZero() && t.Before(to); t = e.Next(t, loc) {
		n++
		if max > 0 && n > max {
			if n >= countCap {
				return nil, fmt.Errorf("cron %q: at least %d ticks from %s to %s, more than the maximum %d; narrow the range", e.text, n, from.Format(time.RFC3339), to.Format(time.RFC3339), max)
			}
			out = nil
			continue
		}
		out = append(out, t)
	}
	if max > 0 && n > max {
		return nil, fmt.Errorf("cron %q: %d ticks from %s to %s, more than the maximum %d; narrow the range", e.text, n, from.Format(time.RFC3339), to.Format(time.RFC3339), max)
	}
	return out, nil
}

const allHours = 1<<24 - 1

// civil is a wall-clock date and time to the minute, with no zone.
type civil struct{ y, mo, d, h, mi int }

func (c civil) before(o civil) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.mo != o.mo {
		return c.mo < o.mo
	}
	if c.d != o.d {
		return c.d < o.d
	}
	if c.h != o.h {
		return c.h < o.h
	}
	return c.mi < o.mi
}

// unix returns the civil time's seconds since 1970-01-01 00:00 as if it
// were UTC.
func (c civil) unix() int64 {
	return (daysFromCivil(c.y, c.mo, c.d)*24+int64(c.h))*3600 + int64(c.mi)*60
}

// civilOf returns the civil minute containing the wall-clock second s
// (seconds since 1970-01-01 00:00 wall time).
func civilOf(s int64) civil {
	days := floorDiv(s, 86400)
	sec := s - days*86400
	y, m, d := civilFromDays(days)
	return civil{y, m, d, int(sec / 3600), int(sec % 3600 / 60)}
}

// addMinute returns c one minute later.
func (c civil) addMinute() civil {
	c.mi++
	if c.mi < 60 {
		return c
	}
	c.mi = 0
	c.h++
	if c.h < 24 {
		return c
	}
	return c.nextDay()
}

func (c civil) nextDay() civil {
	c.h, c.mi = 0, 0
	c.d++
	if c.d <= daysIn(c.y, c.mo) {
		return c
	}
	return c.nextMonth()
}

func (c civil) nextMonth() civil {
	c.d, c.h, c.mi = 1, 0, 0
	c.mo++
	if c.mo > 12 {
		c.mo = 1
		c.y++
	}
	return c
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	if m == 2 && !isLeap(y) {
		return 28
	}
	return maxDays[m]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := floorDiv(yy, 400)
	yoe := yy - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	yy := yoe + era*400
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

// weekday returns 0 (Sunday) to 6 (Saturday).
func weekday(y, m, d int) int {
	w := (daysFromCivil(y, m, d) + 4) % 7 // 1970-01-01 was a Thursday
	if w < 0 {
		w += 7
	}
	return int(w)
}

// nextBit returns the smallest member of set that is ≥ from.
func nextBit(set uint64, from int) (int, bool) {
	if from >= 64 {
		return 0, false
	}
	rest := set >> uint(from) << uint(from)
	if rest == 0 {
		return 0, false
	}
	return bits.TrailingZeros64(rest), true
}

func (e *Expr) dayMatches(y, m, d int) bool {
	domOK := e.dom&(1<<d) != 0
	dowOK := e.dow&(1<<weekday(y, m, d)) != 0
	if e.domStar || e.dowStar {
		return domOK && dowOK
	}
	return domOK || dowOK
}

// nextCivil returns the first civil minute ≥ c that matches the fields,
// if there is one before limit. It jumps field by field: a month that
// does not match is skipped whole, then a day, then an hour.
func (e *Expr) nextCivil(c, limit civil) (civil, bool) {
	for c.before(limit) {
		m, ok := nextBit(e.month, c.mo)
		if !ok || m > 12 {
			first, ok := nextBit(e.month, 1)
			if !ok || first > 12 {
				return civil{}, false
			}
			c = civil{c.y + 1, first, 1, 0, 0}
			continue
		}
		if m != c.mo {
			c = civil{c.y, m, 1, 0, 0}
			continue
		}
		if c.d > daysIn(c.y, c.mo) {
			c = c.nextMonth()
			continue
		}
		if !e.dayMatches(c.y, c.mo, c.d) {
			c = c.nextDay()
			continue
		}
		h, ok := nextBit(e.hour, c.h)
		if !ok || h > 23 {
			c = c.nextDay()
			continue
		}
		if h != c.h {
			c.h, c.mi = h, 0
		}
		mi, ok := nextBit(e.minute, c.mi)
		if !ok || mi > 59 {
			c.mi = 59
			c = c.addMinute() // the next hour
			continue
		}
		c.mi = mi
		return c, true
	}
	return civil{}, false
}

// nextWall is Next for schedules with a restricted hour field: find the
// next matching wall-clock minute, then the instant it names — the first
// of two in a fall-back overlap, the end of the gap for a wall time that
// a spring-forward change skips. That mapping never decreases as the wall
// time increases, so the first match whose instant is after `after` is
// the answer; at most the matches within an overlap are passed over.
func (e *Expr) nextWall(after time.Time, loc *time.Location) time.Time {
	a := after.In(loc)
	_, off := a.Zone()
	start := civilOf(a.Unix() + int64(off)).addMinute()
	limit := civil{start.y + searchYears, start.mo, start.d, start.h, start.mi}
	for c := start; ; c = c.addMinute() {
		var ok bool
		c, ok = e.nextCivil(c, limit)
		if !ok {
			return time.Time{}
		}
		if t := resolveWall(c, loc); t.After(after) {
			return t
		}
	}
}

// nextReal is Next for schedules that fire every hour: walk the zone's
// periods of constant UTC offset, and in each find the first matching
// wall-clock minute that exists in it. Repeated wall times fire twice,
// skipped ones not at all.
func (e *Expr) nextReal(after time.Time, loc *time.Location) time.Time {
	t := after.In(loc)
	_, off := t.Zone()
	c := civilOf(t.Unix() + int64(off)).addMinute()
	limit := civil{c.y + searchYears, c.mo, c.d, c.h, c.mi}
	for {
		end := periodEnd(t, off)
		segLimit := limit
		if !end.IsZero() {
			if el := civilOf(end.Unix() + int64(off) + 59); el.before(segLimit) {
				segLimit = el // the first minute at or after the period's end
			}
		}
		if m, ok := e.nextCivil(c, segLimit); ok {
			if u := m.unix() - int64(off); end.IsZero() || u < end.Unix() {
				return time.Unix(u, 0).In(loc)
			}
		}
		if end.IsZero() || !segLimit.before(limit) {
			return time.Time{}
		}
		t = end
		_, off = t.Zone()
		c = civilOf(t.Unix() + int64(off) + 59) // first whole minute at or after the period's start
	}
}

// periodEnd returns when the UTC offset off, in effect at t, next
// changes; zero if never. It steps over the boundaries
// time.Time.ZoneBounds reports where the offset stays the same, and
// around the bad ends it reports after a zone's last listed transition
// (with Go 1.26, for a day at the end of leap years, the end it gives is
// not after t), where it probes hour by hour instead.
func periodEnd(t time.Time, off int) time.Time {
	cur := t
	for range 200 {
		_, end := cur.ZoneBounds()
		switch {
		case end.IsZero():
			return end
		case !end.After(cur):
			next := cur.Add(time.Hour)
			if _, o := next.Zone(); o != off {
				return changeBetween(cur, next, off)
			}
			cur = next
		default:
			if _, o := end.Zone(); o != off {
				return end
			}
			cur = end
		}
	}
	return cur
}

// changeBetween returns the first second in (a, b] whose offset is not
// off, given that a's offset is off and b's is not.
func changeBetween(a, b time.Time, off int) time.Time {
	lo, hi := a.Unix(), b.Unix()
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if _, o := time.Unix(mid, 0).In(b.Location()).Zone(); o != off {
			hi = mid
		} else {
			lo = mid
		}
	}
	return time.Unix(hi, 0).In(b.Location())
}

// resolveWall returns the instant that wall time c in loc names: the
// earlier of two if c occurs twice, and the first instant after the gap
// if c does not occur.
func resolveWall(c civil, loc *time.Location) time.Time {
	w := c.unix()
	offAt := func(u int64) int64 {
		_, o := time.Unix(u, 0).In(loc).Zone()
		return int64(o)
	}
	// The offsets in effect within a day of w: an instant naming w lies
	// within 15 hours of it.
	var offs [5]int64
	for i, d := range [5]int64{-86400, -43200, 0, 43200, 86400} {
		offs[i] = offAt(w + d)
	}
	best, found := int64(0), false
	omin, omax := offs[0], offs[0]
	for _, o := range offs {
		omin, omax = min(omin, o), max(omax, o)
		if u := w - o; offAt(u) == o && (!found || u < best) {
			best, found = u, true
		}
	}
	if !found {
		// A gap: the first instant whose wall clock is past w is the
		// change itself. wall(s) = s + offAt(s) jumps over w between
		// w-omax and w-omin; find where by bisection.
		lo, hi := w-omax, w-omin // wall(lo) ≤ w < wall(hi)
		if lo+offAt(lo) > w || hi+offAt(hi) <= w {
			return time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, 0, 0, loc)
		}
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if mid+offAt(mid) > w {
				hi = mid
			} else {
				lo = mid
			}
		}
		best = hi
	}
	return time.Unix(best, 0).In(loc)
}
