package fastconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
	"github.com/gomlx/gomlx/core/tensors"
)

// This file holds self-contained train-step micro-benchmarks (forward + backward + in-graph Adam update,
// BCE-with-logits loss, 96×96×3 inputs) of a SimpleCNN-like network and ResNet50-like networks, using
// either the native GoMLX convolution/pooling ops or this package's Conv2D / MaxPool2D.
//
// Environment variables:
//   - PCAM_BENCH_BATCH: batch size (default 32).
//   - PCAM_BENCH_SIZE: image size (default 96).

// netBuilder collects parameter shapes and builds the forward graph.
type netBuilder struct {
	fast   bool
	params []*Node   // parameter nodes, in creation order, when building the graph.
	shapes [][]int   // parameter shapes, filled in a "shape discovery" pass.
	inits  []float64 // stddev of the initialization of each parameter (0 -> ones, -1 -> zeros).
	next   int
	flops  float64 // forward FLOPs of the convolutions and dense layers (2 per multiply-add).
}

// param returns the next parameter node (or records its shape during discovery, returning nil graph nodes).
func (nb *netBuilder) param(stddev float64, dims ...int) *Node {
	if nb.params == nil {
		nb.shapes = append(nb.shapes, dims)
		nb.inits = append(nb.inits, stddev)
		return nil
	}
	p := nb.params[nb.next]
	nb.next++
	return p
}

func (nb *netBuilder) conv(x *Node, k, cin, cout, stride int, bias bool) *Node {
	kernel := nb.param(math.Sqrt(2/float64(k*k*cin)), k, k, cin, cout)
	var b *Node
	if bias {
		b = nb.param(-1, cout)
	}
	if x == nil {
		return nil
	}
	ho := SameOutputSize(x.Shape().Dim(1), k, stride)
	wo := SameOutputSize(x.Shape().Dim(2), k, stride)
	nb.flops += 2 * float64(x.Shape().Dim(0)*ho*wo) * float64(k*k*cin) * float64(cout)
	var y *Node
	if nb.fast {
		y = Conv2D(x, kernel, stride)
	} else {
		y = Convolve(x, kernel).Strides(stride).PadSame().Done()
	}
	if b != nil {
		y = Add(y, Reshape(b, 1, 1, 1, cout))
	}
	return y
}

func (nb *netBuilder) maxPool(x *Node, window, stride int) *Node {
	if x == nil {
		return nil
	}
	if nb.fast {
		return MaxPool2D(x, window, stride)
	}
	return MaxPool(x).Window(window).Strides(stride).PadSame().Done()
}

// batchNorm is a plain training-mode batch normalization (no running averages), as a stand-in for the
// cost of BatchNorm in ResNet50.
func (nb *netBuilder) batchNorm(x *Node, c int) *Node {
	gamma := nb.param(0, c)
	beta := nb.param(-1, c)
	if x == nil {
		return nil
	}
	mean := ReduceAndKeep(x, ReduceMean, 0, 1, 2)
	centered := Sub(x, mean)
	variance := ReduceAndKeep(Square(centered), ReduceMean, 0, 1, 2)
	return Add(Mul(Mul(centered, Inverse(Sqrt(AddScalar(variance, 1e-5)))), Reshape(gamma, 1, 1, 1, c)), Reshape(beta, 1, 1, 1, c))
}

func (nb *netBuilder) dense(x *Node, in, out int) *Node {
	w := nb.param(math.Sqrt(1/float64(in)), in, out)
	b := nb.param(-1, out)
	if x == nil {
		return nil
	}
	nb.flops += 2 * float64(x.Shape().Dim(0)) * float64(in) * float64(out)
	return Add(DotGeneral(x, []int{1}, nil, w, []int{0}, nil), Reshape(b, 1, out))
}

func relu(x *Node) *Node {
	if x == nil {
		return nil
	}
	return MaxScalar(x, 0)
}

// simpleCNN: 3 blocks [3×3 conv→ReLU→3×3 conv→ReLU→2×2 maxpool] with 32/64/128 channels, flatten,
// dense 256, ReLU, dense 1: 5,006,113 parameters at 96×96.
func simpleCNN(nb *netBuilder, x *Node, size int) *Node {
	cin := 3
	for _, c := range []int{32, 64, 128} {
		x = relu(nb.conv(x, 3, cin, c, 1, true))
		x = relu(nb.conv(x, 3, c, c, 1, true))
		x = nb.maxPool(x, 2, 2)
		cin = c
		size /= 2
	}
	flatDim := size * size * 128
	if x != nil {
		x = Reshape(x, x.Shape().Dim(0), flatDim)
	}
	x = relu(nb.dense(x, flatDim, 256))
	return nb.dense(x, 256, 1)
}

