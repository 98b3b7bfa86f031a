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
// output spatial size ceil(H/stride)). The output is NHWC [N,Ho,Wo,Cout]. No bias: see Conv2DBias.
func Conv2D(x, kernel *Node, stride int) *Node {
	return Conv2DBias(x, kernel, nil, stride)
}

// Conv2DBias is Conv2D followed by the addition of bias ([Cout], may be nil), fused so that the
// bias is added to the [M, Cout] product matrix before it is viewed as NHWC: the gradients then flow
// back as one [M, Cout] matrix with no copies (see below).
//
// Implementation (see the package documentation for the rationale):
//   - 1×1 kernels: one DotGeneral over the channels axis, preceded by a gather of the strided pixels
//     when stride > 1.
//   - Other kernels: im2col with zero padding (padConcat: two Concatenates) plus a single GatherSlices whose constant start indices
//     address, for each output pixel and kernel row, a contiguous run of KW*Cin values of the padded
//     input; the patches matrix, viewed as [chunks, M/chunks, KH*KW*Cin], then feeds one DotGeneral with
//     the kernel reshaped to [KH*KW*Cin, Cout].
//
// The gradients are custom (see matmulWithCustomGrad): the kernel gradient transposes only the
// smaller of the patches and the [M, Cout] output gradient and, for the latter, runs as a DotGeneral
// batched over a few chunks of the batch (see weightGrad), and the input gradient is one DotGeneral followed by a single ScatterSum (col2im).
//
// The Go backend copies a Reshape's input whenever another node still needs it, so every view here is
// taken where the reshaped node has a single consumer: the patches are gathered straight into their
// chunked view, and the product is kept as a [M, Cout] matrix until after the bias.
func Conv2DBias(x, kernel, bias *Node, stride int) *Node {
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
	if bias != nil && (bias.Rank() != 1 || bias.Shape().Dim(0) != cout) {
		panic(fmt.Sprintf("fastconv.Conv2DBias: bias must be [%d], got %s", cout, bias.Shape()))
	}
	ho, wo := SameOutputSize(h, kh, stride), SameOutputSize(w, kw, stride)
	k := kh * kw * cin
	m := n * ho * wo
	k2 := Reshape(kernel, k, cout)
	chunks := weightGradNumChunks(n, k, cout)

	var y *Node // [M, Cout]
	switch {
	case kh == 1 && kw == 1 && stride == 1:
		// x is used as is ([N,H,W,Cin], contracting its last axis): it usually has other consumers, and a
		// Reshape of it would be a copy. Input gradient from autodiff (one DotGeneral).
		y = matmulWithCustomGrad(x, func(src *Node) *Node { return src }, nil, k2, 1)
	case kh == 1 && kw == 1:
		// Strided 1×1: the pixels (stride*i, stride*j) gathered as C-long runs (a strided Slice copies
		// element by element, and its gradient is an interior Pad); the gradient scatters them back.
		start := Const(x.Graph(), im2colIndices(n, h, ho, wo, 1, stride, 0, 0))
		toCols := func(x *Node) *Node {
			pixels := GatherSlices(Reshape(x, n*h, w, cin), []int{0, 1}, start, []int{1, 1}, true) // [N,Ho,Wo,1,1,1,C]
			return Reshape(pixels, chunks, m/chunks, k)
		}
		colsGrad := func(dCols *Node) *Node {
			updates := Reshape(dCols, n, ho, wo, 1, 1, 1, cin)
			zeros := Zeros(x.Graph(), shapeOf(x, n*h, w, cin))
			dx := BackendScatterSum(zeros, start, updates, 4, []int{4, 5, 6}, nil, []int{0, 1}, true, true)
			return Reshape(dx, n, h, w, cin)
		}
		y = matmulWithCustomGrad(x, toCols, colsGrad, k2, chunks)
	default:
		// Only the columns are zero-padded (one Concatenate): the padding rows above and below each image
		// are read from zero columns too, as the start indices of out-of-range kernel rows point at a run
		// of KW zero columns kept at the right of every row.
		padTop, _ := SamePadding(kh)
		padLeft, padRight := SamePadding(kw)
		zeroCols := max(padRight, kw)
		wp := padLeft + w + zeroCols
		zeroStart := padLeft + w // first of at least KW zero columns
		start := Const(x.Graph(), im2colIndices(n, h, ho, wo, kh, stride, padTop, zeroStart))
		toCols := func(x *Node) *Node {
			xp := padConcat(x, ScalarZero(x.Graph(), x.DType()), 0, 0, padLeft, zeroCols)
			operand := Reshape(xp, n*h, wp, cin)
			// GatherSlices output: [N, Ho, Wo, KH, 1, KW, C].
			patches := GatherSlices(operand, []int{0, 1}, start, []int{1, kw}, false)
			return Reshape(patches, chunks, m/chunks, k)
		}
		colsGrad := func(dCols *Node) *Node {
			// col2im: scatter-add the patches gradient back into the padded input (what the Gather VJP
			// does, minus its extra copies), then keep the real columns.
			updates := Reshape(dCols, n, ho, wo, kh, 1, kw, cin)
			zeros := Zeros(x.Graph(), shapeOf(x, n*h, wp, cin))
			dxp := BackendScatterSum(zeros, start, updates, 4, []int{4, 5, 6}, nil, []int{0, 1}, false, false)
			return cropSpatial(Reshape(dxp, n, h, wp, cin), 0, padLeft, h, w)
		}
		y = matmulWithCustomGrad(x, toCols, colsGrad, k2, chunks)
	}
	if bias != nil {
		y = Add(y, Reshape(bias, 1, cout))
	}
	return Reshape(y, n, ho, wo, cout)
}

