package feature

import (
	"math"
	"testing"
)

// java.util.Random's published values for seed 42 and 0.
func TestLSHJavaRandom(t *testing.T) {
	if got := newLSHJavaRandom(42).Int(); got != -1170105035 {
		t.Errorf("new Random(42).nextInt() = %d, want -1170105035", got)
	}
	if got := newLSHJavaRandom(42).IntN(10); got != 0 {
		t.Errorf("new Random(42).nextInt(10) = %d, want 0", got)
	}
	if got := newLSHJavaRandom(42).Float64(); got != 0.7275636800328681 {
		t.Errorf("new Random(42).nextDouble() = %v, want 0.7275636800328681", got)
	}
	if got := newLSHJavaRandom(42).NormFloat64(); math.Abs(got-1.1419053154730547) > 1e-15 {
		t.Errorf("new Random(42).nextGaussian() = %v, want 1.1419053154730547", got)
	}
	if got := newLSHJavaRandom(0).NormFloat64(); math.Abs(got-0.8025330637390305) > 1e-15 {
		t.Errorf("new Random(0).nextGaussian() = %v, want 0.8025330637390305", got)
	}
	// Power-of-two bounds take the high bits.
	r := newLSHJavaRandom(42)
	for range 1000 {
		if x := r.IntN(16); x < 0 || x >= 16 {
			t.Fatalf("nextInt(16) = %d", x)
		}
		if x := r.IntN(minHashPrime - 1); x < 0 || x >= minHashPrime-1 {
			t.Fatalf("nextInt(prime-1) = %d", x)
		}
	}
	if got := sparkClassSeed("org.apache.spark.ml.tuning.CrossValidator"); got == 0 {
		t.Error("class seed is 0")
	}
}
