// Package cron parses cron expressions and computes when they fire in a
// time zone, including across daylight-saving changes.
//
// We wrote our own instead of using github.com/robfig/cron: that library
// is unmaintained, and its daylight-saving behaviour is documented as
// buggy in its own tracker — it skips a schedule whose wall time falls in
// a spring-forward gap, unlike ISC cron (robfig/cron pull request #541,
// open and unmerged). The rules below are ours, stated precisely and
// tested in several zones.
//
// # Syntax
//
// An expression is five fields separated by spaces or tabs:
//
//	minute        0-59
//	hour          0-23
//	day-of-month  1-31
//	month         1-12 or JAN-DEC
//	day-of-week   0-7 or SUN-SAT (0 and 7 are Sunday)
//
// Each field is a comma-separated list of items; an item is one of
//
//	item    meaning
//	*       every value (? is the same)
//	a       one value
//	a-b     a range, a ≤ b (ranges do not wrap around)
//	*/n     every n-th value from the field's minimum
//	a-b/n   every n-th value from a up to b
//	a/n     every n-th value from a up to the field's maximum
//
// Names (JAN, mon, ...) are case-insensitive and may appear in ranges.
// Instead of five fields an expression may be one macro:
//
//	@yearly, @annually   0 0 1 1 *
//	@monthly             0 0 1 * *
//	@weekly              0 0 * * 0
//	@daily, @midnight    0 0 * * *
//	@hourly              0 * * * *
//
// Not supported, each refused with an error saying so: @reboot, @every,
// six- and seven-field forms (seconds, years) and Quartz's L, W and #.
//
// Days follow Vixie cron: when both day fields are restricted (neither
// begins with * or ?), a day matches if either field matches —
// "0 0 1,15 * MON" fires on the 1st, the 15th and every Monday. Otherwise
// a day matches when both do ("0 0 */2 * MON" is odd days that are
// Mondays).
//
// Parse reports every problem as a *SyntaxError whose Col is the 1-based
// column inside the expression, so a caller that knows where the
// expression sits in a file can point at the exact character. Parse also
// refuses a day-of-month/month combination that never occurs when the
// day-of-week field cannot rescue it, such as "0 0 30 2 *" or
// "0 0 31 APR,JUN *". Every expression Parse accepts fires at least once
// in any 400 years (the Gregorian calendar's period, weekdays included),
// so Next's search is bounded and always terminates.
//
// # Time zones and daylight-saving time
//
// An expression is read in the wall-clock time of the location passed to
// Next and Ticks. Around a change of UTC offset:
//
//   - A wall time that does not exist (spring forward) fires once, at the
//     first instant after the gap. In America/New_York on the second
//     Sunday of March, "30 2 * * *" fires at 03:00 EDT; in
//     Australia/Lord_Howe, whose clocks go from 02:00 to 02:30,
//     "15 2 * * *" fires at 02:30. Several skipped wall times
//     ("0,30 2 * * *") still fire only once.
//   - A wall time that occurs twice (fall back) fires once, at its first
//     occurrence: "30 1 * * *" in New York on the first Sunday of
//     November fires at 01:30 EDT, not again at 01:30 EST.
//   - Schedules whose hour field matches every hour ("0 * * * *",
//     "*/15 * * * *", @hourly) are about real elapsed time instead: they
//     fire at every instant whose wall clock matches, so both occurrences
//     of a repeated hour fire and a skipped hour fires nothing.
//
// Midnight changes (America/Santiago, America/Havana) follow the same
// rules: where 00:00 does not exist, @daily fires at 01:00.
//
// Next(after) is strictly after after; results are in the given location.
// Ticks returns the ticks in a half-open interval, with a bound on their
// number for backfills.
//
// An *Expr is immutable; its methods are safe for concurrent use.
package cron
