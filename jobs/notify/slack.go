package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the Slack body. Slack caps a section's text at 3,000
// characters; the task list stays well under it.
const (
	maxTaskMessage = 300  // characters of each failed task's message
	maxTaskList    = 2500 // characters of the failed-task list
	maxRunMessage  = 500  // characters of the run's message
)

// slackBody is a Slack incoming-webhook message.
type slackBody struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type   string      `json:"type"` // "section"
	Text   *slackText  `json:"text,omitempty"`
	Fields []slackText `json:"fields,omitempty"`
}

type slackText struct {
	Type string `json:"type"` // "mrkdwn"
	Text string `json:"text"`
}

// SlackBody returns the Slack incoming-webhook message for ev:
//
//	{"text": "nightly_churn run 42 failed after 3m12s; failed tasks: train https://…",
//	 "blocks": [
//	   {"type": "section", "text": {"type": "mrkdwn", "text": "*nightly_churn* run 42 failed after 3m12s\n<https://…|View run>"}},
//	   {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Trigger*\nschedule"},
//	                                  {"type": "mrkdwn", "text": "*Logical time*\n2025-03-09T07:00:00Z"}]},
//	   {"type": "section", "text": {"type": "mrkdwn", "text": "*Failed tasks*\n• `train` failed after 3 attempts: exit status 1"}}]}
//
// The text is a complete plain summary (with the run's address; &, < and
// > escaped as Slack requires), which is
// what Slack shows in notifications and what Mattermost and Rocket.Chat,
// which ignore blocks, display. Task messages are cut to 300 characters
// and the list of failed tasks to about 2,500, under Slack's limits.
func SlackBody(ev Event) ([]byte, error) {
	status := statusLine(ev)
	failed := failedTasks(ev.Tasks)

	text := ev.Job + " " + status
	if len(failed) > 0 {
		keys := make([]string, 0, len(failed))
		for _, t := range failed {
			keys = append(keys, t.Key)
		}
		text += "; failed tasks: " + truncate(strings.Join(keys, ", "), maxTaskMessage)
	}
	if ev.RunURL != "" {
		text += " " + ev.RunURL
	}

	head := "*" + escape(ev.Job) + "* " + escape(status)
	if ev.Message != "" {
		head += "\n" + escape(truncate(ev.Message, maxRunMessage))
	}
	if ev.RunURL != "" {
		head += "\n<" + strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(ev.RunURL) + "|View run>"
	}
	body := slackBody{Text: escape(text), Blocks: []slackBlock{{Type: "section", Text: mrkdwn(head)}}}

	var fields []slackText
	if ev.Trigger != "" {
		fields = append(fields, *mrkdwn("*Trigger*\n" + escape(ev.Trigger)))
	}
	if !ev.LogicalTime.IsZero() {
		fields = append(fields, *mrkdwn("*Logical time*\n" + ev.LogicalTime.UTC().Format(time.RFC3339)))
	}
	if ev.Attempt > 0 {
		fields = append(fields, *mrkdwn(fmt.Sprintf("*Repair*\n%d", ev.Attempt)))
	}
	if len(fields) > 0 {
		body.Blocks = append(body.Blocks, slackBlock{Type: "section", Fields: fields})
	}

	if len(failed) > 0 {
		var b strings.Builder
		b.WriteString("*Failed tasks*")
		for i, t := range failed {
			line := "\n• `" + escape(t.Key) + "` " + escape(taskStatus(t))
			if t.Message != "" {
				line += ": " + escape(oneLine(truncate(t.Message, maxTaskMessage)))
			}
			if b.Len()+len(line) > maxTaskList {
				fmt.Fprintf(&b, "\n… and %d more", len(failed)-i)
				break
			}
			b.WriteString(line)
		}
		body.Blocks = append(body.Blocks, slackBlock{Type: "section", Text: mrkdwn(b.String())})
	}
	out, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("slack body for run %d: %w", ev.RunID, err)
	}
	return out, nil
}

func mrkdwn(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s} }

// statusLine says what happened to the run, e.g. "run 42 failed after
// 3m12s".
func statusLine(ev Event) string {
	s := fmt.Sprintf("run %d", ev.RunID)
	if ev.Attempt > 0 {
		s += fmt.Sprintf(" (repair %d)", ev.Attempt)
	}
	switch {
	case ev.Event == EventStarted:
		return s + " started"
	case ev.State == "succeeded":
		s += " succeeded"
	case ev.State == "timed_out":
		s += " timed out"
	case ev.State == "canceled":
		s += " was canceled"
	case ev.State == "failed" || ev.Event == EventFailed:
		s += " failed"
	default:
		s += " is " + strings.ReplaceAll(ev.State, "_", " ")
	}
	if d := duration(ev.DurationSeconds); d != "" {
		s += " after " + d
	}
	return s
}

// duration formats seconds like 3m12s (to the second from a second up,
// else to the millisecond); "" for zero.
func duration(sec float64) string {
	switch {
	case !(sec > 0): // also NaN
		return ""
	case sec > 1e9: // beyond time.Duration's comfort, and beyond any real run
		return strconv.FormatFloat(sec, 'f', 0, 64) + "s"
	}
	d := time.Duration(sec * float64(time.Second))
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func failedTasks(ts []TaskSummary) []TaskSummary {
	var out []TaskSummary
	for _, t := range ts {
		switch t.State {
		case "failed", "timed_out", "upstream_failed", "canceled":
			out = append(out, t)
		}
	}
	return out
}

func taskStatus(t TaskSummary) string {
	s := strings.ReplaceAll(t.State, "_", " ")
	if t.State == "timed_out" {
		s = "timed out"
	}
	if t.Attempts > 0 && (t.State == "failed" || t.State == "timed_out") {
		s += " after " + pluralize(t.Attempts, "attempt", "attempts")
	}
	return s
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// truncate cuts s to at most n characters, marking a cut with "…".
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

// oneLine replaces line breaks so a message stays on its list item.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", " ")), " ")
}

// escape makes s literal in Slack mrkdwn, which treats &, < and > as
// control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
