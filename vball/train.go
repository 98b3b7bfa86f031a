package vball

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"
	gr "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/ml/train/optimizer/cosineschedule"
	"github.com/pcamgo/pcamgo/engine"
)

// TrainConfig mirrors train_v3.py's flags plus the Go-specific options.
type TrainConfig struct {
	DatasetRoot        string  `json:"dataset_root"`
	Seq                int     `json:"seq"`
	Grayscale          bool    `json:"grayscale"`
	ModelName          string  `json:"model_name"`
	Epochs             int     `json:"epochs"`
	Batch              int     `json:"batch"`
	Alpha              float64 `json:"alpha"` // < 0: unweighted (default −1), see WeightedBCELogits.
	PreloadMemory      bool    `json:"preload_memory"`
	UseMemoryEfficient bool    `json:"use_memory_efficient"`
	// Height, Width: training resolution (0: the files' size). Frames and heatmaps are resized
	// at load time; metrics are still measured in the files' pixels.
	Height       int     `json:"height"`
	Width        int     `json:"width"`
	LearningRate float64 `json:"learning_rate"`
	// LRSchedule is "cosine" (decay from LearningRate to LearningRate/20 over TotalSteps, the
	// default) or "constant".
	LRSchedule string `json:"lr_schedule"`
	// TotalSteps is the cosine schedule's length; Train sets it to Epochs × batches per epoch.
	// 0 keeps the learning rate constant.
	TotalSteps int   `json:"total_steps"`
	Seed       int64 `json:"seed"`
	Flip       bool  `json:"flip"` // Joint left-right flip augmentation of the training split.
	// WidthMultiplier scales the model's channel counts (default 1).
	WidthMultiplier float64 `json:"width_multiplier"`
	Conv            string  `json:"conv"`    // "auto", "native", "fast".
	Backend         string  `json:"backend"` // engine.New name ("" = auto).
	CheckpointDir   string  `json:"checkpoint_dir"`
	Resume          bool    `json:"resume"`
	KeepCheckpoints int     `json:"keep_checkpoints"`
	// MaxStepsPerEpoch truncates epochs (smoke tests); 0 = full epochs.
	MaxStepsPerEpoch int `json:"max_steps_per_epoch"`
	// CacheFrames and Prefetch configure disk mode (see DatasetConfig).
	CacheFrames int `json:"cache_frames"`
	Prefetch    int `json:"prefetch"`
}

// DefaultTrainConfig returns train_v3.py's defaults: seq 3, VballNetV1, batch 4, alpha −1,
// Adam 1e-3, flip augmentation on.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{Seq: 3, ModelName: ModelV1, Epochs: 10, Batch: 4, Alpha: -1, LearningRate: 1e-3,
		Seed: 42, Flip: true, WidthMultiplier: 1, Conv: "auto", KeepCheckpoints: 2, LRSchedule: "cosine"}
}

// ModelConfig returns the model configuration of cfg.
func (c TrainConfig) ModelConfig() ModelConfig {
	return ModelConfig{Name: c.ModelName, Seq: c.Seq, Grayscale: c.Grayscale, WidthMultiplier: c.WidthMultiplier, Conv: c.Conv}
}

// DatasetConfig returns the dataset configuration of cfg for the training (train=true) or the
// evaluation split (no shuffle, no flip).
func (c TrainConfig) DatasetConfig(train bool) DatasetConfig {
	return DatasetConfig{Seq: c.Seq, Grayscale: c.Grayscale, Height: c.Height, Width: c.Width, Batch: c.Batch,
		Shuffle: train, Flip: train && c.Flip, Seed: c.Seed, Preload: c.PreloadMemory,
		CacheFrames: c.CacheFrames, Prefetch: c.Prefetch}
}

// Validate checks cfg.
func (c TrainConfig) Validate() error {
	if err := c.ModelConfig().Validate(); err != nil {
		return err
	}
	if c.Epochs < 0 || c.Batch < 1 {
		return fmt.Errorf("vball: epochs must be >= 0 and batch >= 1 (got %d, %d)", c.Epochs, c.Batch)
	}
	if c.Alpha > 1 {
		return fmt.Errorf("vball: alpha must be in [0, 1] or negative (disabled), got %g", c.Alpha)
	}
	if (c.Height > 0) != (c.Width > 0) || c.Height%4 != 0 || c.Width%4 != 0 {
		return fmt.Errorf("vball: --height and --width go together and must be multiples of 4 (got %dx%d)", c.Width, c.Height)
	}
	if c.LRSchedule != "" && c.LRSchedule != "cosine" && c.LRSchedule != "constant" {
		return fmt.Errorf("vball: lr schedule must be cosine or constant, got %q", c.LRSchedule)
	}
	if c.Resume && c.CheckpointDir == "" {
		return errors.New("vball: resume needs a checkpoint directory")
	}
	return nil
}

