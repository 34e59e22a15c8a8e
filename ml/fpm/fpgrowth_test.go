package fpm_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/fpm"
)

func fitFP(tb testing.TB, f *ml.Frame, minSupport, minConfidence float64) *fpm.FPGrowthModel {
	tb.Helper()
	e := fpm.NewFPGrowth()
	e.P.MinSupport, e.P.MinConfidence = minSupport, minConfidence
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return m.(*fpm.FPGrowthModel)
}

// Spark's documented example (ml-frequent-pattern-mining): the itemsets,
// rules and predictions, hand-checked; the order is Sluice's.
func TestFPGrowthSparkExample(t *testing.T) {
	f := itemsFrame(t, split("1 2 5"), split("1 2 3 5"), split("1 2"))
	m := fitFP(t, f, 0.5, 0.6)

	fi := m.FreqItemsets()
	gotSets := lists(t, fi, "items")
	wantSets := [][]string{{"1"}, {"2"}, {"2", "1"}, {"5"}, {"5", "1"}, {"5", "2"}, {"5", "2", "1"}}
	if !reflect.DeepEqual(gotSets, wantSets) {
		t.Errorf("freqItemsets items = %v, want %v", gotSets, wantSets)
	}
	if got, want := int64s(t, fi, "freq"), []int64{3, 3, 3, 2, 2, 2, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("freqItemsets freq = %v, want %v", got, want)
	}

	ar := m.AssociationRules()
	if got, want := ml.ColumnNames(ar.Schema()), []string{"antecedent", "consequent", "confidence", "lift", "support"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("associationRules columns = %v, want %v", got, want)
	}
	type r struct {
		ante, cons       string
		conf, lift, supp float64
	}
	want := []r{
		{"1", "2", 1, 1, 1}, {"2", "1", 1, 1, 1},
		{"5", "1", 1, 1, 2.0 / 3}, {"5", "2", 1, 1, 2.0 / 3},
		{"5 1", "2", 1, 1, 2.0 / 3}, {"5 2", "1", 1, 1, 2.0 / 3},
		{"1", "5", 2.0 / 3, 1, 2.0 / 3}, {"2", "5", 2.0 / 3, 1, 2.0 / 3}, {"2 1", "5", 2.0 / 3, 1, 2.0 / 3},
	}
	ante, cons := lists(t, ar, "antecedent"), lists(t, ar, "consequent")
	conf, lift, supp := float64s(t, ar, "confidence"), float64s(t, ar, "lift"), float64s(t, ar, "support")
	if len(ante) != len(want) {
		t.Fatalf("%d rules, want %d: %v ⇒ %v", len(ante), len(want), ante, cons)
	}
	for i, w := range want {
		g := r{strings.Join(ante[i], " "), strings.Join(cons[i], " "), conf[i], lift[i], supp[i]}
		if g.ante != w.ante || g.cons != w.cons || math.Abs(g.conf-w.conf) > 1e-12 || math.Abs(g.lift-w.lift) > 1e-12 || math.Abs(g.supp-w.supp) > 1e-12 {
			t.Errorf("rule %d = %+v, want %+v", i, g, w)
		}
	}

	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lists(t, out, "prediction"), [][]string{{}, {}, {"5"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("prediction = %v, want %v", got, want)
	}
	if ds := m.DebugString(); !strings.Contains(ds, "7 frequent itemsets of 3 items from 3 transactions") || !strings.Contains(ds, "9 association rules") {
		t.Errorf("DebugString = %q", ds)
	}
}

// Lift differs from 1 and confidence filters: a hand-computed case.
func TestFPGrowthLiftAndConfidence(t *testing.T) {
	// 4 transactions; bread 3, milk 3, beer 2; {bread, milk} 2,
	// {beer, bread} 1 (not frequent at count 2), {beer, milk} 2.
	f := itemsFrame(t, split("bread milk"), split("bread milk beer"), split("bread"), split("milk beer"))
	m := fitFP(t, f, 0.5, 0.7)
	ar := m.AssociationRules()
	ante, cons := lists(t, ar, "antecedent"), lists(t, ar, "consequent")
	conf, lift, supp := float64s(t, ar, "confidence"), float64s(t, ar, "lift"), float64s(t, ar, "support")
	// beer ⇒ milk: conf 2/2 = 1, lift 1/(3/4) = 4/3, support 2/4. The
	// others (bread ⇒ milk 2/3, milk ⇒ bread 2/3, milk ⇒ beer 2/3) fall
	// below 0.7.
	if len(ante) != 1 || ante[0][0] != "beer" || cons[0][0] != "milk" {
		t.Fatalf("rules %v ⇒ %v, want [beer] ⇒ [milk]", ante, cons)
	}
	if math.Abs(conf[0]-1) > 1e-12 || math.Abs(lift[0]-4.0/3) > 1e-12 || math.Abs(supp[0]-0.5) > 1e-12 {
		t.Errorf("beer ⇒ milk: confidence %v lift %v support %v, want 1, 4/3, 0.5", conf[0], lift[0], supp[0])
	}
	// Lowering minConfidence on the model brings the other rules back.
	m.P.MinConfidence = 0.6
	if n := m.AssociationRules().NumRows(); n != 4 {
		t.Errorf("at minConfidence 0.6: %d rules, want 4", n)
	}
	// Transform: a basket with beer gets milk; with bread gets milk (conf
	// 2/3); milk gets bread and beer; an unknown item predicts nothing.
	in := itemsFrame(t, split("beer"), split("bread"), split("milk"), split("caviar"), nil, split("beer beer"))
	out, err := m.Transform(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := lists(t, out, "prediction")
	want := [][]string{{"milk"}, {"milk"}, {"beer", "bread"}, {}, {}, {"milk"}}
	// milk ⇒ beer and milk ⇒ bread both have confidence 2/3; milk ⇒ beer
	// has the higher lift (2/3 / 1/2 = 4/3 against 2/3 / 3/4 = 8/9).
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prediction = %v, want %v", got, want)
	}
}

// bruteItemsets counts every subset of every transaction.
func bruteItemsets(txs [][]string, minCount int64) map[string]int64 {
	counts := map[string]int64{}
	for _, tx := range txs {
		n := len(tx)
		for mask := 1; mask < 1<<n; mask++ {
			var s []string
			for b := range n {
				if mask&(1<<b) != 0 {
					s = append(s, tx[b])
				}
			}
			counts[setKey(s)]++
		}
	}
	for k, c := range counts {
		if c < minCount {
			delete(counts, k)
		}
	}
	return counts
}

func TestFPGrowthMatchesBruteForce(t *testing.T) {
	rng := ml.NewRand(7)
	for trial := range 30 {
		nTx := 5 + rng.IntN(60)
		nItems := 2 + rng.IntN(9)
		var txs [][]string
		for range nTx {
			tx := []string{}
			for it := range nItems {
				// Skewed item popularity, some correlation between items.
				p := 0.7 / float64(1+it/2)
				if len(tx) > 0 && it%3 == 1 {
					p += 0.3
				}
				if rng.Float64() < p {
					tx = append(tx, fmt.Sprintf("i%d", it))
				}
			}
			txs = append(txs, tx)
		}
		minSupport := []float64{0, 0.05, 0.1, 0.25, 0.5, 0.9, 1}[trial%7]
		minConf := rng.Float64()
		m := fitFP(t, itemsFrame(t, txs...), minSupport, minConf)
		minCount := max(1, int64(math.Ceil(minSupport*float64(nTx))))
		want := bruteItemsets(txs, minCount)
		fi := m.FreqItemsets()
		got := map[string]int64{}
		sets, freq := lists(t, fi, "items"), int64s(t, fi, "freq")
		for i, s := range sets {
			k := setKey(s)
			if _, dup := got[k]; dup {
				t.Fatalf("trial %d: itemset %v twice", trial, s)
			}
			got[k] = freq[i]
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d (%d transactions, minSupport %v): itemsets\n got %v\nwant %v", trial, nTx, minSupport, got, want)
		}
		// Rules: every (X, y) with X∪{y} frequent and confidence >= minConf.
		wantRules := map[string][3]float64{}
		for k, c := range want {
			items := strings.Split(k, "|")
			if len(items) < 2 {
				continue
			}
			for j, y := range items {
				x := slices.Delete(slices.Clone(items), j, j+1)
				conf := float64(c) / float64(want[setKey(x)])
				if conf >= minConf {
					wantRules[setKey(x)+"=>"+y] = [3]float64{conf, conf / (float64(want[y]) / float64(nTx)), float64(c) / float64(nTx)}
				}
			}
		}
		ar := m.AssociationRules()
		ante, cons := lists(t, ar, "antecedent"), lists(t, ar, "consequent")
		conf, lift, supp := float64s(t, ar, "confidence"), float64s(t, ar, "lift"), float64s(t, ar, "support")
		if len(ante) != len(wantRules) {
			t.Fatalf("trial %d: %d rules, want %d", trial, len(ante), len(wantRules))
		}
		for i := range ante {
			w, ok := wantRules[setKey(ante[i])+"=>"+cons[i][0]]
			if !ok || math.Abs(w[0]-conf[i]) > 1e-12 || math.Abs(w[1]-lift[i]) > 1e-9 || math.Abs(w[2]-supp[i]) > 1e-12 {
				t.Fatalf("trial %d: rule %v ⇒ %v (%v, %v, %v), want %v (found %v)", trial, ante[i], cons[i], conf[i], lift[i], supp[i], w, ok)
			}
			if i > 0 && conf[i] > conf[i-1] {
				t.Fatalf("trial %d: rules not in descending confidence at %d", trial, i)
			}
		}
		// Predictions: union of consequents of satisfied rules, minus the
		// row's items.
		out, err := m.Transform(context.Background(), itemsFrame(t, txs...))
		if err != nil {
			t.Fatal(err)
		}
		preds := lists(t, out, "prediction")
		for r, tx := range txs {
			has := map[string]bool{}
			for _, it := range tx {
				has[it] = true
			}
			wantP := map[string]bool{}
			for i := range ante {
				ok := true
				for _, a := range ante[i] {
					ok = ok && has[a]
				}
				if ok && !has[cons[i][0]] {
					wantP[cons[i][0]] = true
				}
			}
			gotP := map[string]bool{}
			for _, p := range preds[r] {
				gotP[p] = true
			}
			if len(gotP) != len(preds[r]) || !reflect.DeepEqual(gotP, wantP) && (len(gotP) > 0 || len(wantP) > 0) {
				t.Fatalf("trial %d row %d %v: prediction %v, want %v", trial, r, tx, preds[r], wantP)
			}
		}
	}
}

func TestFPGrowthNullAndEmptyTransactions(t *testing.T) {
	// 2 NULL rows are skipped (n = 4 with the empty transaction), so
	// minSupport 0.5 means a count of 2: a (3) and b (2) are frequent.
	f := itemsFrame(t, split("a b"), nil, split("a"), []string{}, nil, split("a b c"))
	m := fitFP(t, f, 0.5, 0.5)
	if m.NumTrainingRecords() != 4 {
		t.Errorf("NumTrainingRecords = %d, want 4", m.NumTrainingRecords())
	}
	fi := m.FreqItemsets()
	if got, want := lists(t, fi, "items"), [][]string{{"a"}, {"b"}, {"b", "a"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("itemsets %v, want %v", got, want)
	}
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	// a ⇒ b has confidence 2/3, b ⇒ a 1; NULL rows predict [].
	if got, want := lists(t, out, "prediction"), [][]string{{}, {}, {"b"}, {}, {}, {}}; !reflect.DeepEqual(got, want) {
		t.Errorf("prediction = %v, want %v", got, want)
	}
}

func TestFPGrowthIntegerItems(t *testing.T) {
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Int32)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	for _, tx := range [][]int32{{1, 2, 5}, {1, 2, 3, 5}, {1, 2}} {
		lb.Append(true)
		vb.AppendValues(tx, nil)
	}
	arr := lb.NewArray()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "items", Type: arr.DataType()}}, nil), []*arrow.Chunked{arrow.NewChunked(arr.DataType(), []arrow.Array{arr})})
	if err != nil {
		t.Fatal(err)
	}
	m := fitFP(t, f, 0.5, 0.6)
	fi := m.FreqItemsets()
	if typ := fi.Schema().Field(0).Type; !arrow.TypeEqual(typ, arrow.ListOf(arrow.PrimitiveTypes.Int64)) {
		t.Errorf("items type %s, want list<int64>", typ)
	}
	if got := lists(t, fi, "items"); len(got) != 7 || !reflect.DeepEqual(got[6], []string{"5", "2", "1"}) {
		t.Errorf("itemsets %v", got)
	}
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if got := lists(t, out, "prediction"); !reflect.DeepEqual(got, [][]string{{}, {}, {"5"}}) {
		t.Errorf("prediction %v", got)
	}
	// A string column on an integer model is refused.
	if _, err := m.Transform(context.Background(), itemsFrame(t, split("1 2"))); err == nil || !strings.Contains(err.Error(), "fitted on integer items") {
		t.Errorf("string items on an integer model: %v", err)
	}
}