// bottleneck is a torchvision (v1.5) ResNet bottleneck block: 1×1 → 3×3 (stride) → 1×1 (4×), with BN,
// and a 1×1 (stride) projection shortcut when the shape changes.
func bottleneck(nb *netBuilder, x *Node, cin, mid, stride int) *Node {
	out := relu(nb.batchNorm(nb.conv(x, 1, cin, mid, 1, false), mid))
	out = relu(nb.batchNorm(nb.conv(out, 3, mid, mid, stride, false), mid))
	out = nb.batchNorm(nb.conv(out, 1, mid, 4*mid, 1, false), 4*mid)
	shortcut := x
	if stride != 1 || cin != 4*mid {
		shortcut = nb.batchNorm(nb.conv(x, 1, cin, 4*mid, stride, false), 4*mid)
	}
	if x == nil {
		return nil
	}
	return relu(Add(out, shortcut))
}

// resnet50 is torchvision's resnet50(num_classes=1) structure (23.5M parameters) with a simplified
// training-mode BatchNorm.
func resnet50(nb *netBuilder, x *Node, _ int) *Node {
	x = relu(nb.batchNorm(nb.conv(x, 7, 3, 64, 2, false), 64))
	x = nb.maxPool(x, 3, 2)
	cin := 64
	for stage, blocks := range []int{3, 4, 6, 3} {
		mid := 64 << stage
		for i := range blocks {
			stride := 1
			if i == 0 && stage > 0 {
				stride = 2
			}
			x = bottleneck(nb, x, cin, mid, stride)
			cin = 4 * mid
		}
	}
	if x != nil {
		x = ReduceMean(x, 1, 2)
	}
	return nb.dense(x, 2048, 1)
}

// resnetBlocks is a ResNet50-bottleneck-like step: the stem (7×7/2 conv, BN, ReLU, 3×3/2 maxpool) and
// stage 1's three bottleneck blocks (at 24×24 for 96×96 inputs), global average pool and dense 1.
func resnetBlocks(nb *netBuilder, x *Node, _ int) *Node {
	x = relu(nb.batchNorm(nb.conv(x, 7, 3, 64, 2, false), 64))
	x = nb.maxPool(x, 3, 2)
	cin := 64
	for range 3 {
		x = bottleneck(nb, x, cin, 64, 1)
		cin = 256
	}
	if x != nil {
		x = ReduceMean(x, 1, 2)
	}
	return nb.dense(x, 256, 1)
}

type netFn func(nb *netBuilder, x *Node, size int) *Node

// trainer holds a compiled train step and its state.
type trainer struct {
	exec          *Exec
	params, m, v  []*tensors.Tensor
	numParams     int
	fwdFlops      float64 // forward conv+dense FLOPs per step (set when the graph is built).
	step          int
	batch, size   int
	x, y          *tensors.Tensor
	lr, b1, b2, e float64
}

func newTrainer(fn netFn, fast bool, batch, size int) *trainer {
	nb := &netBuilder{fast: fast}
	fn(nb, nil, size) // shape discovery.
	rng := rand.New(rand.NewPCG(42, 7))
	tr := &trainer{batch: batch, size: size, lr: 1e-3, b1: 0.9, b2: 0.999, e: 1e-8}
	for i, dims := range nb.shapes {
		size := 1
		for _, d := range dims {
			size *= d
		}
		data := make([]float32, size)
		for j := range data {
			switch {
			case nb.inits[i] == 0:
				data[j] = 1
			case nb.inits[i] > 0:
				data[j] = float32(rng.NormFloat64() * nb.inits[i])
			}
		}
		tr.numParams += size
		tr.params = append(tr.params, tensors.FromFlatDataAndDimensions(data, dims...))
		tr.m = append(tr.m, tensors.FromFlatDataAndDimensions(make([]float32, size), dims...))
		tr.v = append(tr.v, tensors.FromFlatDataAndDimensions(make([]float32, size), dims...))
	}
	tr.x = randTensor(rng, batch, size, size, 3)
	labels := make([]float32, batch)
	for i := range labels {
		labels[i] = float32(i % 2)
	}
	tr.y = tensors.FromFlatDataAndDimensions(labels, batch, 1)
	numP := len(nb.shapes)
	tr.exec = MustNewExec(testBackend, func(inputs []*Node) []*Node {
		x, y, lrT := inputs[0], inputs[1], inputs[2]
		params := inputs[3 : 3+numP]
		ms := inputs[3+numP : 3+2*numP]
		vs := inputs[3+2*numP : 3+3*numP]
		nbG := &netBuilder{fast: fast, params: params}
		logits := fn(nbG, x, size)
		tr.fwdFlops = nbG.flops
		// BCE with logits: max(z,0) - z*y + log1p(exp(-|z|)).
		loss := ReduceAllMean(Add(Sub(MaxScalar(logits, 0), Mul(logits, y)), Log1p(Exp(Neg(Abs(logits))))))
		grads := Gradient(loss, params...)
		outs := []*Node{loss}
		newMs := make([]*Node, numP)
		newVs := make([]*Node, numP)
		for i, p := range params {
			g := grads[i]
			newMs[i] = Add(MulScalar(ms[i], tr.b1), MulScalar(g, 1-tr.b1))
			newVs[i] = Add(MulScalar(vs[i], tr.b2), MulScalar(Square(g), 1-tr.b2))
			update := Div(newMs[i], AddScalar(Sqrt(newVs[i]), tr.e))
			outs = append(outs, Sub(p, Mul(update, lrT)))
		}
		outs = append(outs, newMs...)
		outs = append(outs, newVs...)
		return outs
	})
	return tr
}

