package classification

import "math"

// Table-driven exp and log1p for the logistic loss, which spends most of
// its time in them. They cover only the arguments the loss needs and are
// accurate to a few units in the last place (TestFastMath).

const tableBits = 6 // 64-entry tables

// Read-only tables: 2^(j/64), and log(1 + j/64) with its reciprocal.
var (
	exp2Table          = makeExp2Table()
	logTable, invTable = makeLogTables()
)

func makeExp2Table() (t [1 << tableBits]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / (1 << tableBits))
	}
	return t
}

func makeLogTables() (logs, invs [1<<tableBits + 1]float64) {
	for j := range logs {
		u := 1 + float64(j)/(1<<tableBits)
		logs[j], invs[j] = math.Log(u), 1/u
	}
	return logs, invs
}

// expNeg returns e^x for x ≤ 0 (NaN-free input).
func expNeg(x float64) float64 {
	if x < -708 {
		return math.Exp(x) // subnormal results and underflow
	}
	const (
		invLn2 = (1 << tableBits) / math.Ln2
		ln2Hi  = 6.93147180369123816490e-01 / (1 << tableBits) // Ln2 split as in package math
		ln2Lo  = 1.90821492927058770002e-10 / (1 << tableBits)
	)
	n := math.Floor(x*invLn2 + 0.5)
	r := x - n*ln2Hi - n*ln2Lo // |r| ≤ ln2/128
	k := int64(n)
	j := k & (1<<tableBits - 1)
	e := k >> tableBits
	// e^r − 1 to degree 6; the error is below r⁷/5040 ≈ 3e-20.
	p := r + r*r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720)))))
	t := exp2Table[j]
	return (t + t*p) * math.Float64frombits(uint64(e+1023)<<52)
}

// log1pUnit returns log(1 + x) for 0 ≤ x ≤ 1.
func log1pUnit(x float64) float64 {
	u := 1 + x
	c := x - (u - 1)                     // rounding error of u, restored below
	j := int((u - 1) * (1 << tableBits)) // floor: t ≥ 0, so nothing cancels
	inv := invTable[j]
	t := (u - (1 + float64(j)/(1<<tableBits))) * inv // 0 ≤ t < 1/64
	// log(1+t) to degree 9; the relative error is below t⁹/10 ≈ 6e-18.
	q := t - t*t*(1.0/2-t*(1.0/3-t*(1.0/4-t*(1.0/5-t*(1.0/6-t*(1.0/7-t*(1.0/8-t*(1.0/9))))))))
	return logTable[j] + (q + c*inv)
}