func TestFPGrowthErrors(t *testing.T) {
	ctx := context.Background()
	good := itemsFrame(t, split("a b"), split("a"))
	tests := []struct {
		name string
		set  func(p *fpm.FPGrowthParams)
		f    *ml.Frame
		want string
	}{
		{"duplicate item", nil, itemsFrame(t, split("a b"), split("c a c")), `column items, row 2: items in a transaction must be unique, but "c" appears more than once`},
		{"minSupport > 1", func(p *fpm.FPGrowthParams) { p.MinSupport = 1.5 }, good, "minSupport is 1.5"},
		{"minSupport NaN", func(p *fpm.FPGrowthParams) { p.MinSupport = math.NaN() }, good, "minSupport is NaN"},
		{"minConfidence < 0", func(p *fpm.FPGrowthParams) { p.MinConfidence = -0.1 }, good, "minConfidence is -0.1"},
		{"numPartitions", func(p *fpm.FPGrowthParams) { p.NumPartitions = -1 }, good, "numPartitions is -1"},
		{"missing column", func(p *fpm.FPGrowthParams) { p.ItemsCol = "basket" }, good, `itemsCol: no column "basket"`},
		{"prediction exists", func(p *fpm.FPGrowthParams) { p.PredictionCol = "items" }, good, `output column "items" already exists`},
		{"no transactions", nil, itemsFrame(t, nil, nil), "has no transactions"},
		{"NULL item", nil, nullItemFrame(t), "column items, row 1: item 1 is NULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := fpm.NewFPGrowth()
			if tt.set != nil {
				tt.set(&e.P)
			}
			_, err := e.Fit(ctx, tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Fit error %v, want %q", err, tt.want)
			}
			if tt.name == "prediction exists" || tt.name == "missing column" {
				if _, err := e.TransformSchema(tt.f.Schema()); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("TransformSchema error %v, want %q", err, tt.want)
				}
			}
		})
	}
	// A non-array column.
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.Append("a b")
	sa := sb.NewArray()
	sf, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "items", Type: arrow.BinaryTypes.String}}, nil), []*arrow.Chunked{arrow.NewChunked(sa.DataType(), []arrow.Array{sa})})
	if _, err := fpm.NewFPGrowth().Fit(ctx, sf); err == nil || !strings.Contains(err.Error(), "want array<string>") {
		t.Errorf("string column: %v", err)
	}
	// Unknown frame name.
	m := fitFP(t, good, 0.5, 0.5)
	if _, err := m.ModelFrame(ctx, "freqItemset"); err == nil || !strings.Contains(err.Error(), `did you mean "freqItemsets"`) {
		t.Errorf("unknown frame: %v", err)
	}
	if got := m.FrameNames(); !reflect.DeepEqual(got, []string{"freqItemsets", "associationRules"}) {
		t.Errorf("FrameNames = %v", got)
	}
	// Cancelled context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fpm.NewFPGrowth().Fit(cctx, good); err == nil {
		t.Error("Fit with a cancelled context succeeded")
	}
}

