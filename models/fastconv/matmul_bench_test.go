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
			exec.MustExec(lhs, rhs)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				exec.MustExec(lhs, rhs)
			}
			elapsed := time.Since(start).Seconds()
			b.ReportMetric(2*float64(m)*float64(k)*float64(n)*float64(b.N)/elapsed/1e9, "GFLOP/s")
		})
	}
}
