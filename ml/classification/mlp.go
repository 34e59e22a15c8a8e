package classification

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/optim"
)

// mlpDefaultSeed is Spark's default seed for MultilayerPerceptronClassifier
// (the Java hash code of its class name).
const mlpDefaultSeed = -763139545

// MultilayerPerceptronParams are MultilayerPerceptronClassifier's params,
// with Spark's names.
type MultilayerPerceptronParams struct {
	ml.ClassifierCols
	Layers         []int     `param:"layers" doc:"layer sizes from input to output: [numFeatures, hidden…, numClasses]"`
	MaxIter        int       `param:"maxIter" doc:"maximum number of iterations (>= 0)"`
	Tol            float64   `param:"tol" doc:"convergence tolerance of the iterations (>= 0)"`
	StepSize       float64   `param:"stepSize" doc:"learning rate of solver gd (> 0)"`
	BlockSize      int       `param:"blockSize" doc:"accepted for Spark compatibility and ignored (> 0)"`
	Solver         string    `param:"solver" doc:"l-bfgs (default) or gd (gradient descent)"`
	Seed           int       `param:"seed" doc:"seed of the random initial weights"`
	InitialWeights []float64 `param:"initialWeights" doc:"initial weights in Spark's layout (per layer: the out×in matrix column-major, then the biases); empty for random"`
	Thresholds     []float64 `param:"thresholds" doc:"one threshold per class: the class with the largest probability/threshold wins; empty for none"`
}

// Validate checks the params.
func (p MultilayerPerceptronParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if len(p.Layers) < 2 {
		return fmt.Errorf("layers is %v; give at least the input and output sizes, e.g. [numFeatures, 5, numClasses]", p.Layers)
	}
	for i, n := range p.Layers {
		if n < 1 {
			return fmt.Errorf("layers[%d] is %d; every layer needs at least 1 unit", i, n)
		}
	}
	switch {
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; use 0 or more", p.MaxIter)
	case !(p.Tol >= 0):
		return fmt.Errorf("tol is %v; use a number >= 0 such as 1e-6", p.Tol)
	case !(p.StepSize > 0) || math.IsInf(p.StepSize, 0):
		return fmt.Errorf("stepSize is %v; use a finite number > 0", p.StepSize)
	case p.BlockSize < 1:
		return fmt.Errorf("blockSize is %d; use a positive number (Sluice ignores it)", p.BlockSize)
	}
	switch p.Solver {
	case "l-bfgs", "gd":
	default:
		return fmt.Errorf("solver %q: use l-bfgs or gd", p.Solver)
	}
	if n := numWeights(p.Layers); len(p.InitialWeights) > 0 && len(p.InitialWeights) != n {
		return fmt.Errorf("initialWeights has %d values; layers %v need %d", len(p.InitialWeights), p.Layers, n)
	}
	return ml.ValidateThresholds(p.Thresholds, len(p.Thresholds))
}

// numWeights is the number of weights of a network with these layers.
func numWeights(layers []int) int {
	n := 0
	for l := 1; l < len(layers); l++ {
		n += (layers[l-1] + 1) * layers[l]
	}
	return n
}

// MultilayerPerceptronClassifier fits a feed-forward neural network, as
// Spark's: sigmoid hidden layers, a softmax output layer, mean
// cross-entropy loss, minimized with L-BFGS (solver l-bfgs) or full-batch
// gradient descent with step stepSize/√t (solver gd). Initial weights
// are uniform in ±2.4/√fanIn from seed, unless initialWeights is set.
// Gradients are computed in parallel over row ranges.
type MultilayerPerceptronClassifier struct {
	P MultilayerPerceptronParams
}

var _ ml.Estimator = (*MultilayerPerceptronClassifier)(nil)

// NewMultilayerPerceptronClassifier returns the estimator with Spark's
// defaults: maxIter 100, tol 1e-6, stepSize 0.03, blockSize 128, solver
// l-bfgs, Spark's default seed. layers must be set.
func NewMultilayerPerceptronClassifier() *MultilayerPerceptronClassifier {
	return &MultilayerPerceptronClassifier{P: MultilayerPerceptronParams{
		ClassifierCols: ml.DefaultClassifierCols(), Layers: []int{}, MaxIter: 100, Tol: 1e-6,
		StepSize: 0.03, BlockSize: 128, Solver: "l-bfgs", Seed: mlpDefaultSeed,
		InitialWeights: []float64{}, Thresholds: []float64{},
	}}
}

