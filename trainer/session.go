package trainer

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/pcamgo/pcamgo/models"
)

// Store parameters recording the training position (saved in every checkpoint).
const (
	positionScope   = "/pcamgo"
	paramModel      = "model"
	paramEpoch      = "epoch"          // Completed epochs.
	paramBatchInEpc = "batch_in_epoch" // Batches consumed in the current (incomplete) epoch.

	// metricsScope holds GoMLX's per-Trainer metric variables (not saved in checkpoints).
	metricsScope = "/metrics/"
)

// session holds the GoMLX objects of one training run.
type session struct {
	cfg     Config
	spec    models.Spec
	backend compute.Backend
	store   *model.Store
	ckpt    *checkpoint.Handler // nil without CheckpointDir.
	trainer *train.Trainer

	// predictFn builds the inference graph (logits as float32); predict is its executor.
	// Backends that advertise PreferConstantsForVariables (the pure Go backend) embed the
	// variables of inference graphs as constants at compile time, so a cached executor would
	// keep evaluating the weights of its first call: predictExec rebuilds it for every
	// evaluation on those backends.
	predictFn func(scope *model.Scope, images *graph.Node) *graph.Node
	predict   *model.Exec
}

// predictExec returns an executor reflecting the current weights.
func (s *session) predictExec() (*model.Exec, error) {
	if s.predict != nil && !s.backend.Capabilities().PreferConstantsForVariables {
		return s.predict, nil
	}
	if s.predict != nil {
		s.predict.Finalize()
		s.predict = nil
	}
	e, err := model.NewExec(s.backend, s.store, s.predictFn)
	if err != nil {
		return nil, fmt.Errorf("trainer: creating prediction executor: %w", err)
	}
	s.predict = e
	return e, nil
}

// newSession creates the store (loading the latest checkpoint when resuming), the trainer and
// the prediction executor. It returns the saved position (0, 0 for a fresh run).
func newSession(backend compute.Backend, spec models.Spec, cfg Config) (s *session, epoch, batch int, err error) {
	dtype, err := cfg.computeDType()
	if err != nil {
		return nil, 0, 0, err
	}
	s = &session{cfg: cfg, spec: spec, backend: backend, store: model.NewStore()}
	s.store.SetParam(model.ParamInitialSeed, cfg.Seed)

	if cfg.CheckpointDir != "" {
		has, exists, err := hasCheckpoints(cfg.CheckpointDir)
		if err != nil {
			return nil, 0, 0, err
		}
		switch {
		case cfg.Resume && !exists:
			return nil, 0, 0, fmt.Errorf("trainer: cannot resume: checkpoint directory %q does not exist", cfg.CheckpointDir)
		case cfg.Resume && !has:
			return nil, 0, 0, fmt.Errorf("trainer: cannot resume: no checkpoint found in %q", cfg.CheckpointDir)
		case !cfg.Resume && has:
			return nil, 0, 0, fmt.Errorf("trainer: checkpoint directory %q already holds checkpoints: "+
				"resume to continue that run, or choose an empty directory", cfg.CheckpointDir)
		}
		keep := cfg.KeepCheckpoints
		if keep == 0 {
			keep = 2
		}
		s.ckpt, err = checkpoint.Build(s.store).Dir(cfg.CheckpointDir).Keep(keep).Done()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("trainer: checkpoint directory %q: %w", cfg.CheckpointDir, err)
		}
		// GoMLX's train metrics live in "/metrics/<name>_uuid_<random>" variables: a new set per
		// Trainer. They are not saved (see save) and any stale ones are dropped here, otherwise
		// every resume would add a set to the checkpoint.
		var stale []string
		for key := range s.ckpt.LoadedVariables() {
			if path, ok := strings.CutPrefix(key, "var:"); ok && strings.HasPrefix(path, metricsScope) {
				stale = append(stale, path)
			}
		}
		for _, path := range stale {
			if err := s.store.DeleteVariable(path); err != nil {
				return nil, 0, 0, fmt.Errorf("trainer: dropping stale metric variable %q: %w", path, err)
			}
		}
		if cfg.Resume {
			if saved, ok := s.store.GetParam(positionScope + "/" + paramModel); ok && saved != spec.Name {
				return nil, 0, 0, fmt.Errorf("trainer: checkpoint in %q is for model %v, not %q", cfg.CheckpointDir, saved, spec.Name)
			}
			epoch = paramInt(s.store, paramEpoch)
			batch = paramInt(s.store, paramBatchInEpc)
		}
	}
	s.store.SetParam(positionScope+"/"+paramModel, spec.Name)
	s.setPosition(epoch, batch)

	fn := modelGraph(spec, cfg, dtype)
	adam := optimizer.Adam().LearningRate(cfg.LearningRate)
	if cfg.AdamEpsilon > 0 {
		adam = adam.Epsilon(cfg.AdamEpsilon)
	}
	if dtype != dtypes.Float32 {
		adam = adam.DType(dtypes.Float32)
	}
	s.trainer = train.NewTrainer(backend, s.store, fn, loss.BinaryCrossentropyLogits, adam.Done(), nil, nil)
	s.predictFn = func(scope *model.Scope, images *graph.Node) *graph.Node {
		return graph.ConvertDType(fn(scope, images), dtypes.Float32)
	}
	return s, epoch, batch, nil
}

