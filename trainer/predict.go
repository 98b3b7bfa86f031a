package trainer

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/pcamgo/pcamgo/engine"
	"github.com/pcamgo/pcamgo/models"
)

// modelGraph is the model as trained and served: float images are converted
// to the compute dtype, uint8 ones are scaled by the model itself.
func modelGraph(spec models.Spec, cfg Config, dtype dtypes.DType) func(*model.Scope, *graph.Node) *graph.Node {
	modelFn := spec.ModelFn(models.Options{Conv: cfg.Conv})
	return func(scope *model.Scope, images *graph.Node) *graph.Node {
		if images.DType().IsFloat() && images.DType() != dtype {
			images = graph.ConvertDType(images, dtype)
		}
		return modelFn(scope, images)
	}
}

// Predictor scores images with the weights of the latest checkpoint in a
// directory, exactly as Run's evaluation does.
type Predictor struct {
	backend compute.Backend
	exec    *model.Exec
}

// LoadPredictor loads the latest checkpoint in cfg.CheckpointDir and builds
// cfg.Model (with cfg.Conv, cfg.DType) on cfg.Backend.
func LoadPredictor(cfg Config) (*Predictor, error) {
	spec, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	if cfg.CheckpointDir == "" {
		return nil, fmt.Errorf("trainer: LoadPredictor needs a checkpoint directory")
	}
	if has, exists, err := hasCheckpoints(cfg.CheckpointDir); err != nil || !exists || !has {
		return nil, fmt.Errorf("trainer: no checkpoint to predict with in %q (%v)", cfg.CheckpointDir, err)
	}
	dtype, err := cfg.computeDType()
	if err != nil {
		return nil, err
	}
	backend, _, err := engine.New(cfg.Backend)
	if err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	store := model.NewStore()
	if _, err := checkpoint.Build(store).Dir(cfg.CheckpointDir).Immediate().Done(); err != nil {
		backend.Finalize()
		return nil, fmt.Errorf("trainer: loading checkpoint %q: %w", cfg.CheckpointDir, err)
	}
	if saved, ok := store.GetParam(positionScope + "/" + paramModel); ok && saved != spec.Name {
		backend.Finalize()
		return nil, fmt.Errorf("trainer: checkpoint in %q is for model %v, not %q", cfg.CheckpointDir, saved, spec.Name)
	}
	fn := modelGraph(spec, cfg, dtype)
	// The weights no longer change, so one executor serves every call (even
	// on backends that bake variables into the graph as constants).
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, images *graph.Node) *graph.Node {
		return graph.ConvertDType(fn(scope, images), dtypes.Float32)
	})
	if err != nil {
		backend.Finalize()
		return nil, fmt.Errorf("trainer: creating prediction executor: %w", err)
	}
	return &Predictor{backend: backend, exec: exec}, nil
}

// Logits returns one logit per image of a batch [N, H, W, 3] (uint8, or
// float in [0, 1]); the probability of the positive class is sigmoid(logit).
func (p *Predictor) Logits(images *tensors.Tensor) ([]float32, error) {
	out, err := p.exec.Call1(images)
	if err != nil {
		return nil, fmt.Errorf("trainer: predicting: %w", err)
	}
	defer out.FinalizeAll()
	return tensors.CopyFlatData[float32](out)
}

// Close releases the executor and the backend.
func (p *Predictor) Close() {
	p.exec.Finalize()
	p.backend.Finalize()
}