// StageName returns "MultilayerPerceptronClassifier".
func (e *MultilayerPerceptronClassifier) StageName() string { return "MultilayerPerceptronClassifier" }

// Params returns the params.
func (e *MultilayerPerceptronClassifier) Params() any { return &e.P }

// TransformSchema checks the input columns and adds the outputs.
func (e *MultilayerPerceptronClassifier) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return fitSchema(in, e.P.ClassifierCols, "")
}

// Fit fits the network. Errors: invalid params, columns or values (as for
// every classifier), a feature count other than layers[0], and labels not
// below layers[last].
func (e *MultilayerPerceptronClassifier) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := e.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("MultilayerPerceptronClassifier: %w", err)
	}
	return m, nil
}

func (e *MultilayerPerceptronClassifier) fit(ctx context.Context, f *ml.Frame) (*MultilayerPerceptronClassificationModel, error) {
	p := e.P
	p.Layers, p.InitialWeights, p.Thresholds = slices.Clone(p.Layers), slices.Clone(p.InitialWeights), slices.Clone(p.Thresholds)
	d, k, err := loadTraining(ctx, f, e, p.ClassifierCols, "")
	if err != nil {
		return nil, err
	}
	layers := p.Layers
	if d.D != layers[0] {
		return nil, fmt.Errorf("layers[0] is %d but the features have %d values; set layers[0] to %d", layers[0], d.D, d.D)
	}
	out := layers[len(layers)-1]
	if k > out {
		return nil, fmt.Errorf("label column %s has %d classes but the output layer has %d units; set the last layer to %d", p.LabelCol, k, out, k)
	}
	if err := ml.ValidateThresholds(p.Thresholds, out); err != nil {
		return nil, err
	}
	theta := make([]float64, numWeights(layers))
	if len(p.InitialWeights) > 0 {
		copy(theta, p.InitialWeights)
	} else {
		r := ml.NewRand(int64(p.Seed))
		net := newNetwork(layers)
		for l := 1; l < len(layers); l++ {
			scale := 1 / math.Sqrt(float64(layers[l-1]))
			for i := net.wOff[l]; i < net.wOff[l]+(layers[l-1]+1)*layers[l]; i++ {
				theta[i] = (r.Float64()*4.8 - 2.4) * scale
			}
		}
	}
	pool := newRowPool(d.N)
	defer pool.close()
	prob := newMLPProblem(d, layers, pool)
	var weights, history []float64
	var iters int
	if p.Solver == "gd" {
		weights, history, iters, err = gradientDescent(ctx, prob.eval, theta, p.MaxIter, p.Tol, p.StepSize)
	} else {
		var res *optim.Result
		res, err = optim.LBFGS(ctx, prob.eval, theta, optim.Config{MaxIter: p.MaxIter, Tol: p.Tol, M: 10})
		if res != nil {
			weights, history, iters = res.X, res.History, res.Iterations
		}
	}
	if err != nil {
		return nil, err
	}
	return &MultilayerPerceptronClassificationModel{
		P: p, Layers: append([]int(nil), layers...), Weights: weights,
		ObjectiveHistory: history, TotalIterations: iters,
	}, nil
}

// gradientDescent is Spark's full-batch gradient descent: step
// stepSize/√t at iteration t, stopping after maxIter steps or when the
// step moves the weights by less than tol·max(‖w‖, 1).
func gradientDescent(ctx context.Context, fn optim.Func, w []float64, maxIter int, tol, step float64) ([]float64, []float64, int, error) {
	w = append([]float64(nil), w...)
	g := make([]float64, len(w))
	hist := []float64{fn(w, g)}
	iters := 0
	for t := 1; t <= maxIter; t++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		a := step / math.Sqrt(float64(t))
		var moved, norm float64
		for i := range w {
			dw := a * g[i]
			w[i] -= dw
			moved += dw * dw
			norm += w[i] * w[i]
		}
		iters = t
		hist = append(hist, fn(w, g))
		if math.Sqrt(moved) < tol*max(math.Sqrt(norm), 1) {
			break
		}
	}
	return w, hist, iters, nil
}