// matmulWithCustomGrad returns y = cols · w2 as a [M, Cout] matrix, where cols = toCols(src) is
// [..., K] (its leading axes together of size M) and w2 is [K, Cout]. cols is either [chunks, M/chunks, K]
// or, with chunks == 1, any [..., K].
//
// Gradients (custom, through IdentityWithCustomGradient nodes; the VJP nodes GoMLX's autodiff builds for
// the DotGeneral and the toCols ops are left unused and are never executed by the Go backend, which
// skips nodes not reachable from the outputs):
//   - w.r.t. w2: colsᵀ·dY computed by weightGrad (GoMLX's default DotGeneral VJP would make the backend
//     transpose both operands, including the large patches matrix, plus an identity-permutation
//     Transpose copy).
//   - w.r.t. src: if colsGradToSrc != nil, colsGradToSrc(dY · w2ᵀ) with dY · w2ᵀ as [M, K]; otherwise
//     GoMLX's autodiff through toCols and the DotGeneral (used for 1×1 stride-1 convolutions, where src
//     has other consumers and an Identity on it would force a copy).
func matmulWithCustomGrad(src *Node, toCols func(*Node) *Node, colsGradToSrc func(dCols *Node) *Node, w2 *Node, chunks int) *Node {
	var dY, cols *Node
	k, cout := w2.Shape().Dim(0), w2.Shape().Dim(1)
	wB := IdentityWithCustomGradient(w2, func(_, _ *Node) *Node {
		return weightGrad(cols, dY, chunks)
	})
	srcB := src
	if colsGradToSrc != nil {
		srcB = IdentityWithCustomGradient(src, func(_, _ *Node) *Node {
			// wB, not w2: a second consumer of w2 would make its Identity copy it.
			return colsGradToSrc(inputColsGrad(dY, wB)) // [M, K]
		})
	}
	cols = toCols(srcB)
	y := DotGeneral(cols, []int{cols.Rank() - 1}, nil, wB, []int{0}, nil)
	y = reshapeIfNeeded(y, cols.Shape().Size()/k, cout)
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		dY = v
		return v
	})
}

// inputColsGrad returns dY·w2ᵀ ([M, K]) for dY [M, Cout] and w2 [K, Cout].
//
// The backend's GEMM contracts w2 on its last axis ("transposed" layout) well when Cout is large, but
// at a few GFLOP/s for narrow ones (14 vs ~85 GFLOP/s for SimpleCNN's first 3×3 layer, Cout=32, at
// batch 32): below inputGradNTMinCout, w2ᵀ ([Cout, K], weights-sized) is materialised first.
// Measured (2 cores, ResNet50's 3×3 layers at batch 32): transposed layout 8.4 vs 14.0 ms for
// Cout=512, 7.7 vs 9.4 ms for 256, 7.6 vs 8.4 for 128, 9.7 vs 9.2 for 64.
func inputColsGrad(dY, w2 *Node) *Node {
	if dY.Shape().Dim(1) >= inputGradNTMinCout {
		return DotGeneral(dY, []int{1}, nil, w2, []int{1}, nil)
	}
	return DotGeneral(dY, []int{1}, nil, Transpose2D(w2), []int{0}, nil)
}