// LoadData scans cfg.DatasetRoot and builds the training dataset and the evaluation dataset
// (the test split when present, else the training split without augmentation).
func LoadData(cfg TrainConfig, progress func(done, total int)) (trainDS, evalDS *Dataset, err error) {
	trainSplit, testSplit, err := ScanDataset(cfg.DatasetRoot)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Height == 0 && (trainSplit.Height%4 != 0 || trainSplit.Width%4 != 0) {
		return nil, nil, fmt.Errorf("vball: frames are %dx%d: the models need multiples of 4, give --width and --height", trainSplit.Width, trainSplit.Height)
	}
	dc := cfg.DatasetConfig(true)
	dc.Progress = progress
	trainDS, err = NewDataset("train", trainSplit, dc)
	if err != nil {
		return nil, nil, err
	}
	evalSplit, name := testSplit, "test"
	if evalSplit == nil {
		evalSplit, name = trainSplit, "train(eval)"
	}
	if evalSplit.Height != trainSplit.Height || evalSplit.Width != trainSplit.Width {
		return nil, nil, fmt.Errorf("vball: test frames are %dx%d but training frames are %dx%d", evalSplit.Width, evalSplit.Height, trainSplit.Width, trainSplit.Height)
	}
	evalDS, err = NewDataset(name, evalSplit, cfg.DatasetConfig(false))
	if err != nil {
		return nil, nil, err
	}
	return trainDS, evalDS, nil
}

// Session holds the GoMLX objects of a training run: backend, variables, trainer, checkpoints.
type Session struct {
	Cfg     TrainConfig
	Backend compute.Backend
	Info    engine.Info
	Store   *model.Store
	Epoch   int // Completed epochs (restored on resume).

	modelFn ModelFn
	trainer *train.Trainer
	ckpt    *checkpoint.Handler
	predict *model.Exec
}

const (
	paramScope   = "/vball"
	metricsScope = "/metrics/"
)

// NewSession creates the backend (engine.New(cfg.Backend)), the model, Adam and, with a
// checkpoint directory, the checkpoint handler (restoring the latest checkpoint on Resume).
func NewSession(cfg TrainConfig) (*Session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	modelFn, err := NewModel(cfg.ModelConfig())
	if err != nil {
		return nil, err
	}
	backend, info, err := engine.New(cfg.Backend)
	if err != nil {
		return nil, fmt.Errorf("vball: %w", err)
	}
	s := &Session{Cfg: cfg, Backend: backend, Info: info, Store: model.NewStore(), modelFn: modelFn}
	s.Store.SetParam(model.ParamInitialSeed, cfg.Seed)
	if err := s.openCheckpoints(); err != nil {
		backend.Finalize()
		return nil, err
	}
	lr := cfg.LearningRate
	if lr <= 0 {
		lr = 1e-3
	}
	alpha := cfg.Alpha
	lossFn := func(labels, predictions []*gr.Node) *gr.Node {
		if len(labels) != 1 || len(predictions) != 1 {
			panic(errNoLogits)
		}
		return WeightedBCELogits(labels[0], predictions[0], alpha)
	}
	cosine := cfg.LRSchedule != "constant" && cfg.TotalSteps > 0
	s.trainer = train.NewTrainer(backend, s.Store, func(scope *model.Scope, x *gr.Node) *gr.Node {
		if cosine {
			cosineschedule.New(scope, x.Graph(), x.DType()).PeriodSteps(cfg.TotalSteps).
				LearningRate(lr).MinLearningRate(lr / 20).Done()
		}
		return modelFn(scope, x)
	}, lossFn, optimizer.Adam().LearningRate(lr).Done(), nil, nil)
	return s, nil
}

