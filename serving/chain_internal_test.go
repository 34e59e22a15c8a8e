package serving

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/models/modelstest"
)

// The narrow-frame chain is used for the churn model and gives the
// whole pipeline's outputs on every test row.
func TestChainMatchesPipeline(t *testing.T) {
	ctx := context.Background()
	c := modelstest.MustChurn(t)
	dir := filepath.Join(t.TempDir(), "m")
	if err := models.Save(ctx, dir, c.Model, c.Train.Schema(), models.Options{}); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(ctx, dir, stages.Registry(nil))
	if err != nil {
		t.Fatal(err)
	}
	ch := newChain(m)
	if ch == nil {
		t.Fatal("no chain for the churn model: requests would run the whole pipeline")
	}
	in, err := c.Test.Select(ml.ColumnNames(m.InputSchema)...)
	if err != nil {
		t.Fatal(err)
	}
	cols := make([]*arrow.Chunked, in.Schema().NumFields())
	for j, f := range in.Schema().Fields() {
		cols[j], _ = in.Column(f.Name)
	}
	vals, err := ch.run(ctx, cols, int(in.NumRows()), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Pipeline.Transform(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// The kernel path predicts the same classes.
	if ch.final == nil {
		t.Fatal("no kernel step for the churn model's tree")
	}
	d := &decoder{}
	if err := ch.final.predict(d, vals[ch.ids["features"]]); err != nil {
		t.Fatal(err)
	}
	wp, _ := want.Column("prediction")
	wpa, _ := ml.Flatten(wp)
	var all []byte
	for i := 0; i < wpa.Len(); i++ {
		if i > 0 {
			all = append(all, ", "...)
		}
		all, _ = models.AppendJSON(all, wpa, i)
	}
	if string(d.out) != string(all) {
		t.Errorf("kernel predictions differ from the pipeline's")
	}
	for _, name := range []string{"prediction", "probability", "rawPrediction", "features"} {
		wc, _ := want.Column(name)
		wa, _ := ml.Flatten(wc)
		ga, _ := ml.Flatten(vals[ch.ids[name]])
		for i := 0; i < wa.Len(); i++ {
			wb, _ := models.AppendJSON(nil, wa, i)
			gb, _ := models.AppendJSON(nil, ga, i)
			if string(wb) != string(gb) {
				t.Fatalf("%s row %d: got %s, want %s", name, i+1, gb, wb)
			}
		}
	}
}