// inputGradNTMinCout is the smallest Cout for which inputColsGrad contracts w2 in place.
const inputGradNTMinCout = 128

// weightGrad returns colsᵀ·dY of shape [K, Cout], for dY [M, Cout] and cols [..., K] with M rows in all:
// [chunks, M/chunks, K] when chunks > 1.
//
// Contracting over the large M axis needs one operand transposed to [C, M] for the backend's GEMM
// layouts. Transposing cols ([M, K], after a copy into one piece) gives [K, Cout] directly; transposing
// dY gives [Cout, K], which must be transposed again: cols is chosen when K < Cout or when its copy
// and transpose move fewer elements than dY's two transposes (ResNet's last stage, where M = 288 is
// small and K = 4608 large). The contraction over a transposed dY is split into a few chunks (weightGradNumChunks), run as a DotGeneral batched over the chunks and reduced
// after: for the narrow outputs of most convolutions this parallelizes and caches better in the backend's
// GEMM than a single [C, M]x[M, K] product (measured ~1.3-2× faster for SimpleCNN's 96×96 32→32 layer).
func weightGrad(cols, dY *Node, chunks int) *Node {
	m, cout := dY.Shape().Dim(0), dY.Shape().Dim(1)
	if k := cols.Shape().Dim(-1); k < cout || 6*m*k < 5*(m*cout+cout*k) {
		// cols is the cheaper operand to transpose (the copy into one piece counted as 1/5 of a
		// transpose): transpose it, in one piece (the output [K, Cout] is wide enough for the GEMM).
		colsT := Transpose2D(reshapeIfNeeded(cols, m, k))          // [K, M]
		return DotGeneral(colsT, []int{1}, nil, dY, []int{0}, nil) // [K, Cout]
	}
	if chunks == 1 {
		dYT := Transpose2D(dY) // [Cout, M]
		// cols is [d0, ..., K] with d0*...=M: contract all its leading axes with dYᵀ viewed as [Cout, d0, ...].
		lead := cols.Shape().Dimensions[:cols.Rank()-1]
		contract, lhsContract := make([]int, len(lead)), make([]int, len(lead))
		for i := range lead {
			contract[i], lhsContract[i] = i, i+1
		}
		lhs := reshapeIfNeeded(dYT, append([]int{cout}, lead...)...)
		g := DotGeneral(lhs, lhsContract, nil, cols, contract, nil) // [Cout, K]
		return Transpose2D(g)
	}
	lhs := transposeChunks(dY, chunks)                                 // [chunks, Cout, M/chunks]
	g := DotGeneral(lhs, []int{2}, []int{0}, cols, []int{1}, []int{0}) // [chunks, Cout, K]
	return Transpose2D(ReduceSum(g, 0))
}

