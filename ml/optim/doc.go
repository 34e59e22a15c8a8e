// Package optim holds the quasi-Newton minimizers Sluice's linear models
// and neural networks are fitted with: L-BFGS for smooth objectives and
// OWL-QN (orthant-wise limited-memory quasi-Newton) for objectives with an
// L1 term, the same pair Spark ML gets from Breeze.
//
// An objective is a Func: it writes the gradient at x into grad and
// returns the value. Minimizers call it from one goroutine at a time, so a
// Func may parallelize internally (the classification package splits rows
// across workers) and reuse buffers between calls.
//
// # Convergence
//
// Config.Tol plays the role of Spark's tol param. After each iteration k
// the minimizer stops when any of these holds, checked in this order
// (Breeze's FirstOrderMinimizer checks, with the relative improvement it
// logs used as the function-value test):
//
//   - k >= MaxIter (Reason MaxIterations);
//   - the relative improvement |f(k-1) - f(k)| / max(|f(k-1)|, |f(k)|,
//     1e-6·|f(0)|) is at most Tol (FunctionValuesConverged);
//   - the gradient norm ‖g(k)‖₂ is at most max(Tol·|f(k)|, 1e-8)
//     (GradientConverged);
//   - the line search failed twice in a row; the first failure drops the
//     curvature history and retries along the steepest descent direction
//     (SearchFailed). This is not an error: the result holds the best
//     point found, as Breeze returns it.
//
// For OWL-QN, f includes the L1 term and g is the pseudo-gradient.
//
// # Allocation
//
// A minimization allocates its buffers (x, gradients, 2·M history
// vectors) once; iterations allocate nothing but the growth of
// Result.History.
package optim
