package models

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// ResNet50Params is the number of trainable parameters of ResNet50 (single output), equal to
// torchvision's resnet50(num_classes=1); batch-norm moving statistics are not counted.
const ResNet50Params = 23_510_081

// resNet50Stages lists (blocks, width, first stride) per stage.
var resNet50Stages = [4]struct{ blocks, width, stride int }{
	{3, 64, 1}, {4, 128, 2}, {6, 256, 2}, {3, 512, 2},
}

const bottleneckExpansion = 4

// ResNet50 is the standard ResNet-50: 7×7/2 stem convolution (64, no bias) + BN + ReLU,
// 3×3/2 max-pool, bottleneck stages [3, 4, 6, 3] with widths 64/128/256/512 (expansion 4,
// stride on the 3×3 convolution, "v1.5" as in torchvision), convolutions without bias,
// projection shortcuts (1×1 conv + BN) on the first block of each stage, global average pool
// and a dense layer with one output.
//
// images: [N, H, W, 3] uint8 or normalised float (see package doc); any H, W >= 1 works
// (96×96 PCam patches end at 3×3 before pooling). Returns logits [N, 1].
func ResNet50(scope *model.Scope, images *graph.Node, opts Options) *graph.Node {
	x := PrepareImages(images)
	stem := scope.In("stem")
	x = conv2D(stem.In("conv"), x, opts, 64, 7, 2, false)
	x = relu(batchNorm(stem.In("bn"), x))
	x = maxPool2D(x, opts, 3, 2)
	for si, stage := range resNet50Stages {
		// Note: a Scope.In(name) may be entered only once per scope object, so the stage scope
		// is created once and each block gets its own sub-scope.
		stageScope := scope.In("stage%d", si+1)
		for bi := range stage.blocks {
			stride := 1
			if bi == 0 {
				stride = stage.stride
			}
			x = bottleneck(stageScope.In("block%d", bi+1), x, opts, stage.width, stride, bi == 0)
		}
	}
	x = graph.ReduceMean(x, 1, 2) // Global average pool: [N, 2048].
	return dense(scope.In("fc"), x, 1)
}

// bottleneck is one ResNet v1.5 bottleneck block.
func bottleneck(scope *model.Scope, x *graph.Node, opts Options, width, stride int, project bool) *graph.Node {
	out := relu(batchNorm(scope.In("bn1"), conv2D(scope.In("conv1"), x, opts, width, 1, 1, false)))
	out = relu(batchNorm(scope.In("bn2"), conv2D(scope.In("conv2"), out, opts, width, 3, stride, false)))
	out = batchNorm(scope.In("bn3"), conv2D(scope.In("conv3"), out, opts, width*bottleneckExpansion, 1, 1, false))
	shortcut := x
	if project {
		shortcut = conv2D(scope.In("proj_conv"), x, opts, width*bottleneckExpansion, 1, stride, false)
		shortcut = batchNorm(scope.In("proj_bn"), shortcut)
	}
	return relu(graph.Add(out, shortcut))
}
