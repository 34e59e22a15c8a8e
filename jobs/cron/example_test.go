package cron_test

import (
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/jobs/cron"
)

func ExampleParse() {
	_, err := cron.Parse("0 25 * * *")
	fmt.Println(err)
	e, err := cron.Parse("*/15 9-17 * * mon-fri")
	fmt.Println(e, err)
	// Output:
	// cron expression "0 25 * * *", column 3: hour field "25": value 25 out of range 0-23
	// */15 9-17 * * MON-FRI <nil>
}

func ExampleExpr_Next() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	e, err := cron.Parse("30 2 * * *")
	if err != nil {
		panic(err)
	}
	// 02:30 does not exist on 9 March 2025 in New York: it fires at 03:00.
	t := time.Date(2025, 3, 8, 12, 0, 0, 0, ny)
	for range 3 {
		t = e.Next(t, ny)
		fmt.Println(t.Format(time.RFC3339))
	}
	// Output:
	// 2025-03-09T03:00:00-04:00
	// 2025-03-10T02:30:00-04:00
	// 2025-03-11T02:30:00-04:00
}

func ExampleExpr_Ticks() {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	e, err := cron.Parse("30 * * * *")
	if err != nil {
		panic(err)
	}
	// Clocks go back from 03:00 to 02:00 on 26 October 2025: 02:30 happens twice.
	from := time.Date(2025, 10, 26, 1, 0, 0, 0, paris)
	ticks, err := e.Ticks(from, from.Add(4*time.Hour), paris, 10)
	if err != nil {
		panic(err)
	}
	for _, t := range ticks {
		fmt.Println(t.Format(time.RFC3339))
	}
	// Output:
	// 2025-10-26T01:30:00+02:00
	// 2025-10-26T02:30:00+02:00
	// 2025-10-26T02:30:00+01:00
	// 2025-10-26T03:30:00+01:00
}
