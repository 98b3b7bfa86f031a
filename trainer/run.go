package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/pcamgo/pcamgo/engine"
	"github.com/pcamgo/pcamgo/models"
)

// Phase tells what a Progress report is about.
type Phase string

const (
	PhaseStart      Phase = "start"      // Backend and model ready; Backend and Params are set.
	PhaseTrain      Phase = "train"      // One training step done.
	PhaseEval       Phase = "eval"       // Validation of an epoch done; Valid is set.
	PhaseCheckpoint Phase = "checkpoint" // A checkpoint was written.
)

// Progress is passed to the progress callback of Run.
type Progress struct {
	Phase         Phase
	Backend       string
	Params        int
	Epoch         int // 0-based epoch in progress.
	Epochs        int // Total epochs.
	Step          int // Batches done in this epoch.
	StepsPerEpoch int // -1 when the dataset does not implement Sized.
	GlobalStep    int64
	Loss          float64 // Loss of the last training batch.
	// ImagesPerSecond is the training throughput since the start of this process, excluding
	// the first (compiling) step.
	ImagesPerSecond float64
	Valid           *EvalMetrics
	Elapsed         time.Duration
}

// ProgressFunc receives progress reports; it runs synchronously in the training loop.
type ProgressFunc func(Progress)

// Run trains cfg.Model on trainDS, evaluating on validDS (may be nil) after every epoch.
// See the package documentation for the dataset contract, checkpoints and cancellation.
// On cancellation it returns the partial report and an error wrapping ctx.Err().
func Run(ctx context.Context, cfg Config, trainDS, validDS train.Dataset, progress ProgressFunc) (rep Report, err error) {
	start := time.Now()
	spec, err := cfg.validate()
	if err != nil {
		return Report{}, err
	}
	if trainDS == nil {
		return Report{}, errors.New("trainer: nil training dataset")
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("trainer: unexpected panic: %v", r)
		}
		rep.PeakRSSBytes = PeakRSS()
		rep.Seconds = time.Since(start).Seconds()
	}()

	defer withTrainingGC()()
	backend, info, err := engine.New(cfg.Backend)
	if err != nil {
		return Report{}, fmt.Errorf("trainer: %w", err)
	}
	defer backend.Finalize()

	s, epoch, batchInEpoch, err := newSession(backend, spec, cfg)
	if err != nil {
		return Report{}, err
	}
	defer s.finalize()

	rep = Report{
		Model: spec.Name, Backend: info.Name, BatchSize: cfg.BatchSize, Epochs: epoch,
		ValidLoss: Float(math.NaN()), ValidAccuracy: Float(math.NaN()), ValidAUC: Float(math.NaN()),
		ImagesPerSecond: Float(math.NaN()), CheckpointDir: cfg.CheckpointDir,
		History: []EpochRecord{},
	}
	if cfg.Resume {
		rep.Resumed = true
		rep.ResumedAtStep = optimizer.GetGlobalStep(s.store)
	}
	stepsPerEpoch := -1
	if sz, ok := trainDS.(Sized); ok {
		stepsPerEpoch = sz.NumBatches()
		if cfg.MaxStepsPerEpoch > 0 {
			stepsPerEpoch = min(stepsPerEpoch, cfg.MaxStepsPerEpoch)
		}
	}

	var (
		trainImages   int           // Images trained by this process after the first step.
		trainTime     time.Duration // Time spent in those steps.
		firstStepDone bool
		lastSave      = time.Now()
	)
	prog := func(phase Phase, step int, lossVal float64, valid *EvalMetrics) {
		ips := math.NaN()
		if trainTime > 0 {
			ips = float64(trainImages) / trainTime.Seconds()
		}
		progress(Progress{Phase: phase, Backend: info.Name, Params: rep.Params, Epoch: epoch, Epochs: cfg.Epochs,
			Step: step, StepsPerEpoch: stepsPerEpoch, GlobalStep: optimizer.GetGlobalStep(s.store),
			Loss: lossVal, ImagesPerSecond: ips, Valid: valid, Elapsed: time.Since(start)})
	}
	finish := func() {
		rep.Steps = optimizer.GetGlobalStep(s.store)
		if trainTime > 0 {
			rep.ImagesPerSecond = Float(float64(trainImages) / trainTime.Seconds())
		}
	}
	interrupt := func(cause error) (Report, error) {
		s.setPosition(epoch, batchInEpoch)
		rep.Interrupted = true
		finish()
		if err := s.save(); err != nil {
			return rep, errors.Join(fmt.Errorf("trainer: interrupted: %w", cause), err)
		}
		return rep, fmt.Errorf("trainer: interrupted at epoch %d, batch %d (checkpoint saved: %t): %w",
			epoch+1, batchInEpoch, s.ckpt != nil, cause)
	}

	for ; epoch < cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return interrupt(err)
		}
		epochStart := time.Now()
		skip := 0
		if pos, ok := trainDS.(Positionable); ok {
			if err := pos.SetPosition(epoch, batchInEpoch); err != nil {
				return rep, fmt.Errorf("trainer: positioning dataset %q at epoch %d batch %d: %w", trainDS.Name(), epoch, batchInEpoch, err)
			}
		} else {
			skip = batchInEpoch
		}
		var lossSum float64
		var lossCount int
		index := 0
		for batch, dsErr := range trainDS.Iter() {
			if dsErr != nil {
				return rep, fmt.Errorf("trainer: training dataset %q, epoch %d: %w", trainDS.Name(), epoch+1, dsErr)
			}
			if skip > 0 {
				skip--
				index++
				_ = batch.Finalize()
				continue
			}
			if cfg.MaxStepsPerEpoch > 0 && batchInEpoch >= cfg.MaxStepsPerEpoch {
				_ = batch.Finalize()
				break
			}
			if err := ctx.Err(); err != nil {
				_ = batch.Finalize()
				return interrupt(err)
			}
			if err := checkBatch(batch, "training", index); err != nil {
				_ = batch.Finalize()
				return rep, err
			}
			n := batch.Inputs[0].Shape().Dimensions[0]
			stepStart := time.Now()
			metrics, err := s.trainer.TrainStep(batch)
			if err != nil {
				return rep, fmt.Errorf("trainer: training step (epoch %d, batch %d): %w", epoch+1, index, err)
			}
			lossVal := scalarFloat(metrics[0])
			for _, m := range metrics {
				_ = m.FinalizeAll()
			}
			if firstStepDone {
				trainTime += time.Since(stepStart)
				trainImages += n
			} else {
				firstStepDone = true
				rep.Params = models.CountTrainable(s.store)
				prog(PhaseStart, batchInEpoch, math.NaN(), nil)
			}
			if math.IsNaN(lossVal) || math.IsInf(lossVal, 0) {
				return rep, fmt.Errorf("trainer: loss became %g at epoch %d, batch %d", lossVal, epoch+1, index)
			}
			lossSum += lossVal
			lossCount++
			batchInEpoch++
			index++
			prog(PhaseTrain, batchInEpoch, lossVal, nil)

			if cfg.CheckpointEvery > 0 && s.ckpt != nil && time.Since(lastSave) >= cfg.CheckpointEvery {
				s.setPosition(epoch, batchInEpoch)
				if err := s.save(); err != nil {
					return rep, err
				}
				lastSave = time.Now()
				prog(PhaseCheckpoint, batchInEpoch, lossVal, nil)
			}
		}
		if lossCount == 0 && batchInEpoch == 0 {
			return rep, fmt.Errorf("trainer: training dataset %q yielded no batches in epoch %d", trainDS.Name(), epoch+1)
		}
		record := EpochRecord{Epoch: epoch + 1, Steps: batchInEpoch, TrainLoss: Float(math.NaN())}
		if lossCount > 0 {
			record.TrainLoss = Float(lossSum / float64(lossCount))
		}
		batchInEpoch = 0
		s.setPosition(epoch+1, 0)
		if validDS != nil {
			m, err := s.evaluate(validDS)
			if err != nil {
				return rep, err
			}
			record.Validation = &m
			rep.ValidLoss, rep.ValidAccuracy, rep.ValidAUC = m.Loss, m.Accuracy, m.AUC
			prog(PhaseEval, record.Steps, float64(record.TrainLoss), &m)
		}
		record.Seconds = seconds(time.Since(epochStart))
		rep.History = append(rep.History, record)
		rep.Epochs = epoch + 1
		if err := s.save(); err != nil {
			return rep, err
		}
		lastSave = time.Now()
		if s.ckpt != nil {
			prog(PhaseCheckpoint, record.Steps, float64(record.TrainLoss), nil)
		}
	}
	if rep.Params == 0 {
		// Nothing trained in this process (e.g. resuming a finished run): build the model to count.
		rep.Params = models.CountTrainable(s.store)
		if validDS != nil {
			m, err := s.evaluate(validDS)
			if err != nil {
				return rep, err
			}
			rep.ValidLoss, rep.ValidAccuracy, rep.ValidAUC = m.Loss, m.Accuracy, m.AUC
			rep.Params = models.CountTrainable(s.store)
		}
	}
	finish()
	return rep, nil
}
