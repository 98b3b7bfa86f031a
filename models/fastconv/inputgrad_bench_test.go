package fastconv

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
)

// BenchmarkInputGradNT compares the two ways inputColsGrad can compute dY·w2ᵀ on ResNet50's 3×3 layers
// at batch 32: w2 contracted in place (nt=true) or transposed first (Transpose2D); see inputGradNTMinCout.
func BenchmarkInputGradNT(b *testing.B) {
	for _, c := range [][3]int{{288, 512, 4608}, {1152, 256, 2304}, {4608, 128, 1152}, {18432, 64, 576}} {
		m, cout, k := c[0], c[1], c[2]
		for _, nt := range []bool{false, true} {
			b.Run(fmt.Sprintf("M%d_C%d_K%d_nt%v", m, cout, k, nt), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				dy := randTensor(rng, m, cout)
				w := randTensor(rng, k, cout)
				exec := MustNewExec(testBackend, func(l, r *Node) *Node {
					if nt {
						return ReduceAllSum(DotGeneral(l, []int{1}, nil, r, []int{1}, nil))
					}
					return ReduceAllSum(DotGeneral(l, []int{1}, nil, Transpose2D(r), []int{0}, nil))
				})
				exec.MustExec(dy, w)
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					exec.MustExec(dy, w)
				}
				elapsed := time.Since(start).Seconds()
				b.ReportMetric(elapsed/float64(b.N)*1000, "ms")
			})
		}
	}
}
