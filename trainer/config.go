package trainer

import (
	"fmt"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/pcamgo/pcamgo/models"
)

// Config configures Run.
type Config struct {
	// Model is a models registry name ("simplecnn", "resnet50").
	Model string `json:"model"`
	// Epochs is the total number of epochs (a resumed run continues up to this number).
	Epochs int `json:"epochs"`
	// BatchSize is informational for Run (the dataset decides the batch size) and is used by
	// the CLI to build datasets; it is recorded in the report.
	BatchSize int `json:"batch_size"`
	// LearningRate is Adam's learning rate.
	LearningRate float64 `json:"learning_rate"`
	// AdamEpsilon is Adam's epsilon.
	AdamEpsilon float64 `json:"adam_epsilon"`
	// Seed seeds the weight initialisation (datasets take their own seed).
	Seed int64 `json:"seed"`
	// CheckpointDir, if not empty, is where checkpoints are written (and read with Resume).
	CheckpointDir string `json:"checkpoint_dir"`
	// Resume continues from the latest checkpoint in CheckpointDir (which must exist).
	Resume bool `json:"resume"`
	// CheckpointEvery saves an extra checkpoint when this much time passed since the last one
	// (checkpoints are always saved at the end of each epoch). 0 disables time-based saves.
	CheckpointEvery time.Duration `json:"checkpoint_every"`
	// KeepCheckpoints is how many checkpoints to keep on disk (0 means 2, -1 keeps all).
	KeepCheckpoints int `json:"keep_checkpoints"`
	// Backend is an engine name: "" (auto), "go", "xla", "xla:cpu", "xla:cuda".
	Backend string `json:"backend"`
	// DType is the compute dtype of the model: "float32" (default), "float16" or "bfloat16".
	// Images are converted to it inside the graph; Adam keeps float32 moments.
	DType string `json:"dtype"`
	// Conv selects the convolution implementation (see models.ConvImpl).
	Conv models.ConvImpl `json:"conv"`
	// MaxStepsPerEpoch, if > 0, truncates every epoch to this many batches (smoke tests).
	MaxStepsPerEpoch int `json:"max_steps_per_epoch"`
}

// DefaultConfig returns the guide's defaults (see models.DefaultHyperparams): simplecnn,
// 20 epochs, batch 64, Adam 1e-3, seed 42, automatic backend, float32, a checkpoint every
// 10 minutes (when CheckpointDir is set), keeping the last 2.
func DefaultConfig() Config {
	hp := models.DefaultHyperparams()
	return Config{
		Model:           "simplecnn",
		Epochs:          hp.Epochs,
		BatchSize:       hp.BatchSize,
		LearningRate:    hp.LearningRate,
		AdamEpsilon:     hp.AdamEpsilon,
		Seed:            hp.Seed,
		CheckpointEvery: 10 * time.Minute,
		KeepCheckpoints: 2,
		DType:           "float32",
	}
}

// computeDType parses cfg.DType.
func (cfg Config) computeDType() (dtypes.DType, error) {
	switch strings.ToLower(cfg.DType) {
	case "", "float32", "f32":
		return dtypes.Float32, nil
	case "float16", "f16", "half":
		return dtypes.Float16, nil
	case "bfloat16", "bf16":
		return dtypes.BFloat16, nil
	}
	return dtypes.InvalidDType, fmt.Errorf("trainer: unsupported dtype %q: valid values are float32, float16, bfloat16", cfg.DType)
}

// validate checks cfg and returns the model spec.
func (cfg Config) validate() (models.Spec, error) {
	spec, err := models.Lookup(cfg.Model)
	if err != nil {
		return spec, fmt.Errorf("trainer: %w", err)
	}
	if cfg.Epochs <= 0 {
		return spec, fmt.Errorf("trainer: epochs must be > 0, got %d", cfg.Epochs)
	}
	if cfg.LearningRate <= 0 {
		return spec, fmt.Errorf("trainer: learning rate must be > 0, got %g", cfg.LearningRate)
	}
	if cfg.Resume && cfg.CheckpointDir == "" {
		return spec, fmt.Errorf("trainer: resume requested but no checkpoint directory given")
	}
	if _, err := cfg.computeDType(); err != nil {
		return spec, err
	}
	return spec, nil
}
