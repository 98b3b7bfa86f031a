package models

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// PrepareImages validates images ([N, H, W, 3]) and converts uint8 pixels to float32 in [0, 1].
// Floating point inputs are returned unchanged. It panics with a descriptive message otherwise.
func PrepareImages(images *graph.Node) *graph.Node {
	s := images.Shape()
	if s.Rank() != 4 || s.Dimensions[3] != 3 {
		panic(fmt.Errorf("models: images must be shaped [batch, height, width, 3] (NHWC), got %s", s))
	}
	switch {
	case s.DType == dtypes.Uint8:
		return graph.DivScalar(graph.ConvertDType(images, dtypes.Float32), 255.0)
	case s.DType.IsFloat():
		return images
	default:
		panic(fmt.Errorf("models: images must be uint8 (0..255) or float (normalised to [0,1]), got dtype %s", s.DType))
	}
}

// conv2D is the single entry point for every convolution: a k×k convolution with the given
// stride and SAME padding, optional bias. Variables: "<scope>/weights" [k, k, cin, cout] and
// "<scope>/biases" [cout], identical for the native and fast implementations.
func conv2D(scope *model.Scope, x *graph.Node, opts Options, filters, kernel, stride int, bias bool) *graph.Node {
	g := x.Graph()
	cin := x.Shape().Dimensions[3]
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), kernel, kernel, cin, filters)).NodeValue(g)
	var b *graph.Node
	if bias {
		b = scope.VariableWithShape("biases", shapes.Make(x.DType(), filters)).NodeValue(g)
	}
	if opts.useFast(g) {
		return fastConv2D(x, w, b, stride)
	}
	y := graph.Convolve(x, w).StridePerAxis(stride, stride).PadSame().Done()
	if b != nil {
		y = graph.Add(y, graph.Reshape(b, 1, 1, 1, filters))
	}
	return y
}

// maxPool2D is the single entry point for every max-pool (SAME padding, NHWC).
func maxPool2D(x *graph.Node, opts Options, window, stride int) *graph.Node {
	if opts.useFast(x.Graph()) {
		return fastMaxPool2D(x, window, stride)
	}
	return graph.MaxPool(x).Window(window).Strides(stride).PadSame().Done()
}

// dense is a fully connected layer with bias (variables under "<scope>/dense").
func dense(scope *model.Scope, x *graph.Node, units int) *graph.Node {
	return layers.DenseWithBias(scope, x, units)
}

func relu(x *graph.Node) *graph.Node { return activation.Relu(x) }
