package fastconv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
)

// convBenchCase describes one convolution layer for the benchmarks.
type convBenchCase struct {
	name                  string
	n, h, w, cin, cout, k int
	stride                int
	nativeBatch           int // batch used for the (much slower) native convolution.
}

var convBenchCases = []convBenchCase{
	{"simplecnn_conv1_96x96_3to32", 32, 96, 96, 3, 32, 3, 1, 4},
	{"simplecnn_conv2_96x96_32to32", 32, 96, 96, 32, 32, 3, 1, 1},
	{"simplecnn_conv4_48x48_64to64", 32, 48, 48, 64, 64, 3, 1, 1},
	{"simplecnn_conv6_24x24_128to128", 32, 24, 24, 128, 128, 3, 1, 1},
	{"resnet_stem_96x96_7x7s2_3to64", 32, 96, 96, 3, 64, 7, 2, 2},
	{"resnet_1x1_24x24_256to64", 32, 24, 24, 256, 64, 1, 1, 2},
	{"resnet_3x3_24x24_64to64", 32, 24, 24, 64, 64, 3, 1, 2},
	{"resnet_3x3s2_24x24_128to128", 32, 24, 24, 128, 128, 3, 2, 2},
	{"resnet_1x1s2_24x24_256to512", 32, 24, 24, 256, 512, 1, 2, 2},
}

// benchConv measures forward (train=false) or forward+backward w.r.t. input and kernel (train=true).
func benchConv(b *testing.B, c convBenchCase, fast, train bool) {
	n := c.n
	if !fast {
		n = c.nativeBatch
	}
	rng := rand.New(rand.NewPCG(5, 6))
	x := randTensor(rng, n, c.h, c.w, c.cin)
	k := randTensor(rng, c.k, c.k, c.cin, c.cout)
	conv := func(x, k *Node) *Node {
		if fast {
			return Conv2D(x, k, c.stride)
		}
		return Convolve(x, k).Strides(c.stride).PadSame().Done()
	}
	exec := MustNewExec(testBackend, func(x, k *Node) []*Node {
		y := conv(x, k)
		if !train {
			return []*Node{ReduceAllSum(y)}
		}
		loss := ReduceAllSum(Mul(y, y))
		g := Gradient(loss, x, k)
		return []*Node{loss, ReduceAllSum(g[0]), ReduceAllSum(g[1])}
	})
	ho, wo := SameOutputSize(c.h, c.k, c.stride), SameOutputSize(c.w, c.k, c.stride)
	flops := 2 * float64(n*ho*wo) * float64(c.k*c.k*c.cin) * float64(c.cout)
	if train {
		flops *= 3
	}
	seconds := secondsPerExec(b, exec, x, k)
	b.ReportMetric(flops/seconds/1e9, "GFLOP/s")
	b.ReportMetric(float64(n)/seconds, "img/s")
}

func BenchmarkConv(b *testing.B) {
	for _, c := range convBenchCases {
		for _, train := range []bool{false, true} {
			mode := "fwd"
			if train {
				mode = "fwdbwd"
			}
			b.Run(fmt.Sprintf("%s/%s/fast", c.name, mode), func(b *testing.B) { benchConv(b, c, true, train) })
		}
	}
}

// BenchmarkConvNative is the same as BenchmarkConv with GoMLX's native Convolve (with smaller batches:
// see convBenchCase.nativeBatch). It is slow: run it explicitly.
func BenchmarkConvNative(b *testing.B) {
	for _, c := range convBenchCases {
		for _, train := range []bool{false, true} {
			mode := "fwd"
			if train {
				mode = "fwdbwd"
			}
			b.Run(fmt.Sprintf("%s/%s/native", c.name, mode), func(b *testing.B) { benchConv(b, c, false, train) })
		}
	}
}

// BenchmarkWeightGradChunks compares splitting the kernel-gradient contraction in chunks: 1 (a single
// GEMM), 4, one per image (-1) and the default policy (0, see weightGradNumChunks).
func BenchmarkWeightGradChunks(b *testing.B) {
	defer func(v int) { weightGradChunks = v }(weightGradChunks)
	for _, c := range []convBenchCase{convBenchCases[1], convBenchCases[3], convBenchCases[7]} {
		for _, chunks := range []int{1, 4, -1, 0} {
			b.Run(fmt.Sprintf("%s/chunks%d", c.name, chunks), func(b *testing.B) {
				weightGradChunks = chunks
				benchConv(b, c, true, true)
			})
		}
	}
}
