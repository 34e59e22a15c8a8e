package recommendation

import (
	"testing"
)

func TestPlantedExplicit(t *testing.T) {
	p := makePlanted(300, 200, 5, 0.2, 0.1, 1, false)
	f := ratingsFrame(t, p.trainU, p.trainI, p.trainR)
	for _, solver := range []string{SolverCholesky, SolverCG} {
		t.Run(solver, func(t *testing.T) {
			a := NewALS()
			a.P.Rank, a.P.RegParam, a.P.MaxIter, a.P.Solver = 5, 0.01, 15, solver
			m := mustFit(t, a, f)
			rmse := heldOutRMSE(m, p.testU, p.testI, p.testR)
			t.Logf("%s: train %.4f held-out %.4f", solver, m.TrainingRMSE(), rmse)
			if rmse > 0.15 {
				t.Errorf("held-out RMSE %.4f, want <= 0.15 (noise 0.1)", rmse)
			}
		})
	}
}
