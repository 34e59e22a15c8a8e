package tree

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// loss is a boosting loss.
type loss int

const (
	logLoss loss = iota // labels 0/1, margin F, P(1) = σ(2F) (Spark's LogLoss)
	squaredLoss
	absoluteLoss
)

// boostSpec says how to boost.
type boostSpec struct {
	loss     loss
	maxIter  int
	step     float64
	rate     float64
	cfg      growConfig
	seed     int64
	validate bool
	tol      float64
	lambda   float64 // L2 regularization of Newton leaf values
	workers  int
}

// boost fits spec.maxIter trees to td's training rows, evaluating
// td.valid (when spec.validate) for Spark's early stopping. It returns
// the trees and their weights: the first tree has weight 1 and holds the
// initial score, the others have weight spec.step.
//
// Classification trees are Newton steps on the logistic loss: they split
// on gradient/hessian histograms (gain G_L²/(H_L+λ) + G_R²/(H_R+λ) −
// G²/(H+λ)) and their leaves hold −G/(H+λ), halved into Spark's margin
// units. Regression
// trees fit the residual (squared loss) or its sign (absolute loss) with
// variance splits; squared-loss leaves hold the mean residual,
// absolute-loss leaves the weighted median residual.
func boost(ctx context.Context, td *trainingData, valid []int32, spec boostSpec) ([]Tree, []float64, error) {
	d, b := td.d, td.b
	weighted := d.W != nil
	var lay layout
	if spec.loss == logLoss {
		lay = newtonLayout(weighted, spec.cfg.minInstances > 1 || spec.cfg.minWeight > 0, spec.lambda)
	} else {
		lay = regLayout(weighted)
	}
	s := lay.s
	n := d.N
	f0 := initialScore(spec.loss, d, td.train)
	margin := make([]float64, n)
	for i := range margin {
		margin[i] = f0
	}
	stats := make([]float64, n*s)
	cfg := spec.cfg
	cfg.workers = spec.workers
	g := newGrower(b, lay, cfg)
	g.leafRows = true
	rng := ml.NewRand(spec.seed)
	inSample := make([]bool, n)
	rows := make([]int32, 0, len(td.train))
	var resid []float64
	if spec.loss == absoluteLoss {
		resid = make([]float64, n)
	}
	validErr := func() float64 {
		num, den := 0.0, 0.0
		for _, r := range valid {
			w := d.Weight(int(r))
			num += w * pointLoss(spec.loss, d.Y[r], margin[r])
			den += w
		}
		if den == 0 {
			return 0
		}
		return num / den
	}
	var trees []Tree
	var weights []float64
	bestErr, bestM := 0.0, 1
	for m := 0; m < spec.maxIter; m++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := rowGradients(ctx, spec, lay, d, td.train, margin, stats, resid); err != nil {
			return nil, nil, err
		}
		rows = rows[:0]
		if spec.rate < 1 {
			clear(inSample)
			for _, r := range td.train {
				if rng.Float64() < spec.rate {
					rows = append(rows, r)
					inSample[r] = true
				}
			}
		} else {
			rows = append(rows, td.train...)
		}
		t, err := g.grow(ctx, rows, stats, rng.Int64())
		if err != nil {
			return nil, nil, err
		}
		switch spec.loss {
		case logLoss:
			for i := range t.Nodes {
				t.Nodes[i].Prediction /= 2 // Newton step on 2F → step on F
			}
		case absoluteLoss:
			for i := range t.Nodes {
				if t.Nodes[i].Feature < 0 {
					t.Nodes[i].Prediction = weightedMedian(d, g.rows[g.lo[i]:g.hi[i]], resid)
				}
			}
		}
		w := spec.step
		if m == 0 {
			// The first tree carries the initial score at weight 1, as
			// Spark's first tree does.
			for i := range t.Nodes {
				t.Nodes[i].Prediction = f0 + spec.step*t.Nodes[i].Prediction
			}
			w = 1
			for i := range margin {
				margin[i] = 0
			}
		}
		// Update the margins: sampled rows by their leaf, the others
		// (held out, validation) by walking the tree on their bins.
		for i := range t.Nodes {
			if t.Nodes[i].Feature >= 0 {
				continue
			}
			v := w * t.Nodes[i].Prediction
			for _, r := range g.rows[g.lo[i]:g.hi[i]] {
				margin[r] += v
			}
		}
		if spec.rate < 1 || len(valid) > 0 {
			sb := splitBins(&t, b)
			for _, r := range td.train {
				if spec.rate < 1 && !inSample[r] {
					margin[r] += w * t.Nodes[leafBinned(&t, sb, b, int(r))].Prediction
				}
			}
			for _, r := range valid {
				margin[r] += w * t.Nodes[leafBinned(&t, sb, b, int(r))].Prediction
			}
		}
		trees = append(trees, t)
		weights = append(weights, w)
		if spec.validate {
			cur := validErr()
			if m == 0 {
				bestErr = cur
				continue
			}
			if bestErr-cur < spec.tol*math.Max(cur, 0.01) {
				break
			} else if cur < bestErr {
				bestErr, bestM = cur, m+1
			}
		}
	}
	if spec.validate && len(trees) > bestM {
		trees, weights = trees[:bestM], weights[:bestM]
	}
	return trees, weights, nil
}

