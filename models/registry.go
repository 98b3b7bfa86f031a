package models

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// BuildFn builds a model: images [N, H, W, 3] → logits [N, 1].
type BuildFn func(scope *model.Scope, images *graph.Node, opts Options) *graph.Node

// Spec describes one registered model.
type Spec struct {
	// Name is the registry key (lower case), e.g. "simplecnn".
	Name string
	// Description is a one-line human description.
	Description string
	// TrainableParams is the expected trainable parameter count at 96×96×3 inputs.
	TrainableParams int
	// MinInputSize is the smallest height/width (pixels) the model accepts; inputs should be
	// multiples of it.
	MinInputSize int
	// Build builds the graph.
	Build BuildFn
}

// ModelFn returns a function with the signature expected by GoMLX's train.NewTrainer and
// model.NewExec (func(*model.Scope, *graph.Node) *graph.Node) with the given options.
func (s Spec) ModelFn(opts Options) func(scope *model.Scope, images *graph.Node) *graph.Node {
	build := s.Build
	return func(scope *model.Scope, images *graph.Node) *graph.Node {
		return build(scope, images, opts)
	}
}

var registry = map[string]Spec{
	"simplecnn": {
		Name:            "simplecnn",
		Description:     "3 conv blocks (32/64/128) + dense 256 + dense 1",
		TrainableParams: SimpleCNNParams,
		MinInputSize:    8,
		Build:           SimpleCNN,
	},
	"resnet50": {
		Name:            "resnet50",
		Description:     "ResNet-50 (bottleneck [3,4,6,3]) with one output, trained from scratch",
		TrainableParams: ResNet50Params,
		MinInputSize:    1,
		Build:           ResNet50,
	},
}

// Names returns the registered model names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the Spec for name (case-insensitive; "-" and "_" are ignored, so
// "ResNet-50" works). Unknown names return an error listing the valid ones.
func Lookup(name string) (Spec, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	key = strings.NewReplacer("-", "", "_", "").Replace(key)
	if s, ok := registry[key]; ok {
		return s, nil
	}
	return Spec{}, fmt.Errorf("models: unknown model %q: valid names are %s", name, strings.Join(Names(), ", "))
}

// CountTrainable returns the number of trainable parameters (scalars) in store: variables
// marked trainable with a floating point dtype. Unlike model.Store.NumParameters it excludes
// optimizer state, batch-norm moving statistics, the RNG state and step counters.
func CountTrainable(store *model.Store) int {
	total := 0
	for v := range store.IterVariables() {
		if v.Trainable && v.DType().IsFloat() {
			total += v.Shape().Size()
		}
	}
	return total
}

// Register adds (or replaces) a model in the registry, e.g. a tiny model for tests or an
// experiment. Name must be non-empty lower case and Build non-nil.
func Register(spec Spec) error {
	if spec.Name == "" || spec.Name != strings.ToLower(spec.Name) || spec.Build == nil {
		return fmt.Errorf("models: Register: invalid spec (name %q must be non-empty lower case, Build must be set)", spec.Name)
	}
	registry[spec.Name] = spec
	return nil
}
