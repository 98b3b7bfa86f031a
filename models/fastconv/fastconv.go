package fastconv

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
	"github.com/gomlx/gomlx/core/tensors"
)

// SamePadding returns the (start, end) padding GoMLX's PadSame() uses for a window/kernel of size k,
// independent of the stride: start=(k-1)/2, end=k/2. For odd k this is PyTorch's padding=(k-1)/2.
func SamePadding(k int) (start, end int) {
	return (k - 1) / 2, k / 2
}

// SameOutputSize is the spatial output size of a SAME-padded conv/pool of size k and the given stride
// on an input of size in: floor((in-1)/stride)+1 == ceil(in/stride).
func SameOutputSize(in, k, stride int) int {
	lo, hi := SamePadding(k)
	return (in+lo+hi-k)/stride + 1
}

// Conv2D computes a 2D convolution of x (NHWC, [N,H,W,Cin]) with kernel ([KH,KW,Cin,Cout]) with the given
// stride on both spatial axes and SAME padding exactly as GoMLX's
// graph.Convolve(x, kernel).Strides(stride).PadSame() (padding start=(k-1)/2, end=k/2 per axis,
// output spatial size ceil(H/stride)). The output is NHWC [N,Ho,Wo,Cout]. No bias.
//
// Implementation (see the package documentation for the rationale):
//   - 1×1 kernels: one DotGeneral over the channels axis, preceded by a strided Slice when stride > 1.
//   - Other kernels: im2col with one Pad plus a single GatherSlices whose constant start indices
//     address, for each output pixel and kernel row, a contiguous run of KW*Cin values of the padded
//     input; the patches matrix [N*Ho*Wo, KH*KW*Cin] then feeds one DotGeneral with the kernel
//     reshaped to [KH*KW*Cin, Cout].
//
// The gradients are custom (see matmulWithCustomGrad): the kernel gradient transposes only the smaller
// operand and runs as a DotGeneral batched over a few chunks of the batch (see weightGrad), and the
// input gradient is one DotGeneral followed by a single ScatterSum (col2im).
func Conv2D(x, kernel *Node, stride int) *Node {
	if x.Rank() != 4 || kernel.Rank() != 4 {
		panic(fmt.Sprintf("fastconv.Conv2D: x must be [N,H,W,Cin] and kernel [KH,KW,Cin,Cout], got x=%s kernel=%s",
			x.Shape(), kernel.Shape()))
	}
	if stride < 1 {
		panic(fmt.Sprintf("fastconv.Conv2D: invalid stride %d", stride))
	}
	n, h, w, cin := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2), x.Shape().Dim(3)
	kh, kw, kcin, cout := kernel.Shape().Dim(0), kernel.Shape().Dim(1), kernel.Shape().Dim(2), kernel.Shape().Dim(3)
	if kcin != cin {
		panic(fmt.Sprintf("fastconv.Conv2D: kernel input channels (%d) != x channels (%d): x=%s kernel=%s",
			kcin, cin, x.Shape(), kernel.Shape()))
	}
	ho, wo := SameOutputSize(h, kh, stride), SameOutputSize(w, kw, stride)
	k2 := Reshape(kernel, kh*kw*cin, cout)

	var y *Node
	if kh == 1 && kw == 1 {
		if stride == 1 {
			// Input gradient from autodiff (one DotGeneral); see matmulWithCustomGrad.
			y = matmulWithCustomGrad(x, func(src *Node) *Node { return src }, nil, k2, n)
		} else {
			xs := Slice(x, AxisRange(), AxisRange().Stride(stride), AxisRange().Stride(stride), AxisRange())
			y = matmulWithCustomGrad(xs, func(src *Node) *Node { return src },
				func(dCols *Node) *Node { return dCols }, k2, n)
		}
	} else {
		// Pad spatial axes.
		padTop, padBottom := SamePadding(kh)
		padLeft, padRight := SamePadding(kw)
		xp := Pad(x, ScalarZero(x.Graph(), x.DType()),
			PadAxis{}, PadAxis{Start: padTop, End: padBottom}, PadAxis{Start: padLeft, End: padRight}, PadAxis{})
		hp, wp := h+padTop+padBottom, w+padLeft+padRight
		start := Const(x.Graph(), im2colIndices(n, hp, ho, wo, kh, stride))
		toCols := func(xp *Node) *Node {
			operand := Reshape(xp, n*hp, wp, cin)
			// GatherSlices output: [N, Ho, Wo, KH, 1, KW, C].
			patches := GatherSlices(operand, []int{0, 1}, start, []int{1, kw}, true)
			return Reshape(patches, n*ho*wo, kh*kw*cin)
		}
		colsGrad := func(dCols *Node) *Node {
			// col2im: scatter-add the patches gradient back into the padded input (what the Gather VJP
			// does, minus its extra copies).
			updates := Reshape(dCols, n, ho, wo, kh, 1, kw, cin)
			zeros := Zeros(x.Graph(), shapeOf(x, n*hp, wp, cin))
			dxp := BackendScatterSum(zeros, start, updates, 4, []int{4, 5, 6}, nil, []int{0, 1}, true, false)
			return Reshape(dxp, n, hp, wp, cin)
		}
		y = matmulWithCustomGrad(xp, toCols, colsGrad, k2, n)
	}
	return reshapeIfNeeded(y, n, ho, wo, cout)
}

