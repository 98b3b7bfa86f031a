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
//     No bias: add it yourself.
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
//     chunks with memmove. The patches [N*Ho*Wo, KH*KW*Cin] are multiplied by the kernel viewed as
//     [KH*KW*Cin, Cout] (no transposes in the forward pass).
//   - 1×1 kernels: a single DotGeneral over the channel axis (after a strided Slice for stride 2).
//
// Gradients are custom, wired with graph.IdentityWithCustomGradient (the autodiff nodes GoMLX creates
// for the forward ops are left unused, and the Go backend never executes nodes that the outputs don't
// depend on):
//
//   - Kernel gradient: patchesᵀ·dY. GoMLX's default VJP (a DotGeneral contracting over the N*Ho*Wo
//     axis) makes the backend transpose both operands, including the large patches matrix, and adds
//     an identity-permutation Transpose (a full copy). Instead only the smaller of the two operands is
//     transposed (a fast 2D transpose, then a fast [1,0,2] transpose) into [chunks, C, M/chunks], and
//     the contraction runs as a DotGeneral batched over up to 4 chunks of the batch, followed by a
//     ReduceSum: 1.3-2× faster than a single GEMM for the narrow [Cout, K] outputs of these layers.
//   - Input gradient: dY·kernelᵀ (one DotGeneral) and a single ScatterSum back into the padded input
//     (col2im), then the Pad's VJP (a Slice). For 1×1 stride-1 convolutions it is left to autodiff.
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
// # Tips for callers
//
//   - Reshape in the Go backend copies its input unless it is the input's last consumer, and the
//     backend's buffer pools are sync.Pools (emptied by GC cycles): large intermediate tensors (the
//     patches matrices are 9×Cin/Cout times the activations) then come from freshly faulted-in memory,
//     which makes the first steps (and short benchmarks) noticeably slower than the steady state.
//     (A GOGC=100 vs 400 A/B on the SimpleCNN train step was inconclusive on our shared machine.)
//   - Build with GOEXPERIMENT=simd: without it the backend's GEMM is ~15× slower.
//   - Shapes must be static (the im2col indices are constants built for the batch size).
//
// Benchmarks (conv layers, GEMM ceilings, and self-contained SimpleCNN / ResNet50 train steps with
// native vs fast ops) live in this package's tests; bench/compare_train.sh compares against PyTorch.
package fastconv