// weightGradNumChunks returns the number of chunks (a divisor of the batch size) to split the kernel
// gradient contraction in: up to 4 for small kernels, 1 for large ones (>= 1M weights), where the
// GEMM already has enough output tiles to parallelize and the partial results would be large.
func weightGradNumChunks(batchSize, k, cout int) int {
	switch {
	case weightGradChunks > 0 && batchSize%weightGradChunks == 0:
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

// im2colIndices builds the [N,Ho,Wo,KH,2] int32 start indices (row, column) into the [N*H, Wp, C] view
// of a column-padded input, for kernel rows ky of output pixel (oy, ox): row b*H + oy*stride + ky - padTop
// and column ox*stride (in padded columns); rows outside the image point at column zeroStart instead,
// where at least KW zero columns start.
func im2colIndices(n, h, ho, wo, kh, stride, padTop, zeroStart int) *tensors.Tensor {
	data := make([]int32, n*ho*wo*kh*2)
	idx := 0
	for b := range n {
		for oy := range ho {
			for ox := range wo {
				for ky := range kh {
					if y := oy*stride + ky - padTop; y >= 0 && y < h {
						data[idx] = int32(b*h + y)
						data[idx+1] = int32(ox * stride)
					} else {
						data[idx] = 0
						data[idx+1] = int32(zeroStart)
					}
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
// Implementation: -inf padding where a window reaches it (padSpatial), then separable: window strided
// row gathers reduced with element-wise Max, then window strided column gathers reduced the same way
// (see gatherMax for the gradient).
//
// Gradient semantics differ from GoMLX's SelectAndScatter only on exact ties within a window (here tied
// maxima may all receive the incoming gradient, SelectAndScatter picks one).
func MaxPool2D(x *Node, window, stride int) *Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("fastconv.MaxPool2D: x must be [N,H,W,C], got %s", x.Shape()))
	}
	if window < 1 || stride < 1 {
		panic(fmt.Sprintf("fastconv.MaxPool2D: invalid window %d / stride %d", window, stride))
	}
	n, h, w, c := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2), x.Shape().Dim(3)
	ho, wo := SameOutputSize(h, window, stride), SameOutputSize(w, window, stride)
	// Separable: the max over each window's rows (strided row gathers, element-wise Max), then over
	// its columns (strided column gathers): all contiguous copies or vectorised passes, with gradients of
	// the same kind (ScatterSums, Equal/Where). A ReduceMax over gathered or reshaped window axes, and
	// its broadcasting gradient, cost 2-3× more (~100 ms per step for ResNet50's stem pool, ~170 ms for
	// SimpleCNN's three 2×2 pools). Only the padding some window reaches is added.
	lo, _ := SamePadding(window)
	bottom := max(0, (ho-1)*stride+window-(h+lo))
	right := max(0, (wo-1)*stride+window-(w+lo))
	xp := padSpatial(x, lowest(x), lo, bottom, lo, right)
	hp, wp := h+lo+bottom, w+lo+right
	rowStartsK := make([]*tensors.Tensor, window)
	colStartsK := make([]*tensors.Tensor, window)
	for k := range window {
		rowStartsK[k] = rowStarts(n, hp, k, stride, ho) // [N, Ho, 2] into [N*Hp, Wp*C]
		colStartsK[k] = colStarts(n*ho, k, stride, wo)  // [N*Ho, Wo, 2] into [N*Ho, Wp, C]
	}
	rowMax := gatherMax(Reshape(xp, n*hp, wp*c), rowStartsK, []int{1, wp * c}) // [N, Ho, 1, Wp*C]
	out := gatherMax(Reshape(rowMax, n*ho, wp, c), colStartsK, []int{1, 1})    // [N*Ho, Wo, 1, 1, C]
	return Reshape(out, n, ho, wo, c)
}

// gatherMax returns the element-wise maximum over k of GatherSlices(src, {0, 1}, starts[k], sizes) (src
// has rank >= 2; every starts[k] has the same shape [..., 2]).
//
// Its gradient is custom: the incoming gradient goes, for each element, to every gathered part equal to
// the maximum (Equal and Where per part), and all parts are scattered back into src with a single
// ScatterSum of their concatenation. Autodiff would build one zero-filled ScatterSum per part, Adds
// between them, and seven element-wise ops per Max (plus NaNs from -inf - -inf in the padding).
func gatherMax(src *Node, starts []*tensors.Tensor, sizes []int) *Node {
	g := src.Graph()
	parts := make([]*Node, len(starts))
	var outB, dOut *Node
	srcB := IdentityWithCustomGradient(src, func(_, _ *Node) *Node {
		zero := ScalarZero(g, dOut.DType())
		updates := make([]*Node, len(parts))
		for k, p := range parts {
			updates[k] = InsertAxes(Where(Equal(p, outB), dOut, zero), 0)
		}
		all := Concatenate(updates, 0)        // [K, batch..., window...]
		idx := Const(g, stackTensors(starts)) // [K, batch..., 2]
		windowAxes := make([]int, src.Rank())
		for i := range windowAxes {
			windowAxes[i] = all.Rank() - src.Rank() + i
		}
		return BackendScatterSum(Zeros(g, src.Shape()), idx, all, idx.Rank()-1, windowAxes, nil, []int{0, 1}, false, false)
	})
	var out *Node
	for k, st := range starts {
		parts[k] = GatherSlices(srcB, []int{0, 1}, Const(g, st), sizes, true)
		if out == nil {
			out = parts[k]
		} else {
			out = Max(out, parts[k])
		}
	}
	outB = IdentityWithCustomGradient(out, func(_, v *Node) *Node {
		dOut = v
		return v
	})
	return outB
}

// stackTensors stacks int32 tensors of the same shape along a new leading axis.
func stackTensors(ts []*tensors.Tensor) *tensors.Tensor {
	var data []int32
	for _, t := range ts {
		data = append(data, tensors.MustCopyFlatData[int32](t)...)
	}
	return tensors.FromFlatDataAndDimensions(data, append([]int{len(ts)}, ts[0].Shape().Dimensions...)...)
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
