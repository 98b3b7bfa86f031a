package fastconv

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
)

// shapeOf returns a shape with x's dtype and the given dimensions.
func shapeOf(x *Node, dims ...int) shapes.Shape {
	return shapes.Make(x.DType(), dims...)
}