func nullItemFrame(t *testing.T) *ml.Frame {
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	lb.Append(true)
	vb.AppendNull()
	arr := lb.NewArray()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "items", Type: arr.DataType()}}, nil), []*arrow.Chunked{arrow.NewChunked(arr.DataType(), []arrow.Array{arr})})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFPGrowthSaveLoad(t *testing.T) {
	ctx := context.Background()
	rng := ml.NewRand(3)
	var txs [][]string
	for range 200 {
		tx := []string{}
		for it := range 12 {
			if rng.Float64() < 0.6/float64(1+it%5) {
				tx = append(tx, fmt.Sprintf("item%02d", it))
			}
		}
		txs = append(txs, tx)
	}
	f := itemsFrame(t, txs...)
	m := fitFP(t, f, 0.05, 0.3)
	dir := filepath.Join(t.TempDir(), "fp")
	if err := ml.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	lm := loaded.(*fpm.FPGrowthModel)
	for _, name := range lm.FrameNames() {
		a, _ := m.ModelFrame(ctx, name)
		b, err := lm.ModelFrame(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range ml.ColumnNames(a.Schema()) {
			if c == "items" || c == "antecedent" || c == "consequent" {
				if !reflect.DeepEqual(lists(t, a, c), lists(t, b, c)) {
					t.Errorf("%s.%s differs after load", name, c)
				}
			} else if c == "freq" {
				if !reflect.DeepEqual(int64s(t, a, c), int64s(t, b, c)) {
					t.Errorf("%s.%s differs after load", name, c)
				}
			} else if !reflect.DeepEqual(float64s(t, a, c), float64s(t, b, c)) {
				t.Errorf("%s.%s differs after load", name, c)
			}
		}
	}
	wa, _ := m.Transform(ctx, f)
	wb, err := lm.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lists(t, wa, "prediction"), lists(t, wb, "prediction")) {
		t.Error("predictions differ after load")
	}
	if lm.NumTrainingRecords() != 200 || lm.P.MinConfidence != 0.3 {
		t.Errorf("loaded: %d records, minConfidence %v", lm.NumTrainingRecords(), lm.P.MinConfidence)
	}
}

