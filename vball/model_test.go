package vball

import (
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	gr "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

func goBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := gobackend.New("")
	if err != nil {
		t.Fatalf("go backend: %v", err)
	}
	return b
}

func TestModelShapes(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	for _, name := range ModelNames() {
		for _, gray := range []bool{true, false} {
			cfg := ModelConfig{Name: name, Seq: 3, Grayscale: gray, WidthMultiplier: 0.25}
			fn, err := NewModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			wantC := 9
			if gray {
				wantC = 3
			}
			if cfg.InputChannels() != wantC {
				t.Errorf("%s gray=%t: %d input channels, want %d", name, gray, cfg.InputChannels(), wantC)
			}
			store := model.NewStore()
			exec, err := model.NewExec(backend, store, func(scope *model.Scope, x *gr.Node) *gr.Node {
				return gr.Sigmoid(fn(scope, x))
			})
			if err != nil {
				t.Fatal(err)
			}
			in := tensors.FromShape(shapes.Make(dtypes.Float32, 1, 16, 32, wantC))
			out, err := exec.Call1(in)
			if err != nil {
				t.Fatalf("%s gray=%t: %v", name, gray, err)
			}
			if got := out.Shape().Dimensions; !slices.Equal(got, []int{1, 16, 32, 3}) {
				t.Errorf("%s gray=%t: output %v, want [1 16 32 3]", name, gray, got)
			}
			v, _ := tensors.CopyFlatData[float32](out)
			for _, p := range v {
				if !(p >= 0 && p <= 1) {
					t.Fatalf("%s: output %g outside [0, 1]", name, p)
				}
			}
			exec.Finalize()
		}
	}
	if _, err := NewModel(ModelConfig{Name: "TrackNet", Seq: 3}); err == nil {
		t.Error("unknown model accepted")
	}
}

func TestUpsample2xBilinear(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	exec, err := gr.NewExec(backend, func(x *gr.Node) *gr.Node { return Upsample2x(x) })
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Call1(tensors.FromFlatDataAndDimensions([]float32{0, 4, 8}, 1, 1, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := tensors.CopyFlatData[float32](out)
	// tf.image.resize(bilinear) / align_corners=False of [0 4 8] to 6: 0 1 3 5 7 8 per row.
	want := []float32{0, 1, 3, 5, 7, 8}
	if !slices.Equal(v[:6], want) || !slices.Equal(v[6:], want) {
		t.Errorf("got %v, want two rows of %v", v, want)
	}
}

func TestWeightedBCE(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	z := []float32{-3, -0.5, 0, 0.7, 4}
	y := []float32{0, 1, 0.3, 1, 0}
	var want float64
	for i := range z {
		p := 1 / (1 + math.Exp(-float64(z[i])))
		yy := float64(y[i])
		want += -((1-p)*(1-p)*yy*math.Log(p) + p*p*(1-yy)*math.Log(1-p))
	}
	want /= float64(len(z))
	exec, err := gr.NewExec(backend, func(y, z *gr.Node) (*gr.Node, *gr.Node) {
		return WeightedBCELogits(y, z, -1), WeightedBCE(y, gr.Sigmoid(z))
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Call(y, z)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		got := float64(o.Value().(float32))
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("loss %d = %g, want %g", i, got, want)
		}
	}
}
