// Package models defines the PatchCamelyon classifiers as GoMLX model functions, plus a small
// registry ([Names], [Lookup]) and the training hyperparameter defaults ([DefaultHyperparams]).
//
// # Inputs and outputs
//
// Every model takes a batch of images shaped [N, H, W, 3] (NHWC, channels last) and returns one
// logit per image, shaped [N, 1] (apply a sigmoid for the probability of the positive class).
//
//   - uint8 images (raw PCam pixels) are converted inside the graph to float32 and divided by 255.
//   - floating point images (float32, float64, float16, bfloat16) are used as they are: they must
//     already be normalised to [0, 1] (or whatever normalisation the caller trained with).
//     The model's variables take the dtype of the (converted) input.
//
// Any other rank, channel count or dtype makes the model function panic with a clear message
// (GoMLX graph-building functions report errors by panicking; package trainer turns those into
// errors).
//
// # Models
//
//   - "simplecnn": 3×[conv3×3 → ReLU → conv3×3 → ReLU → maxpool 2×2] with 32/64/128 channels,
//     flatten, dense 256 + ReLU, dense 1: 5,006,113 trainable parameters at 96×96×3
//     (the flatten layer makes the count depend on H and W).
//   - "resnet50": standard ResNet-50 (bottleneck v1.5, stride on the 3×3 conv) with a single
//     output: 23,510,081 trainable parameters, independent of the input size.
//
// Batch normalisation (ResNet50) is PyTorch's nn.BatchNorm2d: batch statistics with their full
// gradient while training (GoMLX's norm.BatchNorm stops the gradient at the batch mean and variance),
// moving averages (momentum 0.1 in PyTorch terms, ε 1e-5) at inference; its variables are named and
// updated as norm.BatchNorm's.
//
// All convolutions use SAME padding (TensorFlow style: for even inputs and stride 2 the extra
// padding row/column goes at the end, unlike PyTorch's symmetric padding; output sizes match).
//
// # Convolution implementation switch
//
// Every convolution and max-pool goes through one internal helper (conv2D / maxPool2D) that
// honours [Options.Conv]: [ConvNative] uses GoMLX's graph.Convolve / graph.MaxPool, [ConvFast]
// uses package models/fastconv (a faster path for the pure Go backend, see [FastAvailable]),
// and [ConvAuto] (the default) uses the fast path only on the pure Go backend and when it is
// available. Both implementations create identical variables, so checkpoints are interchangeable.
package models