func TestFPGrowthDeterministicAcrossPartitions(t *testing.T) {
	rng := ml.NewRand(5)
	var txs [][]string
	for range 300 {
		var tx []string
		for it := range 20 {
			if rng.Float64() < 0.5/float64(1+it%7) {
				tx = append(tx, fmt.Sprintf("x%d", it))
			}
		}
		txs = append(txs, tx)
	}
	f := itemsFrame(t, txs...)
	var first [][]string
	for _, parts := range []int{1, 2, 7, 0} {
		e := fpm.NewFPGrowth()
		e.P.MinSupport, e.P.NumPartitions = 0.02, parts
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		got := lists(t, m.(*fpm.FPGrowthModel).FreqItemsets(), "items")
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Errorf("numPartitions %d: itemsets differ from numPartitions 1", parts)
		}
	}
}

func ExampleFPGrowth() {
	ctx := context.Background()
	baskets := ml.StringListColumn([][]string{{"1", "2", "5"}, {"1", "2", "3", "5"}, {"1", "2"}}, nil)
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "items", Type: ml.StringListType}}, nil), []*arrow.Chunked{baskets})

	fp := fpm.NewFPGrowth()
	fp.P.MinSupport, fp.P.MinConfidence = 0.5, 0.6
	model, err := fp.Fit(ctx, f)
	if err != nil {
		panic(err)
	}
	m := model.(*fpm.FPGrowthModel)
	fmt.Print(m.DebugString())
	out, _ := m.Transform(ctx, f)
	pred, _ := out.Column("prediction")
	fmt.Println("predictions:", pred.Chunk(0))
	// Output:
	// FPGrowthModel: 7 frequent itemsets of 3 items from 3 transactions (minSupport 0.5); 9 association rules at minConfidence 0.6
	// frequent itemsets (first 7):
	//   [1] freq 3
	//   [2] freq 3
	//   [2, 1] freq 3
	//   [5] freq 2
	//   [5, 1] freq 2
	//   [5, 2] freq 2
	//   [5, 2, 1] freq 2
	// association rules (first 9):
	//   [1] => [2] confidence 1 lift 1 support 1
	//   [2] => [1] confidence 1 lift 1 support 1
	//   [5] => [1] confidence 1 lift 1 support 0.6667
	//   [5] => [2] confidence 1 lift 1 support 0.6667
	//   [5, 1] => [2] confidence 1 lift 1 support 0.6667
	//   [5, 2] => [1] confidence 1 lift 1 support 0.6667
	//   [1] => [5] confidence 0.6667 lift 1 support 0.6667
	//   [2] => [5] confidence 0.6667 lift 1 support 0.6667
	//   [2, 1] => [5] confidence 0.6667 lift 1 support 0.6667
	// predictions: [[] [] ["5"]]
}

func registry() *ml.Registry {
	r := ml.NewRegistry()
	fpm.Register(r)
	return r
}
