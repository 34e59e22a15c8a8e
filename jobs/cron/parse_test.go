package cron

import (
	"errors"
	"strings"
	"testing"
)

// MustParse parses expr or fails the test.
func MustParse(tb testing.TB, expr string) *Expr {
	tb.Helper()
	e, err := Parse(expr)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", expr, err)
	}
	return e
}

// set builds a bit set from values.
func set(vs ...int) uint64 {
	var s uint64
	for _, v := range vs {
		s |= 1 << v
	}
	return s
}

func rng(lo, hi, step int) uint64 {
	var s uint64
	for v := lo; v <= hi; v += step {
		s |= 1 << v
	}
	return s
}

var (
	allMin   = rng(0, 59, 1)
	allHour  = rng(0, 23, 1)
	allDom   = rng(1, 31, 1)
	allMonth = rng(1, 12, 1)
	allDow   = rng(0, 6, 1)
)

func sameSchedule(a, b *Expr) bool {
	return a.minute == b.minute && a.hour == b.hour && a.dom == b.dom && a.month == b.month &&
		a.dow == b.dow && a.domStar == b.domStar && a.dowStar == b.dowStar
}

func TestParse(t *testing.T) {
	tests := []struct {
		expr string
		want Expr
		str  string
	}{
		{"* * * * *", Expr{minute: allMin, hour: allHour, dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "* * * * *"},
		{"? ? ? ? ?", Expr{minute: allMin, hour: allHour, dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "? ? ? ? ?"},
		{"  30\t2  * *   *  ", Expr{minute: set(30), hour: set(2), dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "30 2 * * *"},
		{"*/15 9-17 * * mon-fri", Expr{minute: set(0, 15, 30, 45), hour: rng(9, 17, 1), dom: allDom, month: allMonth, dow: rng(1, 5, 1), domStar: true}, "*/15 9-17 * * MON-FRI"},
		{"0-30/10 */6 1,15 jan,Jul *", Expr{minute: set(0, 10, 20, 30), hour: set(0, 6, 12, 18), dom: set(1, 15), month: set(1, 7), dow: allDow, dowStar: true}, "0-30/10 */6 1,15 JAN,JUL *"},
		{"5/20 3/7 10/10 2/5 1/2", Expr{minute: set(5, 25, 45), hour: set(3, 10, 17), dom: set(10, 20, 30), month: set(2, 7, 12), dow: set(1, 3, 5), domStar: false}, "5/20 3/7 10/10 2/5 1/2"},
		{"0 0 * * 7", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: set(0), domStar: true}, "0 0 * * 7"},
		{"0 0 * * 5-7", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: set(5, 6, 0), domStar: true}, "0 0 * * 5-7"},
		{"0 0 * * 0-7", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: allDow, domStar: true}, "0 0 * * 0-7"},
		{"0 0 * * SUN,sat", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: set(0, 6), domStar: true}, "0 0 * * SUN,SAT"},
		{"0 0 */2 * *", Expr{minute: set(0), hour: set(0), dom: rng(1, 31, 2), month: allMonth, dow: allDow, domStar: true, dowStar: true}, "0 0 */2 * *"},
		{"0 0 29 2 *", Expr{minute: set(0), hour: set(0), dom: set(29), month: set(2), dow: allDow, dowStar: true}, "0 0 29 2 *"},
		{"0 0 30 2 MON", Expr{minute: set(0), hour: set(0), dom: set(30), month: set(2), dow: set(1)}, "0 0 30 2 MON"}, // Vixie: every Monday in February
		{"0 0 31 1-12 *", Expr{minute: set(0), hour: set(0), dom: set(31), month: allMonth, dow: allDow, dowStar: true}, "0 0 31 1-12 *"},
		{"59 23 31 12 6", Expr{minute: set(59), hour: set(23), dom: set(31), month: set(12), dow: set(6)}, "59 23 31 12 6"},
		{"1,2,3-5,10-20/5 * * * *", Expr{minute: set(1, 2, 3, 4, 5, 10, 15, 20), hour: allHour, dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "1,2,3-5,10-20/5 * * * *"},
		{"*/59 */23 */30 */11 */6", Expr{minute: set(0, 59), hour: set(0, 23), dom: set(1, 31), month: set(1, 12), dow: set(0, 6), domStar: true, dowStar: true}, "*/59 */23 */30 */11 */6"},
		{"@yearly", Expr{minute: set(0), hour: set(0), dom: set(1), month: set(1), dow: allDow, dowStar: true}, "@yearly"},
		{"@ANNUALLY", Expr{minute: set(0), hour: set(0), dom: set(1), month: set(1), dow: allDow, dowStar: true}, "@annually"},
		{"@monthly", Expr{minute: set(0), hour: set(0), dom: set(1), month: allMonth, dow: allDow, dowStar: true}, "@monthly"},
		{"@weekly", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: set(0), domStar: true}, "@weekly"},
		{" @daily ", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "@daily"},
		{"@midnight", Expr{minute: set(0), hour: set(0), dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "@midnight"},
		{"@hourly", Expr{minute: set(0), hour: allHour, dom: allDom, month: allMonth, dow: allDow, domStar: true, dowStar: true}, "@hourly"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e := MustParse(t, tt.expr)
			if !sameSchedule(e, &tt.want) {
				t.Errorf("got %+v, want %+v", *e, tt.want)
			}
			if got := e.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			again := MustParse(t, e.String())
			if !sameSchedule(e, again) || again.String() != e.String() {
				t.Errorf("Parse(String()) = %+v, want %+v", *again, *e)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr string
		col  int
		msg  string // the whole message when it starts with "=", else a substring
	}{
		{"", 1, "empty expression; want five fields"},
		{"   ", 1, "empty expression"},
		{"* * * *", 8, "=4 fields, want 5: missing day-of-week (fields are minute hour day-of-month month day-of-week)"},
		{"0 0", 4, "missing day-of-month, month, day-of-week"},
		{"0 0 * * * 2025", 11, "=6 fields, want 5: seconds and year fields are not supported; write minute hour day-of-month month day-of-week"},
		{"0 0 0 * * * *", 11, "7 fields, want 5: seconds and year"},
		{"0 0 0 * * * * *", 11, "8 fields, want 5"},
		{"@reboot", 1, "@reboot is not supported"},
		{"  @every 5m", 3, "@every is not supported; write an interval as a step"},
		{"@fortnightly", 1, `unknown macro "@fortnightly"; want one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly`},
		{"@daily 5", 8, `unexpected "5" after @daily`},
		{"61 * * * *", 1, `=minute field "61": value 61 out of range 0-59`},
		{"0 24 * * *", 3, `=hour field "24": value 24 out of range 0-23`},
		{"0 0 0 * *", 5, `=day-of-month field "0": value 0 out of range 1-31`},
		{"0 0 32 * *", 5, `day-of-month field "32": value 32 out of range 1-31`},
		{"0 0 * 13 *", 7, `=month field "13": value 13 out of range 1-12 or JAN-DEC`},
		{"0 0 * * 8", 9, `=day-of-week field "8": value 8 out of range 0-7 (0 and 7 are Sunday) or SUN-SAT`},
		{"0 0 * * 1,2,99", 13, `day-of-week field "1,2,99": value 99 out of range`},
		{"99999999999999999999 * * * *", 1, `value 99999999999999999999 out of range 0-59`},
		{"0 0 * JUNE *", 7, `=month field "JUNE": unknown name "JUNE"; want 1-12 or JAN-DEC`},
		{"0 0 * * MON-FRY", 13, `unknown name "FRY"; want 0-7 (0 and 7 are Sunday) or SUN-SAT`},
		{"0 MON * * *", 3, `=hour field "MON": "MON" is not a number; allowed: 0-23`},
		{"1.5 * * * *", 2, `minute field "1.5": unexpected character '.'`},
		{"0 0 * * 5#3", 10, `Quartz-style L, W and # are not supported`},
		{"0 0 L * *", 5, `day-of-month field "L": Quartz-style L, W and #`},
		{"0 0 15W * *", 7, `Quartz-style`},
		{"0 0 1,,2 * *", 7, `=day-of-month field "1,,2": empty list item; separate values with single commas, e.g. 1,15`},
		{"0, * * * *", 3, `empty list item`},
		{",0 * * * *", 1, `empty list item`},
		{"0 5-3 * * *", 3, `hour field "5-3": range 5-3 runs backwards; ranges cannot wrap around, write two ranges instead, e.g. 22-23,0-2`},
		{"0 0 * * FRI-MON", 9, `range FRI-MON runs backwards`},
		{"0 1- * * *", 5, `hour field "1-": missing value in range`},
		{"0 -1 * * *", 3, `missing value in range`},
		{"*/0 * * * *", 3, `=minute field "*/0": step 0 out of range 1-59`},
		{"*/60 * * * *", 3, `step 60 out of range 1-59`},
		{"0 0 * * */7", 11, `day-of-week field "*/7": step 7 out of range 1-6`},
		{"*/x * * * *", 3, `step "x" is not a number`},
		{"*/5/2 * * * *", 4, `step "5/2" is not a number`},
		{"0/ * * * *", 3, `=minute field "0/": missing step after /`},
		{"/5 * * * *", 1, `missing value before /`},
		{"*-5 * * * *", 1, `unexpected character '*'`},
		{"0 0 1-2-3 * *", 8, `unexpected character '-'`},
		{"0 0 30 2 *", 5, `=day-of-month field "30" never occurs in month field "2" (those months have at most 29 days), so the schedule would never fire`},
		{"0 0 31 FEB *", 5, `never occurs in month field "FEB"`},
		{"0 0 31 4 *", 5, `never occurs in month field "4" (those months have at most 30 days)`},
		{"0 0 31 APR,JUN,SEP,NOV *", 5, `never occurs`},
		{"0 0 30,31 2 */2", 5, `never occurs`},
		{"0 0 31 4 ?", 5, `never occurs`},
		{"é * * * *", 1, `minute field "é": unexpected character 'é'`},
		{"0 é * * *", 3, `hour field "é"`},
		{"é * *", 6, `3 fields, want 5`}, // columns count characters, not bytes
		{"\xff * * * *", 1, `invalid character`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.expr, e)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *SyntaxError", err, err)
			}
			if se.Col != tt.col {
				t.Errorf("Col = %d, want %d (%s)", se.Col, tt.col, se.Msg)
			}
			if se.Expr != tt.expr {
				t.Errorf("Expr = %q, want %q", se.Expr, tt.expr)
			}
			if want, ok := strings.CutPrefix(tt.msg, "="); ok {
				if se.Msg != want {
					t.Errorf("Msg = %q\nwant  %q", se.Msg, want)
				}
			} else if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Msg = %q, want it to contain %q", se.Msg, tt.msg)
			}
		})
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := Parse("61 * * * *")
	want := `cron expression "61 * * * *", column 1: minute field "61": value 61 out of range 0-59`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
