package fastconv

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph DSL.
)

func TestTransposeChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		r, c, chunks int
		padded       bool
	}{
		{512, 128, 1, true},
		{512, 128, 4, true},
		{1024, 64, 2, true},
		{96, 40, 1, false},
		{96, 40, 3, false},
		{512, 8, 2, false}, // too small to pad
	} {
		t.Run(fmt.Sprintf("%dx%d/%d", tc.r, tc.c, tc.chunks), func(t *testing.T) {
			if got := transposeNeedsPad(tc.r, tc.c); got != tc.padded {
				t.Fatalf("transposeNeedsPad(%d, %d) = %v, want %v", tc.r, tc.c, got, tc.padded)
			}
			x := randTensor(rng, tc.r, tc.c)
			outs := MustExecOnceN(testBackend, func(x *Node) []*Node {
				return []*Node{transposeChunks(x, tc.chunks), Transpose2D(x)}
			}, x)
			p := tc.r / tc.chunks
			if got, want := outs[0].Shape().Dimensions, []int{tc.chunks, tc.c, p}; !slices.Equal(got, want) {
				t.Fatalf("transposeChunks shape %v, want %v", got, want)
			}
			xs, chunked, full := flat(x), flat(outs[0]), flat(outs[1])
			for j := range tc.chunks {
				for c := range tc.c {
					for i := range p {
						want := xs[(j*p+i)*tc.c+c]
						if got := chunked[(j*tc.c+c)*p+i]; got != want {
							t.Fatalf("transposeChunks[%d,%d,%d] = %g, want %g", j, c, i, got, want)
						}
					}
				}
			}
			for r := range tc.r {
				for c := range tc.c {
					if got, want := full[c*tc.r+r], xs[r*tc.c+c]; got != want {
						t.Fatalf("Transpose2D[%d,%d] = %g, want %g", c, r, got, want)
					}
				}
			}
		})
	}
}