// matmulWithCustomGrad returns y = cols · w2, where cols = toCols(src) is [..., K] (all leading axes
// together have size M = n * P, n being the batch size) and w2 is [K, Cout]; y is [..., Cout].
//
// Gradients (custom, through IdentityWithCustomGradient nodes; the VJP nodes GoMLX's autodiff builds for
// the DotGeneral and the toCols ops are left unused and are never executed by the Go backend, which
// skips nodes not reachable from the outputs):
//   - w.r.t. w2: colsᵀ·dY computed by weightGrad (GoMLX's default DotGeneral VJP would make the backend
//     transpose both operands, including the large patches matrix, plus an identity-permutation
//     Transpose copy).
//   - w.r.t. src: if colsGradToSrc != nil, colsGradToSrc(dY · w2ᵀ); otherwise GoMLX's autodiff through
//     toCols and the DotGeneral (used for 1×1 stride-1 convolutions, where src may have other
//     consumers and an Identity on it would force a copy).
func matmulWithCustomGrad(src *Node, toCols func(*Node) *Node, colsGradToSrc func(dCols *Node) *Node, w2 *Node, n int) *Node {
	var dY, cols *Node
	wB := IdentityWithCustomGradient(w2, func(_, _ *Node) *Node {
		return weightGrad(cols, dY, n)
	})
	srcB := src
	if colsGradToSrc != nil {
		srcB = IdentityWithCustomGradient(src, func(_, _ *Node) *Node {
			dCols := DotGeneral(dY, []int{dY.Rank() - 1}, nil, w2, []int{1}, nil)
			return colsGradToSrc(dCols)
		})
	}
	cols = toCols(srcB)
	y := DotGeneral(cols, []int{cols.Rank() - 1}, nil, wB, []int{0}, nil)
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		dY = v
		return v
	})
}

// weightGrad returns aᵀ·dY of shape [K, Cout], for a [..., K] and dY [..., Cout] with the same leading
// axes, of total size M = n*P, n being the batch size.
//
// Contracting over the large M axis needs one operand transposed to [C, M] for the backend's GEMM
// layouts: it transposes the smaller of the two operands (a fast 2D transpose in the Go backend).
// The contraction is split into a few chunks (weightGradNumChunks), run as a DotGeneral batched over
// the chunks and reduced after: for the narrow outputs of most convolutions this parallelizes and
// caches better in the backend's GEMM than a single [C, M]x[M, K] product (measured ~1.3-2× faster
// for SimpleCNN's 96×96 32→32 layer).
func weightGrad(a, dY *Node, batchSize int) *Node {
	k, cout := a.Shape().Dim(-1), dY.Shape().Dim(-1)
	m := a.Shape().Size() / k
	n := weightGradNumChunks(batchSize, k, cout)
	if m%n != 0 {
		n = 1
	}
	p := m / n
	a2 := reshapeIfNeeded(a, m, k)
	dY2 := reshapeIfNeeded(dY, m, cout)
	toBatchedT := func(x *Node, cols int) *Node {
		xt := Transpose(x, 0, 1) // [cols, M]
		if n == 1 {
			return reshapeIfNeeded(xt, 1, cols, p)
		}
		return TransposeAllAxes(Reshape(xt, cols, n, p), 1, 0, 2) // [n, cols, P]
	}
	if k <= cout {
		aT := toBatchedT(a2, k)
		g := DotGeneral(aT, []int{2}, []int{0}, Reshape(dY2, n, p, cout), []int{1}, []int{0}) // [n, K, Cout]
		return ReduceSum(g, 0)
	}
	dYT := toBatchedT(dY2, cout)
	g := DotGeneral(dYT, []int{2}, []int{0}, Reshape(a2, n, p, k), []int{1}, []int{0}) // [n, Cout, K]
	return Transpose(ReduceSum(g, 0), 0, 1)
}

