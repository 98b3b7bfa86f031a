package models

import (
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
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

// buildOnly builds (compiles, without executing) the model on an input of the given shape and
// returns the store and the output shape.
func buildOnly(t *testing.T, backend compute.Backend, spec Spec, opts Options, in shapes.Shape) (*model.Store, shapes.Shape) {
	t.Helper()
	store := model.NewStore()
	var outShape shapes.Shape
	fn := spec.ModelFn(opts)
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, images *graph.Node) *graph.Node {
		out := fn(scope, images)
		outShape = out.Shape()
		return out
	})
	if err != nil {
		t.Fatalf("NewExec: %v", err)
	}
	defer exec.Finalize()
	if _, err := exec.Compile(in); err != nil {
		t.Fatalf("Compile(%s): %v", in, err)
	}
	return store, outShape
}

func TestParameterCounts(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	tests := []struct {
		model  string
		in     shapes.Shape
		params int
	}{
		{"simplecnn", shapes.Make(dtypes.Uint8, 2, 96, 96, 3), 5_006_113},
		{"simplecnn", shapes.Make(dtypes.Float32, 2, 16, 16, 3), 287_008 + (2*2*128*256 + 256) + 257},
		{"resnet50", shapes.Make(dtypes.Uint8, 2, 96, 96, 3), 23_510_081},
		{"resnet50", shapes.Make(dtypes.Float32, 1, 32, 32, 3), 23_510_081},
	}
	for _, tc := range tests {
		t.Run(tc.model+"/"+tc.in.String(), func(t *testing.T) {
			spec, err := Lookup(tc.model)
			if err != nil {
				t.Fatal(err)
			}
			store, out := buildOnly(t, backend, spec, Options{Conv: ConvNative}, tc.in)
			if got := CountTrainable(store); got != tc.params {
				t.Errorf("CountTrainable = %d, want %d", got, tc.params)
			}
			if want := shapes.Make(dtypes.Float32, tc.in.Dimensions[0], 1); !out.Equal(want) {
				t.Errorf("output shape %s, want %s", out, want)
			}
			if tc.in.Dimensions[1] == 96 && spec.TrainableParams != tc.params {
				t.Errorf("Spec.TrainableParams = %d, want %d", spec.TrainableParams, tc.params)
			}
		})
	}
}

// TestForwardTiny executes the models on tiny zero inputs on the Go backend.
func TestForwardTiny(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	tests := []struct {
		model string
		input any
		n     int
	}{
		{"simplecnn", make([]uint8, 2*16*16*3), 2},
		{"resnet50", make([]float32, 1*32*32*3), 1},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			spec, _ := Lookup(tc.model)
			store := model.NewStore()
			store.SetParam(model.ParamInitialSeed, int64(1))
			exec, err := model.NewExec(backend, store, spec.ModelFn(Options{}))
			if err != nil {
				t.Fatal(err)
			}
			defer exec.Finalize()
			var in *tensors.Tensor
			switch v := tc.input.(type) {
			case []uint8:
				in = tensors.FromFlatDataAndDimensions(v, tc.n, 16, 16, 3)
			case []float32:
				in = tensors.FromFlatDataAndDimensions(v, tc.n, 32, 32, 3)
			}
			start := time.Now()
			out, err := exec.Call1(in)
			if err != nil {
				t.Fatalf("forward: %v", err)
			}
			t.Logf("%s forward (incl. init/compile) took %s", tc.model, time.Since(start))
			if want := shapes.Make(dtypes.Float32, tc.n, 1); !out.Shape().Equal(want) {
				t.Errorf("output shape %s, want %s", out.Shape(), want)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	backend := goBackend(t)
	defer backend.Finalize()
	tests := []struct {
		name string
		in   shapes.Shape
		want string
	}{
		{"rank3", shapes.Make(dtypes.Float32, 96, 96, 3), "[batch, height, width, 3]"},
		{"channels first", shapes.Make(dtypes.Float32, 2, 3, 96, 96), "[batch, height, width, 3]"},
		{"int32", shapes.Make(dtypes.Int32, 2, 16, 16, 3), "uint8"},
	}
	spec, _ := Lookup("simplecnn")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := model.NewStore()
			exec, err := model.NewExec(backend, store, spec.ModelFn(Options{}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = exec.Compile(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile(%s) error = %v, want containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"simplecnn", "simplecnn", ""},
		{"ResNet-50", "resnet50", ""},
		{" resnet_50 ", "resnet50", ""},
		{"vgg16", "", `unknown model "vgg16": valid names are resnet50, simplecnn`},
	}
	for _, tc := range tests {
		spec, err := Lookup(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != "models: "+tc.err {
				t.Errorf("Lookup(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || spec.Name != tc.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.in, spec.Name, err, tc.want)
		}
	}
}

func TestConvImpl(t *testing.T) {
	for _, s := range []string{"", "auto", "native", "fast", "Fast"} {
		c, err := ParseConvImpl(s)
		if err != nil {
			t.Errorf("ParseConvImpl(%q): %v", s, err)
		}
		if s != "" && !strings.EqualFold(c.String(), s) {
			t.Errorf("ParseConvImpl(%q).String() = %q", s, c)
		}
	}
	if _, err := ParseConvImpl("cudnn"); err == nil {
		t.Error("ParseConvImpl(cudnn) should fail")
	}
	if !FastAvailable() {
		backend := goBackend(t)
		defer backend.Finalize()
		spec, _ := Lookup("simplecnn")
		exec, err := model.NewExec(backend, model.NewStore(), spec.ModelFn(Options{Conv: ConvFast}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = exec.Compile(shapes.Make(dtypes.Float32, 1, 16, 16, 3))
		if err == nil || !strings.Contains(err.Error(), "fastconv") {
			t.Errorf("ConvFast without fastconv: error = %v, want mention of fastconv", err)
		}
	}
}
