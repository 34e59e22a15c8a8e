package spec

import (
	"errors"

	"github.com/sluice-dev/sluice/jobs/cron"
)

// defaultCron checks an expression with package jobs/cron.
func defaultCron(expr string) (int, error) {
	_, err := cron.Parse(expr)
	if se := (*cron.SyntaxError)(nil); errors.As(err, &se) {
		return se.Col, err
	}
	return 0, err
}

// cronMessage returns the part of a cron error worth showing after the
// expression (which the caller already names).
func cronMessage(err error) string {
	if se := (*cron.SyntaxError)(nil); errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}
