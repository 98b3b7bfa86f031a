package fastconv

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
)

// BenchmarkMatMul measures the Go backend's DotGeneral [M,K]x[K,N] on the shapes the im2col convolutions
// produce (forward of SimpleCNN's layers at batch 32, 96×96), as a ceiling for Conv2D.
func BenchmarkMatMul(b *testing.B) {
	for _, c := range [][3]int{
		{32 * 96 * 96, 288, 32},
		{32 * 48 * 48, 576, 64},
		{32 * 24 * 24, 1152, 128},
		{32 * 24 * 24, 256, 64},
		{2048, 2048, 2048},
		// Channels-first orientation of the first layer above: [Cout,K]x[K,M].
		{32, 288, 32 * 96 * 96},
		{64, 576, 32 * 48 * 48},
		// Input-gradient (dY·Wᵀ) orientation: small contraction, wide output.
		{32 * 96 * 96, 32, 288},
		{32 * 48 * 48, 64, 576},
	} {
		m, k, n := c[0], c[1], c[2]
		b.Run(fmt.Sprintf("M%d_K%d_N%d", m, k, n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			lhs := randTensor(rng, m, k)
			rhs := randTensor(rng, k, n)
			exec := MustNewExec(testBackend, func(l, r *Node) *Node {
				return ReduceAllSum(DotGeneral(l, []int{1}, nil, r, []int{0}, nil))
			})
			seconds := secondsPerExec(b, exec, lhs, rhs)
			b.ReportMetric(2*float64(m)*float64(k)*float64(n)/seconds/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkInputGradNT compares the two ways inputColsGrad can compute dY·w2ᵀ on ResNet50's 3×3 layers
// at batch 32: w2 contracted in place (nt=true) or transposed first (Transpose2D); see inputGradNTMinCout.
func BenchmarkInputGradNT(b *testing.B) {
	for _, c := range [][3]int{{288, 512, 4608}, {1152, 256, 2304}, {4608, 128, 1152}, {18432, 64, 576}} {
		m, cout, k := c[0], c[1], c[2]
		for _, nt := range []bool{false, true} {
			b.Run(fmt.Sprintf("M%d_C%d_K%d_nt%v", m, cout, k, nt), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				exec := MustNewExec(testBackend, func(dy, w *Node) *Node {
					if nt {
						return ReduceAllSum(DotGeneral(dy, []int{1}, nil, w, []int{1}, nil))
					}
					return ReduceAllSum(DotGeneral(dy, []int{1}, nil, Transpose2D(w), []int{0}, nil))
				})
				seconds := secondsPerExec(b, exec, randTensor(rng, m, cout), randTensor(rng, k, cout))
				b.ReportMetric(seconds*1000, "ms")
			})
		}
	}
}

// secondsPerExec runs exec once untimed (compilation), then b.N times, and returns the mean seconds
// per call.
func secondsPerExec(b *testing.B, exec *Exec, args ...any) float64 {
	exec.MustExec(args...)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		exec.MustExec(args...)
	}
	return time.Since(start).Seconds() / float64(b.N)
}