// trainStep runs one step and returns the loss.
func (tr *trainer) trainStep() float32 {
	tr.step++
	t := float64(tr.step)
	lrT := float32(tr.lr * math.Sqrt(1-math.Pow(tr.b2, t)) / (1 - math.Pow(tr.b1, t)))
	args := []any{tr.x, tr.y, lrT}
	for _, list := range [][]*tensors.Tensor{tr.params, tr.m, tr.v} {
		for _, p := range list {
			args = append(args, p)
		}
	}
	outs := tr.exec.MustExec(args...)
	n := len(tr.params)
	tr.params, tr.m, tr.v = outs[1:1+n], outs[1+n:1+2*n], outs[1+2*n:1+3*n]
	return tensors.ToScalar[float32](outs[0])
}

// processCPUTime returns the user+system CPU time consumed by this process so far.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if s := os.Getenv(name); s != "" {
		if v, err := strconv.Atoi(s); err == nil {
			return v
		}
	}
	return def
}

// trainers caches compiled trainers across the b.N=1 and b.N=N invocations of a benchmark.
var trainers = map[string]*trainer{}

func benchTrain(b *testing.B, fn netFn, fast bool) {
	batch := envInt("PCAM_BENCH_BATCH", 32)
	size := envInt("PCAM_BENCH_SIZE", 96)
	key := fmt.Sprintf("%s/%v/%d/%d", b.Name(), fast, batch, size)
	tr := trainers[key]
	if tr == nil {
		tr = newTrainer(fn, fast, batch, size)
		tr.trainStep() // warm-up (compilation).
		trainers[key] = tr
	}
	b.ResetTimer()
	start := time.Now()
	cpuStart := processCPUTime()
	for range b.N {
		tr.trainStep()
	}
	elapsed := time.Since(start)
	cpu := processCPUTime() - cpuStart
	b.ReportMetric(float64(batch*b.N)/elapsed.Seconds(), "img/s")
	// CPU time is more robust than wall time on a shared machine: img per CPU-second.
	b.ReportMetric(float64(batch*b.N)/cpu.Seconds(), "img/cpu-s")
	b.ReportMetric(float64(tr.numParams), "params")
	// Train FLOPs ~ 3x the forward FLOPs (forward, input gradient, weight gradient).
	b.ReportMetric(3*tr.fwdFlops*float64(b.N)/elapsed.Seconds()/1e9, "GFLOP/s")
}

func BenchmarkTrainStepSimpleCNNFast(b *testing.B)      { benchTrain(b, simpleCNN, true) }
func BenchmarkTrainStepSimpleCNNNative(b *testing.B)    { benchTrain(b, simpleCNN, false) }
func BenchmarkTrainStepResNetBlocksFast(b *testing.B)   { benchTrain(b, resnetBlocks, true) }
func BenchmarkTrainStepResNetBlocksNative(b *testing.B) { benchTrain(b, resnetBlocks, false) }
func BenchmarkTrainStepResNet50Fast(b *testing.B)       { benchTrain(b, resnet50, true) }
func BenchmarkTrainStepResNet50Native(b *testing.B)     { benchTrain(b, resnet50, false) }

// TestTrainStepsRun checks, on tiny shapes, that the train steps build, run and that fast and native
// versions produce the same losses.
func TestTrainStepsRun(t *testing.T) {
	for _, c := range []struct {
		name  string
		fn    netFn
		size  int
		steps int // steps whose losses are compared.
	}{{"simplecnn", simpleCNN, 16, 3}, {"resnetblocks", resnetBlocks, 16, 3},
		// ResNet50 at batch 2: Adam + BatchNorm over 2 examples amplify float32 rounding differences
		// after the first update, so only the first (pre-update) loss is compared.
		{"resnet50", resnet50, 64, 1}} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "resnet50" && testing.Short() {
				t.Skip("slow (native ResNet50 on the Go backend); skipped with -short")
			}
			var losses [2][3]float32
			for i, fast := range []bool{false, true} {
				tr := newTrainer(c.fn, fast, 2, c.size)
				for s := range 3 {
					losses[i][s] = tr.trainStep()
				}
			}
			for s := range c.steps {
				if d := math.Abs(float64(losses[0][s] - losses[1][s])); d > 1e-3*max(1, math.Abs(float64(losses[0][s]))) {
					t.Errorf("step %d: native loss %g != fast loss %g", s, losses[0][s], losses[1][s])
				}
			}
			fmt.Printf("%s losses native=%v fast=%v\n", c.name, losses[0], losses[1])
		})
	}
}