// initialScore is the constant the boosting starts from: half the
// log-odds of the weighted positive rate (Spark's margin units), the
// weighted mean label (squared) or the weighted median (absolute).
func initialScore(l loss, d *ml.Dataset, train []int32) float64 {
	switch l {
	case logLoss:
		pos, tot := 0.0, 0.0
		for _, r := range train {
			w := d.Weight(int(r))
			pos += w * d.Y[r]
			tot += w
		}
		p := min(max(pos/tot, 1e-15), 1-1e-15)
		return 0.5 * math.Log(p/(1-p))
	case squaredLoss:
		s, tot := 0.0, 0.0
		for _, r := range train {
			w := d.Weight(int(r))
			s += w * d.Y[r]
			tot += w
		}
		return s / tot
	}
	return weightedMedian(d, train, d.Y)
}

// weightedMedian returns the weighted median of v over rows.
func weightedMedian(d *ml.Dataset, rows []int32, v []float64) float64 {
	if len(rows) == 0 {
		return 0
	}
	type pw struct{ v, w float64 }
	ps := make([]pw, len(rows))
	tot := 0.0
	for i, r := range rows {
		ps[i] = pw{v[r], d.Weight(int(r))}
		tot += ps[i].w
	}
	slices.SortFunc(ps, func(a, b pw) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	acc := 0.0
	for _, p := range ps {
		acc += p.w
		if acc >= tot/2 {
			return p.v
		}
	}
	return ps[len(ps)-1].v
}

// pointLoss is Spark's per-row error: 2·log(1+exp(−2yF)) with y = ±1,
// (y−F)² or |y−F|.
func pointLoss(l loss, y, f float64) float64 {
	switch l {
	case logLoss:
		m := -2 * (2*y - 1) * f
		if m > 0 {
			return 2 * (m + math.Log1p(math.Exp(-m)))
		}
		return 2 * math.Log1p(math.Exp(m))
	case squaredLoss:
		return (y - f) * (y - f)
	}
	return math.Abs(y - f)
}

// rowGradients writes each training row's stats for the next tree, in
// parallel over row ranges: [g, h] (or [g, h, w, 1]) of the logistic
// loss on the log-odds 2F, or [w, wt, wt²] for the residual t (its sign
// for the absolute loss, whose residuals go to resid).
func rowGradients(ctx context.Context, spec boostSpec, lay layout, d *ml.Dataset, train []int32, margin, stats, resid []float64) error {
	s := lay.s
	y := d.Y
	const chunk = 16384
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(max(1, spec.workers))
	for lo := 0; lo < len(train); lo += chunk {
		part := train[lo:min(len(train), lo+chunk)]
		g.Go(func() error {
			switch {
			case spec.loss == logLoss && !lay.tracked():
				for _, r := range part {
					p := 1 / (1 + math.Exp(-2*margin[r]))
					st := stats[2*int(r) : 2*int(r)+2 : 2*int(r)+2]
					st[0], st[1] = p-y[r], max(p*(1-p), 1e-16)
				}
			case spec.loss == logLoss:
				for _, r := range part {
					w := d.Weight(int(r))
					p := 1 / (1 + math.Exp(-2*margin[r]))
					st := stats[4*int(r) : 4*int(r)+4 : 4*int(r)+4]
					st[0], st[1], st[2], st[3] = w*(p-y[r]), w*max(p*(1-p), 1e-16), w, 1
				}
			default:
				for _, r := range part {
					i := int(r)
					w := d.Weight(i)
					t := y[i] - margin[i]
					if spec.loss == absoluteLoss {
						resid[i] = t
						switch {
						case t > 0:
							t = 1
						case t < 0:
							t = -1
						}
					}
					st := stats[i*s : i*s+s]
					st[0], st[1], st[2] = w, w*t, w*t*t
					if lay.cIdx >= 0 {
						st[3] = 1
					}
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// splitBins returns each node's split bin for walking the tree on bins
// (-1 for leaves and categorical splits).
func splitBins(t *Tree, b *binned) []int {
	out := make([]int, len(t.Nodes))
	for i := range t.Nodes {
		n := &t.Nodes[i]
		out[i] = -1
		if n.Feature >= 0 && n.NumCategories < 0 {
			out[i] = binOf(b.splits[n.Feature], n.Threshold)
		}
	}
	return out
}

// leafBinned returns the leaf row r of b falls in.
func leafBinned(t *Tree, sb []int, b *binned, r int) int {
	i := 0
	for {
		n := &t.Nodes[i]
		if n.Feature < 0 {
			return i
		}
		bin := int(b.bins[n.Feature*b.n+r])
		var left bool
		if sb[i] >= 0 {
			left = bin <= sb[i]
		} else {
			left = n.mask != nil && n.mask[bin>>6]&(1<<(uint(bin)&63)) != 0
		}
		if left {
			i = n.Left
		} else {
			i = n.Right
		}
	}
}

// validationRows splits the rows by the boolean validationIndicatorCol:
// true rows validate, the others train.
func validationRows(f *ml.Frame, col string) (train, valid []int32, err error) {
	field, err := ml.FieldOf(f.Schema(), col)
	if err != nil {
		return nil, nil, fmt.Errorf("validationIndicatorCol: %w", err)
	}
	if field.Type.ID() != arrow.BOOL {
		return nil, nil, fmt.Errorf("validationIndicatorCol %q has type %s; want a boolean column (true marks validation rows)", col, field.Type)
	}
	chunked, _ := f.Column(col)
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, nil, err
	}
	defer arr.Release()
	flags, _, err := ml.Float64s(arr)
	if err != nil {
		return nil, nil, err
	}
	for i, v := range flags {
		switch {
		case arr.IsNull(i):
			return nil, nil, fmt.Errorf("column %s, row %d: validation indicator is NULL; set it to true or false", col, i+1)
		case v != 0:
			valid = append(valid, int32(i))
		default:
			train = append(train, int32(i))
		}
	}
	if len(train) == 0 {
		return nil, nil, fmt.Errorf("validationIndicatorCol %q is true on every row; leave some rows (false) to train on", col)
	}
	if len(valid) == 0 {
		return nil, nil, fmt.Errorf("validationIndicatorCol %q is false on every row; mark the validation rows true or clear the param", col)
	}
	return train, valid, nil
}