// network holds the layout of a weight vector: layer l's out×in matrix
// (column-major: weight of input i to unit o at wOff[l] + i·out + o) is
// followed by its out biases.
type network struct {
	layers []int
	wOff   []int // start of layer l's weights (l ≥ 1)
	aOff   []int // start of layer l's activations in an activation buffer
	units  int   // total units over all layers
}

func newNetwork(layers []int) network {
	n := network{layers: layers, wOff: make([]int, len(layers)), aOff: make([]int, len(layers)+1)}
	for l := range layers {
		if l > 0 {
			n.wOff[l] = n.wOff[l-1]
			if l > 1 {
				n.wOff[l] += (layers[l-2] + 1) * layers[l-1]
			}
		}
		n.aOff[l+1] = n.aOff[l] + layers[l]
	}
	n.units = n.aOff[len(layers)]
	return n
}

// forward computes every layer's activations of x into act (n.units
// values) and returns the output layer's pre-softmax values (a view of
// act); the softmax is not applied.
func (n network) forward(w, x, act []float64) []float64 {
	L := len(n.layers)
	copy(act[:n.layers[0]], x)
	for l := 1; l < L; l++ {
		in, out := n.layers[l-1], n.layers[l]
		a := act[n.aOff[l-1]:n.aOff[l]]
		z := act[n.aOff[l]:n.aOff[l+1]]
		W := w[n.wOff[l] : n.wOff[l]+in*out]
		copy(z, w[n.wOff[l]+in*out:n.wOff[l]+in*out+out])
		for i, ai := range a {
			if ai != 0 {
				axpyRow(ai, W[i*out:(i+1)*out], z)
			}
		}
		if l < L-1 {
			for o, v := range z {
				z[o] = sigmoid(v)
			}
		}
	}
	return act[n.aOff[L-1]:]
}

// mlpProblem is the mean cross-entropy of a network over a dataset.
type mlpProblem struct {
	d     *ml.Dataset
	net   network
	pool  *rowPool
	grads [][]float64 // per chunk: gradient sums, then the loss
	act   [][]float64 // per worker: activations
	delta [][]float64 // per worker: back-propagated errors
	w     []float64
	pass  func(c, w, lo, hi int)
}

func newMLPProblem(d *ml.Dataset, layers []int, pool *rowPool) *mlpProblem {
	net := newNetwork(layers)
	mp := &mlpProblem{d: d, net: net, pool: pool}
	P := numWeights(layers)
	for range pool.chunks() {
		mp.grads = append(mp.grads, make([]float64, P+1))
	}
	for range pool.workers() {
		mp.act = append(mp.act, make([]float64, net.units))
		mp.delta = append(mp.delta, make([]float64, net.units))
	}
	mp.pass = mp.rows
	return mp
}

func (mp *mlpProblem) eval(w, grad []float64) float64 {
	mp.w = w
	for _, g := range mp.grads {
		clear(g)
	}
	mp.pool.run(mp.pass)
	P := len(grad)
	tot := sumChunks(mp.grads)
	n := float64(mp.d.N)
	for i := range grad {
		grad[i] = tot[i] / n
	}
	return tot[P] / n
}

// rows accumulates loss and gradient over rows lo … hi-1.
func (mp *mlpProblem) rows(c, wk, lo, hi int) {
	net, w := mp.net, mp.w
	g, act, delta := mp.grads[c], mp.act[wk], mp.delta[wk]
	P := len(g) - 1
	L := len(net.layers)
	D := mp.d.D
	var loss float64
	for i := lo; i < hi; i++ {
		x := mp.d.X[i*D : (i+1)*D]
		z := net.forward(w, x, act)
		// Softmax cross-entropy: δ = p − onehot(y), loss = lse − z_y.
		y := int(mp.d.Y[i])
		mx := math.Inf(-1)
		for _, v := range z {
			mx = max(mx, v)
		}
		dOut := delta[net.aOff[L-1]:net.aOff[L]]
		var s float64
		for o, v := range z {
			dOut[o] = expNeg(v - mx)
			s += dOut[o]
		}
		loss += mx + math.Log(s) - z[y]
		for o := range dOut {
			dOut[o] /= s
		}
		dOut[y]--
		for l := L - 1; l >= 1; l-- {
			in, out := net.layers[l-1], net.layers[l]
			a := act[net.aOff[l-1]:net.aOff[l]]
			dl := delta[net.aOff[l]:net.aOff[l+1]]
			W := w[net.wOff[l] : net.wOff[l]+in*out]
			gW := g[net.wOff[l] : net.wOff[l]+in*out]
			gb := g[net.wOff[l]+in*out : net.wOff[l]+in*out+out]
			for o, v := range dl {
				gb[o] += v
			}
			for i2, ai := range a {
				if ai != 0 {
					axpyRow(ai, dl, gW[i2*out:(i2+1)*out])
				}
			}
			if l > 1 { // propagate through the sigmoid of layer l-1
				dPrev := delta[net.aOff[l-1]:net.aOff[l]]
				for i2, ai := range a {
					dPrev[i2] = dotRow(W[i2*out:(i2+1)*out], dl) * ai * (1 - ai)
				}
			}
		}
	}
	g[P] += loss
}