// weightGradNumChunks returns the number of chunks (a divisor of the batch size) to split the kernel
// gradient contraction in: up to 4 for small kernels, 1 for large ones (>= 1M weights), where the
// GEMM already has enough output tiles to parallelize and the partial results would be large.
func weightGradNumChunks(batchSize, k, cout int) int {
	switch {
	case weightGradChunks > 0:
		return weightGradChunks
	case weightGradChunks < 0:
		return batchSize
	}
	if k*cout >= 1<<20 {
		return 1
	}
	for _, n := range []int{4, 2} {
		if batchSize%n == 0 {
			return n
		}
	}
	return 1
}

// weightGradChunks, if != 0, overrides the number of chunks weightGrad splits the contraction into
// (benchmarking knob): > 0 is the number of chunks, < 0 means one per example in the batch.
var weightGradChunks = 0

// im2colIndices builds the [N,Ho,Wo,KH,2] int32 start indices into the [N*Hp, Wp, C] operand.
func im2colIndices(n, hp, ho, wo, kh, stride int) *tensors.Tensor {
	data := make([]int32, n*ho*wo*kh*2)
	idx := 0
	for b := range n {
		for oy := range ho {
			for ox := range wo {
				for ky := range kh {
					data[idx] = int32(b*hp + oy*stride + ky)
					data[idx+1] = int32(ox * stride)
					idx += 2
				}
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(data, n, ho, wo, kh, 2)
}

// MaxPool2D computes a max pooling of x (NHWC) with a square window and stride, with GoMLX's PadSame
// semantics: exactly graph.MaxPool(x).Window(window).Strides(stride).PadSame().Done(), that is, padding
// start=(window-1)/2, end=window/2 with -inf, output spatial size ceil(H/stride). For odd windows this is
// PyTorch's nn.MaxPool2d(window, stride, padding=(window-1)/2) (e.g. ResNet's 3×3/2 padding 1 stem
// pool); for window == stride == 2 on even sizes it is the same as VALID pooling (the padded row/column
// is never reached), i.e. PyTorch's nn.MaxPool2d(2).
//
// Implementation:
//   - window == stride and H, W divisible by it (e.g. 2×2/2 on even sizes): a Reshape to
//     [N,H/s,s,W/s,s,C] and a ReduceMax: the gradient is a few element-wise ops (no SelectAndScatter).
//   - Otherwise: -inf Pad, one GatherSlices of the windows ([N,Ho,Wo,KH,1,KW,C]) and a ReduceMax;
//     the gradient is element-wise ops plus a single ScatterSum.
//
// Gradient semantics differ from GoMLX's SelectAndScatter only on exact ties within a window (here every
// tied maximum receives the incoming gradient, SelectAndScatter picks one).
func MaxPool2D(x *Node, window, stride int) *Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("fastconv.MaxPool2D: x must be [N,H,W,C], got %s", x.Shape()))
	}
	if window < 1 || stride < 1 {
		panic(fmt.Sprintf("fastconv.MaxPool2D: invalid window %d / stride %d", window, stride))
	}
	n, h, w, c := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2), x.Shape().Dim(3)
	ho, wo := SameOutputSize(h, window, stride), SameOutputSize(w, window, stride)
	if window == stride && h%stride == 0 && w%stride == 0 {
		r := Reshape(x, n, ho, stride, wo, stride, c)
		return ReduceMax(r, 2, 4)
	}
	lo, hi := SamePadding(window)
	xp := x
	if lo+hi > 0 {
		xp = Pad(x, lowest(x), PadAxis{}, PadAxis{Start: lo, End: hi}, PadAxis{Start: lo, End: hi}, PadAxis{})
	}
	hp, wp := h+lo+hi, w+lo+hi
	g := x.Graph()
	operand := Reshape(xp, n*hp, wp, c)
	start := Const(g, im2colIndices(n, hp, ho, wo, window, stride))
	patches := GatherSlices(operand, []int{0, 1}, start, []int{1, window}, true)
	patches = Reshape(patches, n, ho, wo, window*window, c)
	return ReduceMax(patches, 3)
}

// lowest returns the scalar used to pad max-pooling windows (dtype's lowest value / -inf).
func lowest(x *Node) *Node {
	return Infinity(x.Graph(), x.DType(), -1)
}

// reshapeIfNeeded reshapes x only if its dimensions differ: a Reshape node in the Go backend copies its
// input whenever it is not the input's last consumer.
func reshapeIfNeeded(x *Node, dims ...int) *Node {
	if slices.Equal(x.Shape().Dimensions, dims) {
		return x
	}
	return Reshape(x, dims...)
}
