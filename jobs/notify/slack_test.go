package notify

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// decodeSlack decodes a Slack body and checks Slack's limits: a section
// text of at most 3,000 characters, at most 10 fields of at most 2,000.
func decodeSlack(t *testing.T, b []byte) slackBody {
	t.Helper()
	var msg slackBody
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&msg); err != nil {
		t.Fatalf("Slack body %s: %v", b, err)
	}
	if msg.Text == "" || len(msg.Blocks) == 0 || len(msg.Blocks) > 50 {
		t.Errorf("text %q, %d blocks", msg.Text, len(msg.Blocks))
	}
	for i, bl := range msg.Blocks {
		if bl.Type != "section" || (bl.Text == nil) == (len(bl.Fields) == 0) {
			t.Errorf("block %d: %+v: want a section with text or fields", i, bl)
		}
		if bl.Text != nil && (bl.Text.Type != "mrkdwn" || utf8.RuneCountInString(bl.Text.Text) > 3000) {
			t.Errorf("block %d: text of %d characters, type %q", i, utf8.RuneCountInString(bl.Text.Text), bl.Text.Type)
		}
		if len(bl.Fields) > 10 {
			t.Errorf("block %d: %d fields", i, len(bl.Fields))
		}
		for _, f := range bl.Fields {
			if f.Type != "mrkdwn" || utf8.RuneCountInString(f.Text) > 2000 {
				t.Errorf("block %d: field %+v", i, f)
			}
		}
	}
	return msg
}

func TestSlackBody(t *testing.T) {
	msg := decodeSlack(t, MustSlackBody(t, sampleEvent()))
	want := slackBody{
		Text: "nightly_churn run 42 failed after 3m12s; failed tasks: train, score https://sluice.example.com/runs/42",
		Blocks: []slackBlock{
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "*nightly_churn* run 42 failed after 3m12s\ntask train failed\n<https://sluice.example.com/runs/42|View run>"}},
			{Type: "section", Fields: []slackText{
				{Type: "mrkdwn", Text: "*Trigger*\nschedule"},
				{Type: "mrkdwn", Text: "*Logical time*\n2025-03-09T07:00:00Z"},
			}},
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "*Failed tasks*\n" +
				"• `train` failed after 3 attempts: exit status 1: ValueError: could not convert string to float: 'n/a'\n" +
				"• `score` upstream failed"}},
		},
	}
	if !reflect.DeepEqual(msg, want) {
		got, _ := json.MarshalIndent(msg, "", "  ")
		exp, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("got\n%s\nwant\n%s", got, exp)
	}
}

func TestSlackStatusLines(t *testing.T) {
	base := Event{Job: "etl", RunID: 7, Trigger: "manual"}
	tests := []struct {
		name string
		edit func(*Event)
		text string
		head string
	}{
		{"started", func(e *Event) { e.Event, e.State = EventStarted, "running" }, "etl run 7 started", "*etl* run 7 started"},
		{"succeeded", func(e *Event) { e.Event, e.State, e.DurationSeconds = EventSucceeded, "succeeded", 3725.4 }, "etl run 7 succeeded after 1h2m5s", "*etl* run 7 succeeded after 1h2m5s"},
		{"fast", func(e *Event) { e.Event, e.State, e.DurationSeconds = EventSucceeded, "succeeded", 0.4121 }, "etl run 7 succeeded after 412ms", ""},
		{"repair", func(e *Event) { e.Event, e.State, e.Attempt = EventSucceeded, "succeeded", 2 }, "etl run 7 (repair 2) succeeded", ""},
		{"timed out", func(e *Event) { e.Event, e.State, e.DurationSeconds = EventFailed, "timed_out", 60 }, "etl run 7 timed out after 1m0s", ""},
		{"canceled", func(e *Event) { e.Event, e.State = EventFailed, "canceled" }, "etl run 7 was canceled", ""},
		{"escaped", func(e *Event) {
			e.Event, e.State, e.Message = EventFailed, "failed", "<!channel> a & b"
			e.RunURL = "https://x.example/runs/7?a=1&b=<2>"
		}, "etl run 7 failed https://x.example/runs/7?a=1&amp;b=&lt;2&gt;", "*etl* run 7 failed\n&lt;!channel&gt; a &amp; b\n<https://x.example/runs/7?a=1&b=%3C2%3E|View run>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := base
			tt.edit(&ev)
			msg := decodeSlack(t, MustSlackBody(t, ev))
			if msg.Text != tt.text {
				t.Errorf("text %q, want %q", msg.Text, tt.text)
			}
			if tt.head != "" && msg.Blocks[0].Text.Text != tt.head {
				t.Errorf("status block %q, want %q", msg.Blocks[0].Text.Text, tt.head)
			}
		})
	}
}

func TestSlackBodyTruncates(t *testing.T) {
	ev := sampleEvent()
	ev.Message = strings.Repeat("m", 2000)
	ev.Tasks = nil
	for i := range 40 {
		ev.Tasks = append(ev.Tasks, TaskSummary{Key: fmt.Sprintf("t%02d", i), State: "failed", Attempts: 1,
			Message: strings.Repeat("é", 250) + "\nline two " + strings.Repeat("x", 500)})
	}
	msg := decodeSlack(t, MustSlackBody(t, ev))
	if got := msg.Blocks[0].Text.Text; !strings.Contains(got, strings.Repeat("m", 499)+"…\n") || strings.Contains(got, strings.Repeat("m", 500)) {
		t.Errorf("run message not cut to 500 characters: %d characters", utf8.RuneCountInString(got))
	}
	list := msg.Blocks[len(msg.Blocks)-1].Text.Text
	lines := strings.Split(list, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[len(lines)-1], "… and ") {
		t.Fatalf("task list not cut short: %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	shown := len(lines) - 2 // the heading and "… and N more"
	if want := fmt.Sprintf("… and %d more", 40-shown); lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	for _, l := range lines[1 : len(lines)-1] {
		_, m, _ := strings.Cut(l, "attempt: ")
		if n := utf8.RuneCountInString(m); n != 300 || !strings.HasSuffix(m, "…") || !strings.Contains(m, "line two") {
			t.Errorf("task message of %d characters, want 300 on one line ending in …: %q", n, m)
		}
	}
}

func FuzzSlackBody(f *testing.F) {
	f.Add("nightly", "failed", "boom <@U1> & more", "train", 3.5, 2)
	f.Add("", "", "\xff\xfe", "", -1.0, 0)
	f.Fuzz(func(t *testing.T, job, state, message, key string, secs float64, repair int) {
		if len(job)+len(message)+len(key)+len(state) > 4096 {
			return
		}
		ev := Event{Event: EventFailed, Job: job, State: state, Message: message, DurationSeconds: secs, Attempt: repair,
			LogicalTime: time.Unix(int64(repair), 0),
			Tasks:       []TaskSummary{{Key: key, State: "failed", Message: message}, {Key: key + "2", State: "timed_out", Attempts: repair}}}
		decodeSlack(t, MustSlackBody(t, ev))
	})
}

// MustSlackBody returns SlackBody(ev) or fails the test.
func MustSlackBody(tb testing.TB, ev Event) []byte {
	tb.Helper()
	b, err := SlackBody(ev)
	if err != nil {
		tb.Fatalf("SlackBody: %v", err)
	}
	return b
}
