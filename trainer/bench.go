package trainer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/pcamgo/pcamgo/engine"
	"github.com/pcamgo/pcamgo/models"
)

// BenchResult is the result of BenchTrain.
type BenchResult struct {
	Model          string  `json:"model"`
	Backend        string  `json:"backend"`
	Batch          int     `json:"batch"`
	ImageSize      int     `json:"image_size"`
	Steps          int     `json:"steps"`
	ImgPerSecond   float64 `json:"img_per_s"`
	SecondsPerStep float64 `json:"seconds_per_step"`
	// WarmupSeconds is the duration of the first step (graph building, compilation, init).
	WarmupSeconds float64 `json:"warmup_seconds"`
	Params        int     `json:"params"`
	PeakRSSBytes  int64   `json:"peak_rss_bytes"`
}

// BenchTrain times full training steps (forward, backward, Adam update) of model on random
// 96×96×3 float32 inputs with random labels, after one warm-up step. backend is an engine
// name ("" for automatic selection).
func BenchTrain(backend, model string, batch, steps int) (BenchResult, error) {
	return BenchTrainSize(backend, model, batch, steps, 96)
}

// BenchTrainSize is BenchTrain with a configurable (square) image size, e.g. small sizes for
// quick tests on the pure Go backend. The reported Params are those at that image size.
func BenchTrainSize(backend, model string, batch, steps, imageSize int) (res BenchResult, err error) {
	return benchTrain(backend, model, batch, steps, imageSize, models.ConvAuto)
}

func benchTrain(backendName, modelName string, batch, steps, imageSize int, conv models.ConvImpl) (res BenchResult, err error) {
	if batch <= 0 || steps <= 0 || imageSize <= 0 {
		return res, fmt.Errorf("trainer: BenchTrain: batch (%d), steps (%d) and image size (%d) must be > 0", batch, steps, imageSize)
	}
	cfg := DefaultConfig()
	cfg.Model, cfg.Backend, cfg.Conv, cfg.BatchSize = modelName, backendName, conv, batch
	spec, err := cfg.validate()
	if err != nil {
		return res, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("trainer: BenchTrain: unexpected panic: %v", r)
		}
	}()
	backend, info, err := engine.New(backendName)
	if err != nil {
		return res, fmt.Errorf("trainer: BenchTrain: %w", err)
	}
	defer backend.Finalize()
	s, _, _, err := newSession(backend, spec, cfg)
	if err != nil {
		return res, err
	}
	defer s.finalize()

	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0))
	images := make([]float32, batch*imageSize*imageSize*3)
	for i := range images {
		images[i] = rng.Float32()
	}
	labels := make([]float32, batch)
	for i := range labels {
		labels[i] = float32(rng.IntN(2))
	}
	step := func() error {
		b := train.Batch{
			Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(images, batch, imageSize, imageSize, 3)},
			Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, batch, 1)},
		}
		metrics, err := s.trainer.TrainStep(b)
		if err != nil {
			return err
		}
		for _, m := range metrics {
			_ = m.FinalizeAll()
		}
		if len(metrics) == 0 {
			return errors.New("no metrics returned")
		}
		return nil
	}
	t0 := time.Now()
	if err := step(); err != nil {
		return res, fmt.Errorf("trainer: BenchTrain warm-up step: %w", err)
	}
	warm := time.Since(t0)
	t1 := time.Now()
	for i := range steps {
		if err := step(); err != nil {
			return res, fmt.Errorf("trainer: BenchTrain step %d: %w", i+1, err)
		}
	}
	elapsed := time.Since(t1)
	return BenchResult{
		Model: spec.Name, Backend: info.Name, Batch: batch, ImageSize: imageSize, Steps: steps,
		ImgPerSecond:   float64(batch*steps) / elapsed.Seconds(),
		SecondsPerStep: elapsed.Seconds() / float64(steps),
		WarmupSeconds:  warm.Seconds(),
		Params:         models.CountTrainable(s.store),
		PeakRSSBytes:   PeakRSS(),
	}, nil
}
