package models

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Batch normalisation hyperparameters, as PyTorch's nn.BatchNorm2d defaults.
const (
	bnMomentum = 0.9  // Weight of the old moving average (PyTorch momentum 0.1).
	bnEpsilon  = 1e-5 // Added to the variance.
)

// batchNorm normalises x [N, H, W, C] per channel, like PyTorch's nn.BatchNorm2d:
//
//   - training: with the batch's mean and (biased) variance, gradients flowing through them (GoMLX's
//     norm.BatchNorm stops the gradient at the batch statistics, a different training dynamic);
//     the moving averages are updated;
//   - inference: with the moving averages.
//
// Variables, in "<scope>/batch_normalization", have the names, shapes and update rule of GoMLX's
// norm.BatchNorm (scale, offset, mean, variance, avg_weight: debiased moving averages), so checkpoints
// are interchangeable.
func batchNorm(scope *model.Scope, x *Node) *Node {
	g := x.Graph()
	scope = scope.In("batch_normalization")
	c := x.Shape().Dim(-1)
	varShape := shapes.Make(x.DType(), c)
	scale := scope.WithInitializer(initializer.One).VariableWithShape("scale", varShape).SetTrainable(true)
	offset := scope.WithInitializer(initializer.Zero).VariableWithShape("offset", varShape).SetTrainable(true)
	meanAvg := scope.WithInitializer(initializer.Zero).VariableWithShape("mean", varShape).SetTrainable(false)
	varAvg := scope.WithInitializer(initializer.One).VariableWithShape("variance", varShape).SetTrainable(false)
	weight := scope.WithInitializer(initializer.Zero).VariableWithShape("avg_weight", varShape).SetTrainable(false)

	axes := make([]int, x.Rank()-1) // All but the channels.
	for i := range axes {
		axes[i] = i
	}
	bcast := func(v *Node) *Node { return ExpandLeftToRank(v, x.Rank()) }

	// Statistics in float32 for half-precision inputs (Option 2), as PyTorch's autocast and cuDNN do:
	// a float16 sum over a feature map (73,728 values per channel for ResNet's stem at batch 32)
	// overflows.
	dtype := x.DType()
	toCompute := func(v *Node) *Node { return convertIfNeeded(v, bnComputeDType(dtype)) }
	toStorage := func(v *Node) *Node { return convertIfNeeded(v, dtype) }

	if !scope.IsTraining(g) {
		a := Mul(toCompute(scale.NodeValue(g)), Rsqrt(AddScalar(toCompute(varAvg.NodeValue(g)), bnEpsilon)))
		b := Sub(toCompute(offset.NodeValue(g)), Mul(toCompute(meanAvg.NodeValue(g)), a))
		return Add(Mul(x, bcast(toStorage(a))), bcast(toStorage(b)))
	}

	y, mean, variance := batchNormTraining(x, scale.NodeValue(g), offset.NodeValue(g), axes)

	// Moving averages, as norm.BatchNorm: the first steps are debiased by the number of updates.
	w := OnePlus(weight.NodeValue(g))
	weight.SetNodeValue(w)
	momentum := toCompute(Min(Scalar(g, dtype, bnMomentum), OneMinus(Reciprocal(w))))
	update := func(avg *model.Variable, batch *Node) {
		avg.SetNodeValue(toStorage(Add(Mul(momentum, toCompute(avg.NodeValue(g))), Mul(OneMinus(momentum), StopGradient(batch)))))
	}
	update(meanAvg, mean)
	update(varAvg, variance)
	return y
}

// batchNormTraining returns x normalised with its batch statistics over axes, scaled and offset per
// channel (the last axis), and the batch mean and (biased) variance (in bnComputeDType).
//
// The gradient is custom, the closed form PyTorch uses: with x̂ = (x-μ)·s, s = 1/sqrt(σ²+ε), a = scale·s
// and M values per channel,
//
//	d offset = Σ dy,   d scale = s·Σ dy·(x-μ),   dx = a·dy + (x-μ)·(-a·s²·Σ dy·(x-μ)/M) - a·Σ dy/M
//
// Forward and backward are 4 and 5 element-wise passes over x plus 2 reductions each: autodiff of the
// same forward builds ~6 passes for the backward. Every operation is an element-wise op or a reduction,
// which the Go backend runs vectorised; only [C]-sized ops divide. Half-precision inputs are computed
// in float32 and x-μ is kept for the backward pass in the input's dtype.
func batchNormTraining(x, scale, offset *Node, axes []int) (y, mean, variance *Node) {
	rank := x.Rank()
	dtype := x.DType()
	cdt := bnComputeDType(dtype)
	toCompute := func(v *Node) *Node { return convertIfNeeded(v, cdt) }
	toStorage := func(v *Node) *Node { return convertIfNeeded(v, dtype) }
	bcast := func(v *Node) *Node { return ExpandLeftToRank(v, rank) }
	var dy, centered, invStd, a *Node // dy and centered in dtype; invStd and a in cdt.
	var sumDy, sumDyXc *Node          // Shared by the three gradients, in cdt.
	sums := func() {
		if sumDy == nil {
			sumDy = ReduceSum(toCompute(dy), axes...)
			sumDyXc = ReduceSum(Mul(toCompute(dy), toCompute(centered)), axes...)
		}
	}
	m := float64(x.Shape().Size() / x.Shape().Dim(-1))
	xB := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		sums()
		k1 := MulScalar(Mul(Mul(a, Square(invStd)), sumDyXc), -1/m)
		k0 := MulScalar(Mul(a, sumDy), -1/m)
		return Add(Add(Mul(dy, bcast(toStorage(a))), Mul(centered, bcast(toStorage(k1)))), bcast(toStorage(k0)))
	})
	scaleB := IdentityWithCustomGradient(scale, func(_, _ *Node) *Node {
		sums()
		return toStorage(Mul(sumDyXc, invStd))
	})
	offsetB := IdentityWithCustomGradient(offset, func(_, _ *Node) *Node {
		sums()
		return toStorage(sumDy)
	})
	xC := toCompute(xB)
	mean = ReduceMean(xC, axes...)
	centeredC := Sub(xC, bcast(mean))
	variance = ReduceMean(Square(centeredC), axes...)
	invStd = Reciprocal(Sqrt(AddScalar(variance, bnEpsilon)))
	a = Mul(toCompute(scaleB), invStd)
	y = toStorage(Add(Mul(centeredC, bcast(a)), bcast(toCompute(offsetB))))
	centered = toStorage(centeredC)
	y = IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		dy = v
		return v
	})
	return y, mean, variance
}

// bnComputeDType is the dtype batch norm computes its statistics in: float32 for half precision,
// the input's dtype otherwise.
func bnComputeDType(dtype dtypes.DType) dtypes.DType {
	if dtype == dtypes.Float16 || dtype == dtypes.BFloat16 {
		return dtypes.Float32
	}
	return dtype
}

// convertIfNeeded converts x to dtype, if it is not already of that dtype.
func convertIfNeeded(x *Node, dtype dtypes.DType) *Node {
	if x.DType() == dtype {
		return x
	}
	return ConvertDType(x, dtype)
}