// setPosition records the training position in the store params (saved with checkpoints).
func (s *session) setPosition(epoch, batch int) {
	s.store.SetParam(positionScope+"/"+paramEpoch, int64(epoch))
	s.store.SetParam(positionScope+"/"+paramBatchInEpc, int64(batch))
}

// save writes a checkpoint (no-op without a checkpoint directory).
func (s *session) save() error {
	if s.ckpt == nil {
		return nil
	}
	for v := range s.store.IterVariables() {
		if strings.HasPrefix(v.Path(), metricsScope) {
			s.ckpt.ExcludeVarsFromSaving(v)
		}
	}
	if err := s.ckpt.Save(); err != nil {
		return fmt.Errorf("trainer: saving checkpoint in %q: %w", s.cfg.CheckpointDir, err)
	}
	return nil
}

func (s *session) finalize() {
	if s.predict != nil {
		s.predict.Finalize()
	}
}

// paramInt reads an integer position parameter (0 if absent).
func paramInt(store *model.Store, key string) int {
	v, ok := store.GetParam(positionScope + "/" + key)
	if !ok {
		return 0
	}
	switch x := v.(type) {
	case int64:
		return int(x)
	case int:
		return x
	case float64:
		return int(x)
	}
	return 0
}

// hasCheckpoints reports whether dir exists and holds GoMLX checkpoints.
func hasCheckpoints(dir string) (has, exists bool, err error) {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("trainer: checkpoint directory: %w", err)
	}
	if !st.IsDir() {
		return false, true, fmt.Errorf("trainer: checkpoint path %q is not a directory", dir)
	}
	matches, err := filepath.Glob(filepath.Join(dir, "checkpoint-*"+checkpoint.JsonNameSuffix))
	if err != nil {
		return false, true, fmt.Errorf("trainer: listing checkpoints in %q: %w", dir, err)
	}
	return len(matches) > 0, true, nil
}

// checkBatch validates a batch's shapes before handing it to GoMLX, for clear error messages.
func checkBatch(b train.Batch, what string, index int) error {
	if len(b.Inputs) != 1 {
		return fmt.Errorf("trainer: %s batch %d: want exactly 1 input (images), got %d", what, index, len(b.Inputs))
	}
	if len(b.Labels) != 1 {
		return fmt.Errorf("trainer: %s batch %d: want exactly 1 label tensor, got %d", what, index, len(b.Labels))
	}
	img, lab := b.Inputs[0].Shape(), b.Labels[0].Shape()
	if img.Rank() != 4 || img.Dimensions[3] != 3 {
		return fmt.Errorf("trainer: %s batch %d: images must be shaped [N, H, W, 3] (NHWC), got %s", what, index, img)
	}
	if !(img.DType.IsFloat() || img.DType == dtypes.Uint8) {
		return fmt.Errorf("trainer: %s batch %d: images must be float32/float16/bfloat16 or uint8, got %s", what, index, img.DType)
	}
	n := img.Dimensions[0]
	if lab.Size() != n || (lab.Rank() != 1 && lab.Rank() != 2) {
		return fmt.Errorf("trainer: %s batch %d: labels must be shaped [%d, 1] or [%d], got %s", what, index, n, n, lab)
	}
	return nil
}

