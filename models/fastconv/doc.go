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
//
// # Why
//
// The Go backend's ConvGeneral is a direct convolution loop (~0.3 GFLOP/s here), while its DotGeneral
// is a packed AVX-512 GEMM (50-95 GFLOP/s on 2 cores with GOEXPERIMENT=simd). Conv2D therefore
// lowers every convolution to DotGeneral:
//
//   - K×K kernels: im2col as one Pad plus one GatherSlices. The operand is the padded input viewed as
//     [N*Hp, Wp, Cin]; constant int32 start indices [N,Ho,Wo,KH,2] select, for each output pixel and
//     kernel row, a contiguous run of KW*Cin floats, so the backend's gather copies 4*KW*Cin-byte
//     chunks with memmove. The patches, gathered straight into a [chunks, N*Ho*Wo/chunks, KH*KW*Cin]
//     view, are multiplied by the kernel viewed as [KH*KW*Cin, Cout] (no transposes in the forward
//     pass).
//   - 1×1 kernels: a single DotGeneral over the channel axis (after a strided Slice for stride 2).
//
// Gradients are custom, wired with graph.IdentityWithCustomGradient (the autodiff nodes GoMLX creates
// for the forward ops are left unused, and the Go backend never executes nodes that the outputs don't
// depend on):
//
//   - Kernel gradient: patchesᵀ·dY. GoMLX's default VJP (a DotGeneral contracting over the N*Ho*Wo
//     axis) makes the backend transpose both operands, including the large patches matrix, and adds
//     an identity-permutation Transpose (a full copy). Instead only the smaller of the two operands is
//     transposed: dY (3×3 and 7×7 kernels) into [chunks, Cout, M/chunks] (a 2D transpose, then a fast
//     [1,0,2] transpose), with the contraction run as a DotGeneral batched over up to 4 chunks of the
//     batch and a ReduceSum (1.3-2× faster than one GEMM for the narrow [Cout, K] outputs of these
//     layers); or the patches, when K < Cout (1×1 convolutions widening the channels).
//   - Input gradient: dY·kernelᵀ as one DotGeneral with kernelᵀ materialised ([Cout, K], tiny: the
//     backend's GEMM contracting the kernel's last axis was several times slower on these shapes), and
//     a single ScatterSum back into the padded input (col2im), then the Pad's VJP (a Slice). For 1×1
//     stride-1 convolutions it is left to autodiff.
//
// MaxPool2D uses a Reshape + ReduceMax when window == stride divides the spatial sizes (SimpleCNN's
// 2×2/2 pools): its gradient is a few element-wise ops instead of SelectAndScatter. Otherwise (ResNet's
// 3×3/2 stem pool) it gathers the windows with the same GatherSlices im2col (-inf padding) and reduces
// them; its gradient is element-wise ops plus one ScatterSum. Ties inside a window are the only
// difference from GoMLX's SelectAndScatter gradient (all tied maxima receive the gradient).
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
//   - Page faults. The backend's buffer pools are sync.Pools, emptied at every GC, and a sync.Pool's
//     per-P private slot cannot be taken by another P: a train step regularly gets fresh memory for
//     its few-hundred-MB patch matrices, and on a VM first touches cost ~11 µs per 4 KiB page (a
//     400 MB buffer: 1.2 s to fault in, 40 ms to rewrite). The trainer therefore runs with GOGC=400
//     (trainer.TrainGCPercent; 4,000 instead of 16,000 faults per SimpleCNN step, same peak RSS),
//     benchmarks run 3 warm-up steps, and `pcam bench train` reports page faults per step.
//   - Ops sequentially: engine.GoConfig ("ops_sequential") keeps the backend from running independent
//     ops concurrently, which oversubscribed the 2 cores and kept more buffers alive (20-40% slower).
//   - Build with GOEXPERIMENT=simd: without it the backend's GEMM is ~15× slower.
//   - Shapes must be static (the im2col indices are constants built for the batch size).
//
// # Where the time goes (SimpleCNN, batch 32, 2 cores, per-op trace of one step, sequential ops)
//
// GEMMs about 60% (the forward [294912,288]x[288,32] at ~80 GFLOP/s, the input gradients and the
// chunked kernel gradients), 2D transposes of dY ~10% (the backend's transpose is a scalar tiled loop,
// ~4-6 ns per element), the im2col gathers and col2im scatters ~12% (the first layer's 3-channel
// gather copies 36-byte runs), max-pool and ReLU gradients ~10%. What is left is in GoMLX itself: a
// SIMD 2D transpose, a pool that hands big buffers across Ps, and a direct convolution kernel would
// each be a change to github.com/gomlx/compute.
//
// Benchmarks (conv layers, GEMM ceilings, and self-contained SimpleCNN / ResNet50 train steps with
// native vs fast ops) live in this package's tests; bench/compare_train.sh compares against PyTorch.
package fastconv
