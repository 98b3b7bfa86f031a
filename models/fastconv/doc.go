// Package fastconv provides 2D convolution and max-pooling graph building blocks that are fast on
// GoMLX's pure Go backend ("go", github.com/gomlx/compute/gobackend), as drop-in replacements for
// graph.Convolve(...).PadSame() / layers.Convolution(...).PadSame() and
// graph.MaxPool(...).PadSame() in NHWC models (issue #4).
//
// # API
//
//   - Conv2D(x, kernel, stride): x [N,H,W,Cin], kernel [KH,KW,Cin,Cout] → [N,ceil(H/s),ceil(W/s),Cout],
//     SAME padding with GoMLX's PadSame semantics (start=(k-1)/2, end=k/2, for any stride; for odd k
//     this equals PyTorch's padding=(k-1)/2, e.g. ResNet's 7×7/2 pad 3, 3×3/2 pad 1 and 1×1/2 pad 0).
//     No bias.
//   - Conv2DBias(x, kernel, bias, stride): the same plus a [Cout] bias (nil allowed), added to the
//     [M, Cout] product before it is viewed as NHWC, so the gradients flow back without copies.
//   - MaxPool2D(x, window, stride): NHWC, GoMLX PadSame semantics (-inf padding start=(w-1)/2,
//     end=w/2; output ceil(H/s)): equals PyTorch's MaxPool2d(2) for 2×2/2 on even sizes and
//     MaxPool2d(3, 2, padding=1) for ResNet's stem.
//   - SamePadding(k), SameOutputSize(in, k, stride): the padding/size arithmetic above.
//   - Transpose2D(x): graph.Transpose(x, 0, 1) for a matrix, avoiding the Go backend's slow case (row
//     counts that are multiples of 512, see below).
//
// # Why
//
// The Go backend's ConvGeneral is a direct convolution loop (~0.3 GFLOP/s here), while its DotGeneral
// is a packed AVX-512 GEMM (~250 GFLOP/s on ResNet50's shapes on 2 cores with GOEXPERIMENT=simd, near
// the machine's peak). Conv2D therefore lowers every convolution to DotGeneral, and moves data only
// with the backend's ops that copy contiguous runs (Concatenate, GatherSlices, ScatterSum): its Pad,
// Slice and general Transpose copy element by element (1.5–9 ns per element):
//
//   - K×K kernels: im2col as one Concatenate (zero columns left and right) plus one GatherSlices. The
//     operand is the column-padded input viewed as [N*H, Wp, Cin]; constant int32 start indices
//     [N,Ho,Wo,KH,2] select, for each output pixel and kernel row, a contiguous run of KW*Cin floats;
//     kernel rows above or below the image point at a run of KW zero columns, so rows need no padding.
//     The patches, gathered straight into a [chunks, N*Ho*Wo/chunks, KH*KW*Cin] view, are multiplied by
//     the kernel viewed as [KH*KW*Cin, Cout] (no transposes in the forward pass).
//   - 1×1 kernels: a single DotGeneral over the channel axis; for stride 2, after a GatherSlices of the
//     strided pixels (C-long runs).
//
// Gradients are custom, wired with graph.IdentityWithCustomGradient (the autodiff nodes GoMLX creates
// for the forward ops are left unused, and the Go backend never executes nodes that the outputs don't
// depend on):
//
//   - Kernel gradient: patchesᵀ·dY. GoMLX's default VJP (a DotGeneral contracting over the N*Ho*Wo
//     axis) makes the backend transpose both operands, including the large patches matrix, and adds
//     an identity-permutation Transpose (a full copy). Instead only the smaller of the two operands is
//     transposed: dY (3×3 and 7×7 kernels) into [chunks, Cout, M/chunks], with the contraction run as a
//     DotGeneral batched over up to 4 chunks of the batch and a ReduceSum (1.3-2× faster than one GEMM
//     for the narrow [Cout, K] outputs of these layers); or the patches, when K < Cout.
//   - 2D transposes (transpose.go): the backend transposes in 32×32 tiles whose 32 output rows, when the
//     row count R is a multiple of 512 (M = N·H·W at batch 32, many channel counts), land in the same
//     L1 cache sets: 3–9 ns per element instead of ~1. Such matrices get 16 zero rows appended
//     (Concatenate) before the transpose and dropped after it by a row gather.
//   - Input gradient: dY·kernelᵀ as one DotGeneral, contracting the kernel in place for Cout >= 128 and
//     on a materialised kernelᵀ below (the backend's GEMM is slow contracting a narrow last axis:
//     14 vs ~85 GFLOP/s for Cout=32), then one ScatterSum into the column-padded input (col2im) and a
//     row gather that keeps the real columns. For 1×1 stride-1 convolutions it is left to autodiff.
//
// MaxPool2D is separable: window strided row gathers reduced with element-wise Max, then window strided
// column gathers reduced the same way, with -inf padding only where a window reaches it. Its custom
// gradient (gatherMax) sends the incoming gradient to the gathered values equal to the maximum (Equal,
// Where) and scatters each stage back with one ScatterSum. A ReduceMax over window axes and its
// broadcasting gradient cost 2–3× more (~100 ms per step for ResNet50's stem pool). Ties inside a
// window are the only difference from GoMLX's SelectAndScatter gradient (tied maxima may all receive
// the gradient).
//
// # Known GoMLX issue found while testing
//
// GoMLX v0.28.16's Convolve VJP w.r.t. the input is wrong for even kernel sizes (checked against
// finite differences, both with PadSame and with explicit pre-padding + NoPadding); Conv2D is correct
// for them. The equivalence tests use a shifted-slices reference for even kernels.
//
// # What the Go backend needs around it (measured; see README for the figures)
//
//   - Reshape in the Go backend copies its input unless it is the input's last consumer: every view
//     here is taken where the node has a single consumer (the patches are gathered directly into
//     their chunked view, the product stays a [M, Cout] matrix until after the bias), and models
//     should prefer ReLU after pooling (SimpleCNN pools first: max-pool and ReLU commute), so the
//     pooling reshape of a convolution's output is free.
//   - Page faults. On a VM first touches of memory cost ~11 µs per 4 KiB page (a 400 MB buffer: 1.2 s
//     to fault in, 40 ms to rewrite). The backend keeps buffers in sync.Pools, emptied by every GC, so
//     the trainer lets the collector run only when garbage has piled up (trainer.withTrainingGC:
//     GOGC=off with a memory limit); what still faults, ~5,000 pages per ResNet50 step, is mostly Go
//     garbage the backend makes per op (the AVX-512 GEMM allocates a 2,000-entry work channel per
//     call, ~15 MB per step), which with the collector off is always fresh memory.
//   - Ops sequentially: engine.GoConfig ("ops_sequential") keeps the backend from running independent
//     ops concurrently, which oversubscribed the 2 cores and kept more buffers alive (20-40% slower).
//   - Build with GOEXPERIMENT=simd: without it the backend's GEMM is ~15× slower.
//   - Shapes must be static (the im2col indices are constants built for the batch size).
//
// # Where the time goes (ResNet50, batch 32, 2 cores, per-op trace of one step, sequential ops)
//
// ~1.2 s per step, of which GEMMs ~560 ms (143 GFLOP at ~250 GFLOP/s: at the machine's peak), batch
// norm and ReLU passes ~250 ms (one vectorised pass over an activation costs ~0.2 ns per element;
// batch norm needs 9 of them per layer), Adam ~120 ms (~15 passes over 23.5M weights), im2col gathers,
// col2im scatters and padding copies ~150 ms, transposes ~80 ms, and page faults. What is left is in
// GoMLX itself: fused element-wise kernels (batch norm + ReLU in one pass), a SIMD transpose, a GEMM
// that takes transposed operands in its packing (no explicit transposes for the kernel gradient), and
// a GEMM that does not allocate per call would each be a change to github.com/gomlx/compute.
//
// Benchmarks (conv layers, GEMM ceilings, and self-contained SimpleCNN / ResNet50 train steps with
// native vs fast ops) live in this package's tests; bench/compare_train.sh compares against PyTorch.
package fastconv
