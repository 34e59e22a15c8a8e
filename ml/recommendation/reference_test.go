package recommendation

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
)

// refCase is one case of testdata/reference.json (gen_reference.py).
type refCase struct {
	Name        string             `json:"name"`
	Users       []int32            `json:"users"`
	Items       []int32            `json:"items"`
	Ratings     []float32          `json:"ratings"`
	Rank        int                `json:"rank"`
	Params      map[string]any     `json:"params"`
	UserIDs     []int32            `json:"userIds"`
	ItemIDs     []int32            `json:"itemIds"`
	InitUser    [][]float64        `json:"initUser"`
	InitItem    [][]float64        `json:"initItem"`
	UserFactors [][]float64        `json:"userFactors"`
	ItemFactors [][]float64        `json:"itemFactors"`
	UserBias    []float64          `json:"userBias"`
	ItemBias    []float64          `json:"itemBias"`
	GlobalMean  float64            `json:"globalMean"`
	Predictions map[string]float64 `json:"predictions"`
}

func loadReference(t *testing.T) []refCase {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

func setFactors(dst *factors, rows [][]float64) {
	for i, r := range rows {
		for j, v := range r {
			dst.x[i*dst.k+j] = float32(v)
		}
	}
}

// TestReference fits each case from the same initial factors as
// gen_reference.py and compares factors, biases and predictions, with
// both solvers (CG with as many steps as unknowns is exact up to float32
// rounding).
func TestReference(t *testing.T) {
	for _, c := range loadReference(t) {
		solvers := []string{SolverCholesky, SolverCG}
		if c.Params["nonnegative"] == true {
			solvers = solvers[:1]
		}
		for _, solver := range solvers {
			t.Run(c.Name+"/"+solver, func(t *testing.T) {
				a := NewALS()
				a.P.Rank = c.Rank
				a.P.Solver = solver
				a.P.CGSteps = c.Rank + 1
				params := map[string]string{"implicit": "implicitPrefs"}
				for k, v := range c.Params {
					if n, ok := params[k]; ok {
						k = n
					}
					if err := setParamAny(a, k, v); err != nil {
						t.Fatal(err)
					}
				}
				a.initFactors = func(users, items *factors) {
					setFactors(users, c.InitUser)
					setFactors(items, c.InitItem)
				}
				m := mustFit(t, a, ratingsFrame(t, c.Users, c.Items, c.Ratings))
				tol := 2e-4
				if solver == SolverCG {
					tol = 2e-3
				}
				if m.NumUsers() != len(c.UserIDs) || m.NumItems() != len(c.ItemIDs) {
					t.Fatalf("got %d users and %d items, want %d and %d", m.NumUsers(), m.NumItems(), len(c.UserIDs), len(c.ItemIDs))
				}
				cmp := func(what string, got []float32, want [][]float64) {
					for i, row := range want {
						for j, w := range row {
							if g := float64(got[i*c.Rank+j]); math.Abs(g-w) > tol*(1+math.Abs(w)) {
								t.Errorf("%s[%d][%d] = %.6f, want %.6f", what, i, j, g, w)
							}
						}
					}
				}
				cmp("userFactors", m.users.x, c.UserFactors)
				cmp("itemFactors", m.items.x, c.ItemFactors)
				if c.UserBias != nil {
					cmp2 := func(what string, got []float32, want []float64) {
						for i, w := range want {
							if g := float64(got[i]); math.Abs(g-w) > tol*(1+math.Abs(w)) {
								t.Errorf("%s[%d] = %.6f, want %.6f", what, i, g, w)
							}
						}
					}
					cmp2("userBias", m.users.bias, c.UserBias)
					cmp2("itemBias", m.items.bias, c.ItemBias)
				}
				if math.Abs(m.GlobalMean()-c.GlobalMean) > 1e-9 {
					t.Errorf("globalMean = %v, want %v", m.GlobalMean(), c.GlobalMean)
				}
				for _, u := range c.UserIDs {
					for _, i := range c.ItemIDs {
						want := c.Predictions[fmt.Sprintf("%d,%d", u, i)]
						got, ok := m.Predict(u, i)
						if !ok || math.Abs(got-want) > 5*tol*(1+math.Abs(want)) {
							t.Errorf("Predict(%d, %d) = %.6f, %v; want %.6f", u, i, got, ok, want)
						}
					}
				}
				if c.Params["nonnegative"] == true {
					for j, v := range append(append([]float32{}, m.users.x...), m.items.x...) {
						if v < 0 {
							t.Errorf("factor %d = %v < 0 with nonnegative", j, v)
						}
					}
				}
			})
		}
	}
}
