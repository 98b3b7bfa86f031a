package models

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/float16"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// bnReference computes PyTorch's training-mode batch norm output and its exact input gradient for
// loss = Σ y·r, per channel of x [M, C] (offset 0): y = γ·x̂, x̂ = (x-μ)/σ, dx = γ·(r - mean(r) - x̂·mean(r·x̂))/σ.
// It also returns x̂.
func bnReference(x, r, gamma []float64, m, c int) (y, xhats, dx, mean, variance []float64) {
	xhats = make([]float64, m*c)
	y, dx = make([]float64, m*c), make([]float64, m*c)
	mean, variance = make([]float64, c), make([]float64, c)
	for ch := range c {
		for i := range m {
			mean[ch] += x[i*c+ch] / float64(m)
		}
		for i := range m {
			d := x[i*c+ch] - mean[ch]
			variance[ch] += d * d / float64(m)
		}
		sigma := math.Sqrt(variance[ch] + bnEpsilon)
		var meanR, meanRXhat float64
		for i := range m {
			xhat := (x[i*c+ch] - mean[ch]) / sigma
			y[i*c+ch] = gamma[ch] * xhat
			xhats[i*c+ch] = xhat
			meanR += r[i*c+ch] / float64(m)
			meanRXhat += r[i*c+ch] * xhat / float64(m)
		}
		for i := range m {
			xhat := (x[i*c+ch] - mean[ch]) / sigma
			dx[i*c+ch] = gamma[ch] * (r[i*c+ch] - meanR - xhat*meanRXhat) / sigma
		}
	}
	return
}

func TestBatchNormTrainingMatchesPyTorch(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	const n, h, w, c = 2, 3, 3, 4
	rng := rand.New(rand.NewPCG(1, 2))
	x, r := make([]float64, n*h*w*c), make([]float64, n*h*w*c)
	for i := range x {
		x[i] = 3 + 2*rng.NormFloat64() // A mean far from 0: the batch-statistics gradient matters.
		r[i] = rng.NormFloat64()
	}
	gamma := []float64{1.5, -0.5, 2, 0.7}
	store := model.NewStore()
	store.Scope("/bn/batch_normalization").VariableWithValue("scale", tensors.FromFlatDataAndDimensions(gamma, c))
	outs := runBatchNormTraining(t, backend, store, tensors.FromFlatDataAndDimensions(x, n, h, w, c),
		tensors.FromFlatDataAndDimensions(r, n, h, w, c), func(x, y, loss *Node) []*Node {
			g := x.Graph()
			scale := store.GetVariable("/bn/batch_normalization/scale").NodeValue(g)
			offset := store.GetVariable("/bn/batch_normalization/offset").NodeValue(g)
			return append([]*Node{y}, Gradient(loss, x, scale, offset)...)
		})
	wantY, xhats, wantDx, wantMean, wantVar := bnReference(x, r, gamma, n*h*w, c)
	assertAllClose(t, "output", wantY, tensors.MustCopyFlatData[float64](outs[0]), 1e-9)
	assertAllClose(t, "grad_x", wantDx, tensors.MustCopyFlatData[float64](outs[1]), 1e-9)
	// d scale = Σ r·x̂ and d offset = Σ r, per channel.
	wantDScale, wantDOffset := make([]float64, c), make([]float64, c)
	for i := range r {
		wantDScale[i%c] += r[i] * xhats[i]
		wantDOffset[i%c] += r[i]
	}
	assertAllClose(t, "grad_scale", wantDScale, tensors.MustCopyFlatData[float64](outs[2]), 1e-9)
	assertAllClose(t, "grad_offset", wantDOffset, tensors.MustCopyFlatData[float64](outs[3]), 1e-9)

	// First update: the debiased momentum is 0, the moving averages are the batch statistics.
	for name, want := range map[string][]float64{"mean": wantMean, "variance": wantVar} {
		v := store.GetVariable("/bn/batch_normalization/" + name)
		if v == nil {
			t.Fatalf("variable %q not found", name)
		}
		got, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		assertAllClose(t, "moving "+name, want, tensors.MustCopyFlatData[float64](got), 1e-12)
	}
}

