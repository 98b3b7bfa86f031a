package models

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// SimpleCNNParams is the number of trainable parameters of SimpleCNN at 96×96×3.
const SimpleCNNParams = 5_006_113

// SimpleCNN is the guide's baseline: three blocks of
// [conv 3×3 → ReLU → conv 3×3 → ReLU → max-pool 2×2] with 32, 64 and 128 channels
// (SAME padding, with bias), then flatten, dense 256 + ReLU and dense 1.
//
// images: [N, H, W, 3] uint8 or normalised float (see package doc); H and W should be
// multiples of 8. Returns logits [N, 1].
func SimpleCNN(scope *model.Scope, images *graph.Node, opts Options) *graph.Node {
	x := PrepareImages(images)
	for block, channels := range []int{32, 64, 128} {
		bs := scope.In("block%d", block+1)
		x = relu(conv2D(bs.In("conv1"), x, opts, channels, 3, 1, true))
		// max-pool(ReLU(x)) == ReLU(max-pool(x)) (both monotone), outputs and gradients alike: pooling
		// first applies the ReLU to a 4× smaller tensor, and lets the pooling view the convolution's
		// output, which has no other consumer, without a copy.
		x = relu(maxPool2D(conv2D(bs.In("conv2"), x, opts, channels, 3, 1, true), opts, 2, 2))
	}
	batch := x.Shape().Dimensions[0]
	x = graph.Reshape(x, batch, -1)
	x = relu(dense(scope.In("fc1"), x, 256))
	return dense(scope.In("fc2"), x, 1)
}