// evaluate computes validation metrics over ds with the current weights.
func (s *session) evaluate(ds train.Dataset) (EvalMetrics, error) {
	predict, err := s.predictExec()
	if err != nil {
		return EvalMetrics{}, err
	}
	var scores, labels []float32
	var lossSum float64
	i := 0
	for b, err := range ds.Iter() {
		if err != nil {
			return EvalMetrics{}, fmt.Errorf("trainer: validation dataset %q: %w", ds.Name(), err)
		}
		if err := checkBatch(b, "validation", i); err != nil {
			_ = b.Finalize()
			return EvalMetrics{}, err
		}
		logitsT, err := predict.Call1(b.Inputs[0])
		if err != nil {
			_ = b.Finalize()
			return EvalMetrics{}, fmt.Errorf("trainer: validation batch %d: %w", i, err)
		}
		logits, err := tensors.CopyFlatData[float32](logitsT)
		_ = logitsT.FinalizeAll()
		if err != nil {
			_ = b.Finalize()
			return EvalMetrics{}, fmt.Errorf("trainer: reading logits: %w", err)
		}
		labs, err := labelsAsFloat32(b.Labels[0])
		_ = b.Finalize()
		if err != nil {
			return EvalMetrics{}, fmt.Errorf("trainer: validation batch %d labels: %w", i, err)
		}
		for j, z := range logits {
			y := float64(labs[j])
			zf := float64(z)
			// Stable sigmoid cross-entropy: max(z,0) - z*y + log(1+exp(-|z|)).
			lossSum += math.Max(zf, 0) - zf*y + math.Log1p(math.Exp(-math.Abs(zf)))
		}
		scores = append(scores, logits...)
		labels = append(labels, labs...)
		i++
	}
	if len(scores) == 0 {
		return EvalMetrics{}, fmt.Errorf("trainer: validation dataset %q yielded no examples", ds.Name())
	}
	correct := 0
	for j, z := range scores {
		if (z > 0) == (labels[j] > 0.5) {
			correct++
		}
	}
	n := float64(len(scores))
	return EvalMetrics{
		Loss:     Float(lossSum / n),
		Accuracy: Float(float64(correct) / n),
		AUC:      Float(ROCAUC(scores, labels)),
		Examples: len(scores),
	}, nil
}

// labelsAsFloat32 copies a label tensor of any numeric dtype to []float32.
func labelsAsFloat32(t *tensors.Tensor) ([]float32, error) {
	if t.DType() == dtypes.Float32 {
		return tensors.CopyFlatData[float32](t)
	}
	out := make([]float32, 0, t.Shape().Size())
	err := t.ConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float64:
			out = appendFloat32(out, v)
		case []int32:
			out = appendFloat32(out, v)
		case []int64:
			out = appendFloat32(out, v)
		case []uint8:
			out = appendFloat32(out, v)
		case []bool:
			for _, x := range v {
				out = append(out, float32(b2f(x)))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if len(out) != t.Shape().Size() {
		return nil, fmt.Errorf("unsupported label dtype %s", t.DType())
	}
	return out, nil
}

func appendFloat32[T float64 | int32 | int64 | uint8](out []float32, v []T) []float32 {
	for _, x := range v {
		out = append(out, float32(x))
	}
	return out
}

func b2f(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scalarFloat reads a scalar metric tensor.
func scalarFloat(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	default:
		// float16 / bfloat16 scalars print as their value.
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
}
