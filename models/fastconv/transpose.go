package fastconv

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
	"github.com/gomlx/gomlx/core/tensors"
)

// The Go backend transposes a [R, C] matrix in 32×32 tiles, writing each tile into 32 output rows R
// floats apart. When R*4 bytes is a multiple of 2 KiB (R a multiple of 512: the M = N·H·W of most
// feature maps at batch 32, and many channel counts) those 32 rows fall in the same few L1 cache sets,
// and the transpose runs at 3–9 ns per element instead of ~1 (measured on [18432, 64]: 7.1 vs 1.3 ns).
// transposeChunks sidesteps this by appending transposePadRows zero rows, so that output rows are
// R+16 floats apart, and then dropping them with a gather of whole rows (one memcpy each).
const (
	transposePadRows    = 16
	transposeBadRows    = 512     // R multiple of this: pad first.
	transposeMinPadSize = 1 << 16 // Smaller matrices are cheap either way.
)

// transposeNeedsPad reports whether a [r, c] transpose hits the backend's cache-set conflicts.
func transposeNeedsPad(r, c int) bool {
	return r%transposeBadRows == 0 && r*c >= transposeMinPadSize
}

// Transpose2D returns xᵀ for a matrix x [R, C], as graph.Transpose(x, 0, 1) but avoiding the Go
// backend's slow case (see transposePadRows).
func Transpose2D(x *Node) *Node {
	r, c := x.Shape().Dim(0), x.Shape().Dim(1)
	if !transposeNeedsPad(r, c) {
		return Transpose(x, 0, 1)
	}
	return Reshape(transposeChunks(x, 1), c, r)
}

// transposeChunks returns x [R, C] transposed and split along R into chunks: [chunks, C, R/chunks],
// with out[j, c, i] = x[j*R/chunks + i, c]. chunks must divide R.
func transposeChunks(x *Node, chunks int) *Node {
	r, c := x.Shape().Dim(0), x.Shape().Dim(1)
	p := r / chunks
	if !transposeNeedsPad(r, c) {
		t := Transpose(x, 0, 1) // [C, R]
		if chunks == 1 {
			return Reshape(t, 1, c, r)
		}
		return TransposeAllAxes(Reshape(t, c, chunks, p), 1, 0, 2)
	}
	g := x.Graph()
	padded := Concatenate([]*Node{x, Zeros(g, shapeOf(x, transposePadRows, c))}, 0) // [R+16, C]
	t := Transpose(padded, 0, 1)                                                    // [C, R+16]
	start := Const(g, chunkRowStarts(chunks, c, p))
	rows := GatherSlices(t, []int{0, 1}, start, []int{1, p}, false) // [chunks, C, 1, p]
	return Reshape(rows, chunks, c, p)
}

// chunkRowStarts returns the [chunks, c, 2] start indices (row, column) of each chunk's slice of the
// rows of a [c, >= chunks*p] matrix.
func chunkRowStarts(chunks, c, p int) *tensors.Tensor {
	data := make([]int32, 0, chunks*c*2)
	for j := range chunks {
		for row := range c {
			data = append(data, int32(row), int32(j*p))
		}
	}
	return tensors.FromFlatDataAndDimensions(data, chunks, c, 2)
}
