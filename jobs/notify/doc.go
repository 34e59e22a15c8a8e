// Package notify tells people and systems about job runs: it posts a
// JSON payload to webhooks and a message to Slack-compatible incoming
// webhooks (Slack, Mattermost, Rocket.Chat).
//
// A Sender delivers one Event to one spec.Destination (Send) or to many
// at once (SendAll), retrying what can succeed later. The engine sends
// run.started when a run first starts, and run.succeeded or run.failed
// when it ends, to the job's notifications.on_start, on_success and
// on_failure destinations.
//
// # Webhook payload
//
// A webhook receives a POST with these headers:
//
//	Content-Type: application/json
//	User-Agent: sluice
//	X-Sluice-Event: run.failed        (the event name, as in the body)
//
// plus the destination's headers (for example an Authorization token),
// and this body — a complete example, field by field as sent:
//
//	{
//	  "event": "run.failed",
//	  "job": "nightly_churn",
//	  "run_id": 42,
//	  "state": "failed",
//	  "trigger": "schedule",
//	  "repair": 0,
//	  "logical_time": "2025-03-09T07:00:00Z",
//	  "queued_at": "2025-03-09T07:00:00.012Z",
//	  "started_at": "2025-03-09T07:00:00.25Z",
//	  "ended_at": "2025-03-09T07:03:12.25Z",
//	  "duration_seconds": 192,
//	  "message": "task train failed",
//	  "tasks": [
//	    {
//	      "key": "ingest",
//	      "state": "succeeded",
//	      "attempts": 1
//	    },
//	    {
//	      "key": "train",
//	      "state": "failed",
//	      "attempts": 3,
//	      "message": "exit status 1: ValueError: could not convert string to float: 'n/a'"
//	    },
//	    {
//	      "key": "score",
//	      "state": "upstream_failed",
//	      "attempts": 0
//	    }
//	  ],
//	  "parameters": {
//	    "date": "2025-03-09"
//	  },
//	  "run_url": "https://sluice.example.com/runs/42"
//	}
//
// The fields:
//
//	event             "run.started", "run.succeeded" or "run.failed" (failed,
//	                  timed out and canceled runs; state says which)
//	job               the job's name
//	run_id            the run's ID, as in 'sluice runs show 42'
//	state             running (run.started); succeeded, failed, timed_out or canceled
//	trigger           manual, schedule, backfill, table_updated or run_job
//	repair            0 for the run as first executed, n after its n-th repair
//	                  ('sluice runs repair'), which reruns failed tasks in the same run
//	logical_time      the time the run is for (its schedule tick or backfill date);
//	                  left out for runs without one
//	queued_at, started_at, ended_at
//	                  RFC 3339 in UTC, with fractional seconds when there are any;
//	                  a time not reached yet (ended_at of run.started) is left out
//	duration_seconds  ended_at - started_at in seconds; left out until the run ends
//	message           why the run ended as it did; left out when empty
//	tasks             every task of the job in file order with its final state
//	                  (succeeded, failed, timed_out, canceled, skipped,
//	                  upstream_failed), its number of attempts and, for failures,
//	                  a message; only in run.succeeded and run.failed
//	parameters        the run's resolved parameters; left out if the job has none
//	run_url           the run's page, when the server knows its public address
//
// Receivers should ignore fields they do not know: new ones may be added.
// A delivery may be repeated (a retry after a timeout whose request did
// arrive); run_id, event and repair together identify a notification.
//
// # Slack
//
// A Slack destination receives SlackBody(ev): a message whose "text" is a
// plain one-line summary ("nightly_churn run 42 failed after 3m12s;
// failed tasks: train https://…") and whose "blocks" show the status,
// the trigger and logical time, and each failed task with its message cut
// to 300 characters. Mattermost and Rocket.Chat show the text.
//
// # Delivery
//
// A 2xx response means delivered. Network errors, 5xx and 429 responses
// are retried (3 times by default) with exponential backoff from 1s,
// honouring a 429's Retry-After up to a minute; other responses are not
// retried. The caller's context bounds everything. Errors never contain a
// destination's query string, user information or (for Slack URLs, whose
// path is the secret) path beyond its first segment.
package notify
