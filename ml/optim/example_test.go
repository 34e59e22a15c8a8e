package optim_test

import (
	"context"
	"fmt"

	"github.com/sluice-dev/sluice/ml/optim"
)

func ExampleLBFGS() {
	// f(x, y) = (x-3)² + 10(y+1)², minimum at (3, -1).
	f := func(x, g []float64) float64 {
		g[0] = 2 * (x[0] - 3)
		g[1] = 20 * (x[1] + 1)
		return (x[0]-3)*(x[0]-3) + 10*(x[1]+1)*(x[1]+1)
	}
	res, err := optim.LBFGS(context.Background(), f, []float64{0, 0}, optim.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = (%.4f, %.4f)\n", res.X[0], res.X[1])
	// Output: x = (3.0000, -1.0000)
}

func ExampleOWLQN() {
	// ½(x-2)² + ½(y-0.5)² + |x| + |y|: the L1 term shrinks x to 1 and y to 0.
	f := func(x, g []float64) float64 {
		g[0], g[1] = x[0]-2, x[1]-0.5
		return 0.5*(x[0]-2)*(x[0]-2) + 0.5*(x[1]-0.5)*(x[1]-0.5)
	}
	res, err := optim.OWLQN(context.Background(), f, []float64{0, 0}, []float64{1, 1}, optim.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = (%.4f, %g)\n", res.X[0], res.X[1])
	// Output: x = (1.0000, 0)
}
