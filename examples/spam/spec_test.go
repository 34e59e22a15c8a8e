package spam_test

import (
	"testing"

	jobspec "github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
)

// TestSpecsAreValid checks train.yaml against the registry of every stage
// (stage and param names, types, schema of the chained stages is checked
// when it runs) and job.yaml against the jobs format, without the data.
func TestSpecsAreValid(t *testing.T) {
	sp, err := spec.ParseFile("train.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Build(stages.Registry(nil)); err != nil {
		t.Fatal(err)
	}
	job, err := jobspec.ParseFile("job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(job.Tasks) != 4 {
		t.Errorf("job.yaml has %d tasks, want 4 (ingest, fit, score, report)", len(job.Tasks))
	}
}
