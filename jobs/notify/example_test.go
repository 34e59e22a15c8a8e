package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/sluice-dev/sluice/jobs/notify"
	"github.com/sluice-dev/sluice/jobs/spec"
)

func ExampleSender_Send() {
	received := make(chan notify.Event, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev notify.Event
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Println(r.Header.Get("X-Sluice-Event"), r.Header.Get("Authorization"))
		received <- ev
	}))
	defer srv.Close()

	s := &notify.Sender{}
	d := spec.Destination{Webhook: srv.URL, Headers: map[string]string{"Authorization": "Bearer t0k"}}
	err := s.Send(context.Background(), d, notify.Event{
		Event: notify.EventSucceeded, Job: "nightly_churn", RunID: 42, State: "succeeded", Trigger: "schedule",
		StartedAt: time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC), EndedAt: time.Date(2025, 3, 9, 7, 3, 12, 0, time.UTC),
		DurationSeconds: 192,
	})
	fmt.Println(err)
	ev := <-received
	fmt.Println(ev.Job, ev.RunID, ev.State, ev.DurationSeconds)
	// Output:
	// run.succeeded Bearer t0k
	// <nil>
	// nightly_churn 42 succeeded 192
}

func ExampleSlackBody() {
	body, err := notify.SlackBody(notify.Event{
		Event: notify.EventFailed, Job: "nightly_churn", RunID: 42, State: "failed", Trigger: "schedule",
		DurationSeconds: 192,
		Tasks:           []notify.TaskSummary{{Key: "train", State: "failed", Attempts: 3, Message: "exit status 1"}},
	})
	if err != nil {
		panic(err)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Text *struct{ Text string } `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		panic(err)
	}
	fmt.Println(msg.Text)
	fmt.Println(msg.Blocks[0].Text.Text)
	fmt.Println(msg.Blocks[2].Text.Text)
	// Output:
	// nightly_churn run 42 failed after 3m12s; failed tasks: train
	// *nightly_churn* run 42 failed after 3m12s
	// *Failed tasks*
	// • `train` failed after 3 attempts: exit status 1
}