func TestBatchNormInferenceUsesMovingAverages(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	const m, c = 5, 3
	mean, variance := []float32{1, -2, 0.5}, []float32{4, 0.25, 1}
	scale, offset := []float32{2, 1, -1}, []float32{0, 3, 1}
	store := model.NewStore()
	for name, v := range map[string][]float32{"mean": mean, "variance": variance, "scale": scale, "offset": offset} {
		store.Scope("/bn/batch_normalization").VariableWithValue(name, tensors.FromFlatDataAndDimensions(v, c))
	}
	x := make([]float32, m*c)
	for i := range x {
		x[i] = float32(i%7) - 2.5
	}
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, x *Node) *Node {
		return batchNorm(scope.In("bn"), x)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	outs, err := exec.Call(tensors.FromFlatDataAndDimensions(x, m, c))
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](outs[0])
	want := make([]float64, m*c)
	gotF := make([]float64, m*c)
	for i := range x {
		ch := i % c
		want[i] = float64((x[i]-mean[ch])/float32(math.Sqrt(float64(variance[ch])+bnEpsilon))*scale[ch] + offset[ch])
		gotF[i] = float64(got[i])
	}
	assertAllClose(t, "inference output", want, gotF, 1e-5)
}

// runBatchNormTraining runs batchNorm (scope "bn") in training mode on x with the given store, and
// returns the tensors outputs builds from x, the normalised y and loss = Σ y·r.
func runBatchNormTraining(t *testing.T, backend compute.Backend, store *model.Store, x, r *tensors.Tensor,
	outputs func(x, y, loss *Node) []*Node) []*tensors.Tensor {
	t.Helper()
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, x, r *Node) []*Node {
		scope.SetTraining(x.Graph(), true)
		y := batchNorm(scope.In("bn"), x)
		return outputs(x, y, ReduceAllSum(Mul(y, r)))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	outs, err := exec.Call(x, r)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

func assertAllClose(t *testing.T, name string, want, got []float64, tol float64) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range want {
		if math.Abs(want[i]-got[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %g, want %g", name, i, got[i], want[i])
		}
	}
}

// TestBatchNormHalfPrecision checks that float16 inputs get float32 statistics: the per-channel sum of
// this input (~98,000) overflows float16 (max 65,504).
func TestBatchNormHalfPrecision(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	const n, h, w, c = 8, 64, 64, 2
	rng := rand.New(rand.NewPCG(3, 4))
	x64, r64 := make([]float64, n*h*w*c), make([]float64, n*h*w*c)
	x16, r16 := make([]float16.Float16, len(x64)), make([]float16.Float16, len(r64))
	for i := range x64 {
		x16[i] = float16.FromFloat32(float32(3 + 0.5*rng.NormFloat64()))
		r16[i] = float16.FromFloat32(float32(rng.NormFloat64()))
		x64[i], r64[i] = float64(x16[i].Float32()), float64(r16[i].Float32())
	}
	outs := runBatchNormTraining(t, backend, model.NewStore(), tensors.FromFlatDataAndDimensions(x16, n, h, w, c),
		tensors.FromFlatDataAndDimensions(r16, n, h, w, c), func(x, y, loss *Node) []*Node {
			return []*Node{ConvertDType(y, dtypes.Float64), ConvertDType(Gradient(loss, x)[0], dtypes.Float64)}
		})
	wantY, _, wantDx, _, _ := bnReference(x64, r64, []float64{1, 1}, n*h*w, c)
	assertAllClose(t, "float16 output", wantY, tensors.MustCopyFlatData[float64](outs[0]), 1e-2)
	// The gradient is ~1/σ·O(1) per element: compare on the scale of the largest value.
	gotDx := tensors.MustCopyFlatData[float64](outs[1])
	var maxAbs, maxDiff float64
	for i := range wantDx {
		maxAbs = math.Max(maxAbs, math.Abs(wantDx[i]))
		maxDiff = math.Max(maxDiff, math.Abs(wantDx[i]-gotDx[i]))
	}
	if math.IsNaN(maxDiff) || maxDiff > 2e-2*maxAbs {
		t.Fatalf("float16 grad_x: max diff %g, max |want| %g", maxDiff, maxAbs)
	}
}
