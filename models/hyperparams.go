package models

// Hyperparams are the training hyperparameters of the guide. Package trainer's Config takes
// its defaults from DefaultHyperparams.
type Hyperparams struct {
	// BatchSize is the number of images per training step.
	BatchSize int `json:"batch_size"`
	// Epochs is the number of full passes over the training set.
	Epochs int `json:"epochs"`
	// LearningRate is Adam's step size.
	LearningRate float64 `json:"learning_rate"`
	// Optimizer is the optimizer name (only "adam" is implemented).
	Optimizer string `json:"optimizer"`
	// AdamBeta1 and AdamBeta2 are Adam's moment decay rates.
	AdamBeta1 float64 `json:"adam_beta1"`
	AdamBeta2 float64 `json:"adam_beta2"`
	// AdamEpsilon is Adam's denominator constant (PyTorch default 1e-8).
	AdamEpsilon float64 `json:"adam_epsilon"`
	// ImageSize is the side of the (square) input patch in pixels.
	ImageSize int `json:"image_size"`
	// Seed makes initialisation and data order reproducible.
	Seed int64 `json:"seed"`
}

// DefaultHyperparams returns the guide's defaults: batch 64, 20 epochs, Adam with learning
// rate 1e-3 (β1 0.9, β2 0.999, ε 1e-8), 96×96 patches, seed 42.
func DefaultHyperparams() Hyperparams {
	return Hyperparams{
		BatchSize:    64,
		Epochs:       20,
		LearningRate: 1e-3,
		Optimizer:    "adam",
		AdamBeta1:    0.9,
		AdamBeta2:    0.999,
		AdamEpsilon:  1e-8,
		ImageSize:    96,
		Seed:         42,
	}
}
