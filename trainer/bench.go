package trainer

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/pprof"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/pcamgo/pcamgo/engine"
	"github.com/pcamgo/pcamgo/memstat"
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
	// WarmupSteps untimed steps ran first; WarmupSeconds is their duration (the first one builds and
	// compiles the graph; the next ones let the allocator reach its steady state).
	WarmupSteps   int     `json:"warmup_steps"`
	WarmupSeconds float64 `json:"warmup_seconds"`
	Params        int     `json:"params"`
	PeakRSSBytes  int64   `json:"peak_rss_bytes"`
	// PageFaultsPerStep is the number of minor page faults per timed step: fresh memory the process
	// touched (see memstat.MinorFaults). In the steady state it should be close to 0.
	PageFaultsPerStep float64 `json:"page_faults_per_step"`
}

// BenchTrain times full training steps (forward, backward, Adam update) of model on random
// 96×96×3 float32 inputs with random labels, after DefaultBenchWarmup untimed steps. backend is an engine
// name ("" for automatic selection).
func BenchTrain(backend, model string, batch, steps int) (BenchResult, error) {
	return BenchTrainSize(backend, model, batch, steps, 96)
}

// BenchTrainSize is BenchTrain with a configurable (square) image size, e.g. small sizes for
// quick tests on the pure Go backend. The reported Params are those at that image size.
func BenchTrainSize(backend, model string, batch, steps, imageSize int) (res BenchResult, err error) {
	return BenchTrainWith(BenchOptions{Backend: backend, Model: model, Batch: batch, Steps: steps, ImageSize: imageSize})
}

// BenchOptions configures BenchTrainWith.
type BenchOptions struct {
	Backend string // engine name, "" for automatic selection
	Model   string // registered model name
	Batch   int    // images per step
	Steps   int    // timed steps
	// WarmupSteps untimed steps run before the timed ones (0: DefaultBenchWarmup; < 0 is an error). The first
	// compiles the graph; the Go backend's buffer pool and Go's heap take a few more steps to reach
	// their steady state, and until then fresh memory is page-faulted in (costly on some VMs).
	WarmupSteps int
	ImageSize   int             // square image side (96 for PCam)
	Conv        models.ConvImpl // convolution implementation (ConvAuto picks by backend)
	// CPUProfile, if set, receives a Go CPU profile (pprof format) of the timed steps only.
	CPUProfile io.Writer
	// MemProfile, if set, receives a Go heap profile (pprof format) written after the timed steps;
	// its alloc_space view shows where the bytes allocated during the run came from.
	MemProfile io.Writer
}

// DefaultBenchWarmup is the number of untimed steps BenchTrain runs first.
const DefaultBenchWarmup = 3

// BenchTrainWith is BenchTrain with all options.
func BenchTrainWith(o BenchOptions) (res BenchResult, err error) {
	backendName, modelName, batch, steps, imageSize, conv := o.Backend, o.Model, o.Batch, o.Steps, o.ImageSize, o.Conv
	if o.WarmupSteps < 0 {
		return res, fmt.Errorf("trainer: BenchTrain: warm-up steps (%d) must be >= 0 (0: %d)", o.WarmupSteps, DefaultBenchWarmup)
	}
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
	defer withTrainingGC()()
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
	// One batch, reused by every step (as bench/torch_train.py does): the timed steps measure the
	// training step, not the allocation of fresh input tensors.
	b := train.Batch{
		Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(images, batch, imageSize, imageSize, 3)},
		Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, batch, 1)},
	}
	step := func() error {
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
	warmup := o.WarmupSteps
	if warmup <= 0 {
		warmup = DefaultBenchWarmup
	}
	t0 := time.Now()
	for range warmup {
		if err := step(); err != nil {
			return res, fmt.Errorf("trainer: BenchTrain warm-up step: %w", err)
		}
	}
	warm := time.Since(t0)
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return res, fmt.Errorf("trainer: BenchTrain: CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	faults0 := memstat.MinorFaults()
	t1 := time.Now()
	for i := range steps {
		if err := step(); err != nil {
			return res, fmt.Errorf("trainer: BenchTrain step %d: %w", i+1, err)
		}
	}
	elapsed := time.Since(t1)
	if o.MemProfile != nil {
		if err := pprof.Lookup("allocs").WriteTo(o.MemProfile, 0); err != nil {
			return res, fmt.Errorf("trainer: BenchTrain: memory profile: %w", err)
		}
	}
	return BenchResult{
		Model: spec.Name, Backend: info.Name, Batch: batch, ImageSize: imageSize, Steps: steps,
		ImgPerSecond:      float64(batch*steps) / elapsed.Seconds(),
		SecondsPerStep:    elapsed.Seconds() / float64(steps),
		WarmupSteps:       warmup,
		WarmupSeconds:     warm.Seconds(),
		Params:            models.CountTrainable(s.store),
		PeakRSSBytes:      PeakRSS(),
		PageFaultsPerStep: float64(memstat.MinorFaults()-faults0) / float64(steps),
	}, nil
}