// openCheckpoints sets up the checkpoint handler, restoring on resume (same rules as pcam train).
func (s *Session) openCheckpoints() error {
	dir := s.Cfg.CheckpointDir
	if dir == "" {
		return nil
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*"+checkpoint.JsonNameSuffix))
	_, statErr := os.Stat(dir)
	switch {
	case s.Cfg.Resume && statErr != nil:
		return fmt.Errorf("vball: cannot resume: checkpoint directory %q does not exist", dir)
	case s.Cfg.Resume && len(matches) == 0:
		return fmt.Errorf("vball: cannot resume: no checkpoint found in %q", dir)
	case !s.Cfg.Resume && len(matches) > 0:
		return fmt.Errorf("vball: checkpoint directory %q already holds checkpoints: use --resume, or choose an empty directory", dir)
	}
	keep := s.Cfg.KeepCheckpoints
	if keep == 0 {
		keep = 2
	}
	var err error
	s.ckpt, err = checkpoint.Build(s.Store).Dir(dir).Keep(keep).Done()
	if err != nil {
		return fmt.Errorf("vball: checkpoint directory %q: %w", dir, err)
	}
	var stale []string
	for key := range s.ckpt.LoadedVariables() {
		if path, ok := strings.CutPrefix(key, "var:"); ok && strings.HasPrefix(path, metricsScope) {
			stale = append(stale, path)
		}
	}
	for _, p := range stale {
		if err := s.Store.DeleteVariable(p); err != nil {
			return fmt.Errorf("vball: dropping stale metric variable %q: %w", p, err)
		}
	}
	want := s.signature()
	if s.Cfg.Resume {
		if got, ok := s.Store.GetParam(paramScope + "/model"); ok && got != want {
			return fmt.Errorf("vball: checkpoint in %q is for %v, not %s", dir, got, want)
		}
		if v, ok := s.Store.GetParam(paramScope + "/epoch"); ok {
			switch x := v.(type) {
			case int64:
				s.Epoch = int(x)
			case float64:
				s.Epoch = int(x)
			case int:
				s.Epoch = x
			}
		}
	}
	s.Store.SetParam(paramScope+"/model", want)
	return nil
}

// signature identifies the model architecture in checkpoints.
func (s *Session) signature() string {
	c := s.Cfg
	return fmt.Sprintf("%s seq=%d grayscale=%t width_multiplier=%g", c.ModelName, c.Seq, c.Grayscale, c.ModelConfig().widthMult())
}

func (c ModelConfig) widthMult() float64 {
	if c.WidthMultiplier <= 0 {
		return 1
	}
	return c.WidthMultiplier
}

// Save writes a checkpoint recording the completed epochs (no-op without a checkpoint directory).
func (s *Session) Save() error {
	if s.ckpt == nil {
		return nil
	}
	s.Store.SetParam(paramScope+"/epoch", int64(s.Epoch))
	for v := range s.Store.IterVariables() {
		if strings.HasPrefix(v.Path(), metricsScope) {
			s.ckpt.ExcludeVarsFromSaving(v)
		}
	}
	if err := s.ckpt.Save(); err != nil {
		return fmt.Errorf("vball: saving checkpoint in %q: %w", s.Cfg.CheckpointDir, err)
	}
	return nil
}

// StepStats describes one training step (passed to TrainEpoch's callback).
type StepStats struct {
	Epoch, Step, Steps int
	Loss               float64
	SequencesPerSecond float64 // Since the epoch's second step (the first one compiles).
}

// TrainEpoch trains one epoch (epoch number s.Epoch) over ds and returns the mean loss and the
// training throughput in sequences per second (excluding the first, compiling, step).
func (s *Session) TrainEpoch(ctx context.Context, ds *Dataset, onStep func(StepStats)) (meanLoss, seqPerSec float64, err error) {
	if err := ds.SetPosition(s.Epoch, 0); err != nil {
		return 0, 0, err
	}
	steps := ds.NumBatches()
	if s.Cfg.MaxStepsPerEpoch > 0 {
		steps = min(steps, s.Cfg.MaxStepsPerEpoch)
	}
	var sum float64
	var n, seqs int
	var timed time.Duration
	step := 0
	for batch, dsErr := range ds.Iter() {
		if dsErr != nil {
			return 0, 0, dsErr
		}
		if step >= steps || ctx.Err() != nil {
			_ = batch.Finalize()
			break
		}
		t0 := time.Now()
		metrics, err := s.trainer.TrainStep(batch)
		bs := batch.Inputs[0].Shape().Dimensions[0]
		_ = batch.Finalize()
		if err != nil {
			return 0, 0, fmt.Errorf("vball: training step %d of epoch %d: %w", step, s.Epoch+1, err)
		}
		loss := scalar(metrics[0])
		for _, m := range metrics {
			_ = m.FinalizeAll()
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return 0, 0, fmt.Errorf("vball: loss became %g at epoch %d step %d", loss, s.Epoch+1, step)
		}
		if step > 0 {
			timed += time.Since(t0)
			seqs += bs
		}
		sum += loss
		n++
		step++
		if timed > 0 {
			seqPerSec = float64(seqs) / timed.Seconds()
		}
		if onStep != nil {
			onStep(StepStats{Epoch: s.Epoch, Step: step, Steps: steps, Loss: loss, SequencesPerSecond: seqPerSec})
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("vball: interrupted during epoch %d: %w", s.Epoch+1, err)
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("vball: dataset %q yielded no batches", ds.Name())
	}
	s.Epoch++
	return sum / float64(n), seqPerSec, nil
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// predictExec returns the heatmap executor for the current weights. The Go backend embeds
// variables of inference graphs as constants, so it is rebuilt for every evaluation there.
func (s *Session) predictExec() (*model.Exec, error) {
	if s.predict != nil && !s.Backend.Capabilities().PreferConstantsForVariables {
		return s.predict, nil
	}
	if s.predict != nil {
		s.predict.Finalize()
	}
	e, err := model.NewExec(s.Backend, s.Store, func(scope *model.Scope, x *gr.Node) *gr.Node {
		return gr.Sigmoid(s.modelFn(scope, x))
	})
	if err != nil {
		return nil, fmt.Errorf("vball: creating prediction executor: %w", err)
	}
	s.predict = e
	return e, nil
}

// Predict returns the heatmaps [N, H, W, Seq] (sigmoid, in [0, 1]) of inputs [N, H, W, Seq·C].
func (s *Session) Predict(inputs *tensors.Tensor) ([]float32, error) {
	e, err := s.predictExec()
	if err != nil {
		return nil, err
	}
	out, err := e.Call1(inputs)
	if err != nil {
		return nil, fmt.Errorf("vball: predict: %w", err)
	}
	defer func() { _ = out.FinalizeAll() }()
	return tensors.CopyFlatData[float32](out)
}

// Evaluate runs the model over ds and classifies every frame (threshold 0.5, largest blob,
// tolerance in the files' pixels: 10 unless cfg says otherwise).
func (s *Session) Evaluate(ds *Dataset, cfg EvalConfig) (Confusion, error) {
	if s.predict != nil && s.Backend.Capabilities().PreferConstantsForVariables {
		s.predict.Finalize()
		s.predict = nil
	}
	h, w, _ := ds.Size()
	if cfg.ScaleX == 0 {
		cfg.ScaleX = float64(ds.Split().Width) / float64(w)
		cfg.ScaleY = float64(ds.Split().Height) / float64(h)
	}
	seq := ds.Config().Seq
	var total Confusion
	if err := ds.SetPosition(0, 0); err != nil {
		return total, err
	}
	for batch, err := range ds.Iter() {
		if err != nil {
			return total, err
		}
		pred, err := s.Predict(batch.Inputs[0])
		if err != nil {
			_ = batch.Finalize()
			return total, err
		}
		truth, err := tensors.CopyFlatData[float32](batch.Labels[0])
		n := batch.Inputs[0].Shape().Dimensions[0]
		_ = batch.Finalize()
		if err != nil {
			return total, err
		}
		total.Add(CompareBatch(pred, truth, n, h, w, seq, cfg))
	}
	return total, nil
}

// Params counts the trainable parameters (after the first step or evaluation built the model).
func (s *Session) Params() int {
	n := 0
	for v := range s.Store.IterVariables() {
		if v.Trainable && !strings.HasPrefix(v.Path(), metricsScope) && !strings.HasPrefix(v.Path(), "/"+optimizer.Scope) {
			n += v.Shape().Size()
		}
	}
	return n
}

// Close releases the executors and the backend.
func (s *Session) Close() {
	if s.predict != nil {
		s.predict.Finalize()
		s.predict = nil
	}
	s.Backend.Finalize()
}