// MultilayerPerceptronClassificationModel is a fitted network:
// rawPrediction is the output layer before the softmax, probability its
// softmax. Safe for concurrent use.
type MultilayerPerceptronClassificationModel struct {
	P       MultilayerPerceptronParams
	Layers  []int
	Weights []float64 // Spark's layout (see MultilayerPerceptronParams.InitialWeights)
	// ObjectiveHistory and TotalIterations describe the fit (nil and 0
	// for a loaded model).
	ObjectiveHistory []float64
	TotalIterations  int

	once sync.Once
	net  network
	bufs sync.Pool
}

var (
	_ ml.Model            = (*MultilayerPerceptronClassificationModel)(nil)
	_ ml.ClassifierKernel = (*MultilayerPerceptronClassificationModel)(nil)
)

// StageName returns "MultilayerPerceptronClassificationModel".
func (m *MultilayerPerceptronClassificationModel) StageName() string {
	return "MultilayerPerceptronClassificationModel"
}

// Params returns the params.
func (m *MultilayerPerceptronClassificationModel) Params() any { return &m.P }

// NumFeatures returns layers[0].
func (m *MultilayerPerceptronClassificationModel) NumFeatures() int { return m.Layers[0] }

// NumClasses returns the size of the output layer.
func (m *MultilayerPerceptronClassificationModel) NumClasses() int { return m.Layers[len(m.Layers)-1] }

// PredictRaw writes the output layer's pre-softmax values.
func (m *MultilayerPerceptronClassificationModel) PredictRaw(x, raw []float64) {
	m.once.Do(func() { m.net = newNetwork(m.Layers) })
	act, _ := m.bufs.Get().(*[]float64)
	if act == nil {
		b := make([]float64, m.net.units)
		act = &b
	}
	copy(raw, m.net.forward(m.Weights, x, *act))
	m.bufs.Put(act)
}

// RawToProbability writes the softmax of raw and reports true.
func (m *MultilayerPerceptronClassificationModel) RawToProbability(raw, prob []float64) bool {
	softmax(raw, prob)
	return true
}

// TransformSchema checks the features column and adds the outputs.
func (m *MultilayerPerceptronClassificationModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.ClassifierCols)
}

// Transform adds rawPrediction, probability and prediction.
func (m *MultilayerPerceptronClassificationModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("MultilayerPerceptronClassificationModel: %w", err)
	}
	if err := ml.ValidateThresholds(m.P.Thresholds, m.NumClasses()); err != nil {
		return nil, fmt.Errorf("MultilayerPerceptronClassificationModel: %w", err)
	}
	out, err := ml.TransformClassifier(ctx, f, m.P.ClassifierCols, m.P.Thresholds, m)
	if err != nil {
		return nil, fmt.Errorf("MultilayerPerceptronClassificationModel: %w", err)
	}
	return out, nil
}

func (m *MultilayerPerceptronClassificationModel) check() error {
	if len(m.Layers) < 2 {
		return fmt.Errorf("layers %v; the model is not fitted or is corrupt", m.Layers)
	}
	for _, n := range m.Layers {
		if n < 1 {
			return fmt.Errorf("layers %v; the model is corrupt", m.Layers)
		}
	}
	if len(m.Weights) != numWeights(m.Layers) {
		return fmt.Errorf("%d weights for layers %v (want %d); the model is corrupt", len(m.Weights), m.Layers, numWeights(m.Layers))
	}
	return nil
}
