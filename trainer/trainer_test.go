package trainer

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
)

// Tests use the pure Go backend and tiny 8×8 images (SimpleCNN needs multiples of 8).
const testSize = 8

func tinyConfig(t *testing.T) Config {
	t.Helper()
	t.Setenv("GOMLX_BACKEND", "")
	cfg := DefaultConfig()
	cfg.Backend = "go"
	cfg.Epochs = 2
	cfg.BatchSize = 2
	cfg.Seed = 7
	cfg.CheckpointEvery = 0
	return cfg
}

// tinyData returns n random images (8×8×3) whose label is 1 when the mean red value is > 0.5.
func tinyData(n int, seed uint64) (images, labels []float32) {
	rng := rand.New(rand.NewPCG(seed, 1))
	size := testSize * testSize * 3
	images = make([]float32, n*size)
	labels = make([]float32, n)
	for i := range n {
		bright := rng.IntN(2)
		for j := range size {
			v := rng.Float32() * 0.5
			if bright == 1 && j%3 == 0 {
				v += 0.5
			}
			images[i*size+j] = v
		}
		labels[i] = float32(bright)
	}
	return
}

func tinyDS(t *testing.T, name string, n, batch int, shuffle bool, seed uint64) *MemoryDataset {
	t.Helper()
	imgs, labs := tinyData(n, seed)
	ds, err := NewMemoryDataset(name, imgs, labs, n, testSize, testSize, batch, shuffle, int64(seed), true)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestRunLowersLoss(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Epochs = 8
	train1 := tinyDS(t, "train", 2, 2, false, 1) // One batch, repeated every epoch.
	var losses []float64
	rep, err := Run(context.Background(), cfg, train1, tinyDS(t, "valid", 4, 2, false, 2), func(p Progress) {
		if p.Phase == PhaseTrain {
			losses = append(losses, p.Loss)
		}
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(losses) != cfg.Epochs {
		t.Fatalf("got %d train steps, want %d", len(losses), cfg.Epochs)
	}
	t.Logf("losses: %v", losses)
	if !(losses[len(losses)-1] < losses[0]) {
		t.Errorf("loss did not decrease: first %g, last %g", losses[0], losses[len(losses)-1])
	}
	if rep.Steps != int64(cfg.Epochs) || rep.Epochs != cfg.Epochs || rep.Backend != "go" || rep.Model != "simplecnn" {
		t.Errorf("report = %+v", rep)
	}
	if want := 287_008 + (128*256 + 256) + 257; rep.Params != want {
		t.Errorf("params = %d, want %d", rep.Params, want)
	}
	if rep.PeakRSSBytes <= 0 || len(rep.History) != cfg.Epochs || rep.History[0].Validation == nil {
		t.Errorf("report missing fields: %+v", rep)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	for _, key := range []string{`"model"`, `"backend"`, `"params"`, `"steps"`, `"epochs"`, `"images_per_second"`,
		`"valid_accuracy"`, `"valid_auc"`, `"peak_rss_bytes"`} {
		if !strings.Contains(string(js), key) {
			t.Errorf("report JSON lacks %s: %s", key, js)
		}
	}
}

// loadFloatVars loads the latest checkpoint in dir and returns its float32 variables.
func loadFloatVars(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	store := model.NewStore()
	if _, err := checkpoint.Load(store).Dir(dir).Immediate().Done(); err != nil {
		t.Fatalf("loading checkpoint %s: %v", dir, err)
	}
	vars := map[string][]float32{}
	for v := range store.IterVariables() {
		if v.DType().String() != "Float32" && v.DType().String() != "float32" {
			continue
		}
		vars[v.Path()] = tensors.MustCopyFlatData[float32](v.MustValue())
	}
	return vars
}

// plainDS hides MemoryDataset's Positionable/Sized methods.
type plainDS struct{ ds *MemoryDataset }

func (p plainDS) Name() string                        { return p.ds.Name() }
func (p plainDS) Iter() iter.Seq2[train.Batch, error] { return p.ds.Iter() }

func TestResumeEqualsUninterrupted(t *testing.T) {
	tests := []struct {
		name         string
		positionable bool          // Dataset implements Positionable (shuffled per epoch).
		every        time.Duration // Time-based checkpoints.
		stopAt       int64         // Global step after which Ctrl-C is simulated.
	}{
		{"positionable, mid-epoch", true, 0, 5},
		{"positionable, epoch boundary", true, 0, 4},
		{"positionable, checkpoint every step", true, time.Nanosecond, 3},
		{"plain dataset (skip batches)", false, 0, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig(t)
			cfg.Epochs = 2
			cfg.CheckpointEvery = tc.every
			base := t.TempDir()
			newTrain := func() train.Dataset { // 4 batches/epoch.
				if tc.positionable {
					return tinyDS(t, "train", 8, 2, true, 3)
				}
				return plainDS{tinyDS(t, "train", 8, 2, false, 3)}
			}
			valid := tinyDS(t, "valid", 4, 2, false, 4)

			cfgA := cfg
			cfgA.CheckpointDir = filepath.Join(base, "a")
			repA, err := Run(context.Background(), cfgA, newTrain(), valid, nil)
			if err != nil {
				t.Fatalf("uninterrupted run: %v", err)
			}

			cfgB := cfg
			cfgB.CheckpointDir = filepath.Join(base, "b")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			repB, err := Run(ctx, cfgB, newTrain(), valid, func(p Progress) {
				if p.Phase == PhaseTrain && p.GlobalStep == tc.stopAt {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) || !repB.Interrupted || repB.Steps != tc.stopAt {
				t.Fatalf("interrupted run: err=%v, interrupted=%t, steps=%d", err, repB.Interrupted, repB.Steps)
			}

			cfgB.Resume = true
			repB2, err := Run(context.Background(), cfgB, newTrain(), valid, nil)
			if err != nil {
				t.Fatalf("resumed run: %v", err)
			}
			if !repB2.Resumed || repB2.ResumedAtStep != tc.stopAt || repB2.Steps != repA.Steps || repB2.Epochs != 2 {
				t.Errorf("resumed report: %+v (uninterrupted: steps %d)", repB2, repA.Steps)
			}

			wa, wb := loadFloatVars(t, cfgA.CheckpointDir), loadFloatVars(t, cfgB.CheckpointDir)
			for path := range wb {
				if _, ok := wa[path]; !ok {
					t.Errorf("variable %s only in the resumed run", path)
				}
			}
			if len(wa) == 0 || len(wa) != len(wb) {
				t.Fatalf("variable sets differ: %d vs %d", len(wa), len(wb))
			}
			var maxDiff float64
			for path, a := range wa {
				b, ok := wb[path]
				if !ok || len(a) != len(b) {
					t.Fatalf("variable %s missing or resized in resumed run", path)
				}
				for i := range a {
					maxDiff = math.Max(maxDiff, math.Abs(float64(a[i])-float64(b[i])))
				}
			}
			t.Logf("%d float32 variables compared, max |diff| = %g", len(wa), maxDiff)
			if maxDiff > 1e-6 {
				t.Errorf("resumed weights differ from uninterrupted ones by up to %g", maxDiff)
			}
			if repA.ValidAUC != repB2.ValidAUC || repA.ValidLoss != repB2.ValidLoss {
				t.Errorf("validation differs: %v/%v vs %v/%v", repA.ValidLoss, repA.ValidAUC, repB2.ValidLoss, repB2.ValidAUC)
			}
		})
	}
}

// badDS yields one batch with the given image shape.
type badDS struct{ dims []int }

func (d badDS) Name() string { return "bad" }
func (d badDS) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		size := 1
		for _, x := range d.dims {
			size *= x
		}
		yield(train.Batch{
			Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(make([]float32, size), d.dims...)},
			Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(make([]float32, d.dims[0]), d.dims[0], 1)},
		}, nil)
	}
}

func TestRunErrors(t *testing.T) {
	base := t.TempDir()
	existing := filepath.Join(base, "existing")
	if err := os.MkdirAll(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(existing, "checkpoint-n0000001-x-step-00000001.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(base, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		ds     train.Dataset
		want   string
	}{
		{"unknown model", func(c *Config) { c.Model = "vgg16" }, nil, `unknown model "vgg16": valid names are`},
		{"wrong image shape", nil, badDS{[]int{2, 8, 8, 1}}, "images must be shaped [N, H, W, 3]"},
		{"channels first", nil, badDS{[]int{2, 3, 8, 8}}, "images must be shaped [N, H, W, 3]"},
		{"resume without dir", func(c *Config) { c.Resume = true }, nil, "no checkpoint directory"},
		{"resume missing dir", func(c *Config) { c.Resume, c.CheckpointDir = true, filepath.Join(base, "nope") },
			nil, "does not exist"},
		{"resume empty dir", func(c *Config) { c.Resume, c.CheckpointDir = true, empty }, nil, "no checkpoint found"},
		{"overwrite existing", func(c *Config) { c.CheckpointDir = existing }, nil, "already holds checkpoints"},
		{"bad dtype", func(c *Config) { c.DType = "int8" }, nil, "unsupported dtype"},
		{"bad backend", func(c *Config) { c.Backend = "quantum" }, nil, `unknown backend "quantum"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig(t)
			cfg.Epochs = 1
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			ds := tc.ds
			if ds == nil {
				ds = tinyDS(t, "train", 2, 2, false, 1)
			}
			_, err := Run(context.Background(), cfg, ds, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run error = %v, want containing %q", err, tc.want)
			}
		})
	}
}

func TestROCAUC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float32
		labels []float32
		want   float64
	}{
		{"perfect", []float32{0.1, 0.2, 0.8, 0.9}, []float32{0, 0, 1, 1}, 1},
		{"inverted", []float32{0.9, 0.8, 0.2, 0.1}, []float32{0, 0, 1, 1}, 0},
		{"sklearn example", []float32{0.1, 0.4, 0.35, 0.8}, []float32{0, 0, 1, 1}, 0.75},
		{"tie across classes", []float32{0.5, 0.5, 0.2, 0.9}, []float32{1, 0, 0, 1}, 0.875},
		{"all tied", []float32{3, 3, 3, 3, 3}, []float32{1, 0, 1, 0, 0}, 0.5},
		{"ties within class", []float32{1, 1, 2, 2}, []float32{0, 0, 1, 1}, 1},
		{"logits, negative values", []float32{-2, -1, 0, -1, 3}, []float32{0, 1, 1, 0, 1}, (1 + 1 + 0.5 + 1 + 1 + 1) / 6.0},
		{"single class", []float32{0.1, 0.2}, []float32{1, 1}, math.NaN()},
		{"empty", nil, nil, math.NaN()},
		{"length mismatch", []float32{1}, []float32{1, 0}, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ROCAUC(tc.scores, tc.labels)
			if math.IsNaN(tc.want) {
				if !math.IsNaN(got) {
					t.Errorf("ROCAUC = %g, want NaN", got)
				}
				return
			}
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("ROCAUC = %g, want %g", got, tc.want)
			}
		})
	}
}

func TestFloatJSON(t *testing.T) {
	b, err := json.Marshal(struct{ A, B Float }{Float(math.NaN()), 0.25})
	if err != nil || string(b) != `{"A":null,"B":0.25}` {
		t.Fatalf("got %s, %v", b, err)
	}
}

func TestMemoryDatasetPosition(t *testing.T) {
	ds := tinyDS(t, "d", 8, 2, true, 9)
	firstLabels := func() []float32 {
		var out []float32
		for b := range ds.Iter() {
			out = append(out, tensors.MustCopyFlatData[float32](b.Inputs[0])[0])
			_ = b.Finalize()
		}
		return out
	}
	_ = ds.SetPosition(1, 0)
	epoch1 := firstLabels()
	_ = ds.SetPosition(1, 2)
	tail := firstLabels()
	if len(epoch1) != 4 || len(tail) != 2 || tail[0] != epoch1[2] || tail[1] != epoch1[3] {
		t.Errorf("SetPosition(1,2) yielded %v, want the tail of %v", tail, epoch1)
	}
	_ = ds.SetPosition(0, 0)
	epoch0 := firstLabels()
	if epoch0[0] == epoch1[0] && epoch0[1] == epoch1[1] && epoch0[2] == epoch1[2] {
		t.Errorf("epochs 0 and 1 have the same order: %v", epoch0)
	}
	if err := ds.SetPosition(0, 99); err == nil {
		t.Error("SetPosition beyond the end should fail")
	}
}

func TestBenchTrainSize(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	res, err := BenchTrainSize("go", "simplecnn", 2, 2, testSize)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Backend != "go" || res.Batch != 2 || res.ImgPerSecond <= 0 || res.Params == 0 {
		t.Errorf("unexpected result %+v", res)
	}
	if _, err := BenchTrainSize("go", "nope", 2, 1, testSize); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Errorf("unknown model error = %v", err)
	}
}

// TestValidationTracksWeights guards against evaluating stale weights: the pure Go backend
// embeds variables of inference graphs as constants, so a cached executor would keep scoring
// the first epoch's weights.
func TestValidationTracksWeights(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Epochs = 2
	rep, err := Run(context.Background(), cfg, tinyDS(t, "train", 8, 2, true, 3), tinyDS(t, "valid", 4, 2, false, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := rep.History[0].Validation, rep.History[1].Validation
	t.Logf("valid loss epoch 1: %v, epoch 2: %v", v1.Loss, v2.Loss)
	if v1.Loss == v2.Loss {
		t.Errorf("validation loss identical after another epoch of training (%v): stale weights?", v1.Loss)
	}
}

func TestRunDTypes(t *testing.T) {
	for _, dt := range []string{"float32", "float16", "bfloat16"} {
		t.Run(dt, func(t *testing.T) {
			cfg := tinyConfig(t)
			cfg.DType = dt
			cfg.Epochs = 3
			rep, err := Run(context.Background(), cfg, tinyDS(t, "train", 2, 2, false, 1), tinyDS(t, "valid", 4, 2, false, 4), nil)
			if err != nil {
				t.Fatal(err)
			}
			if first, last := rep.History[0].TrainLoss, rep.History[2].TrainLoss; !(last < first) {
				t.Errorf("loss did not decrease: %v -> %v", first, last)
			}
		})
	}
}

// TestResNet50TrainStep runs one tiny ResNet-50 training step (batch norm in training mode on
// the Go backend, which has no fused batch-norm op).
func TestResNet50TrainStep(t *testing.T) {
	if testing.Short() {
		t.Skip("slow on the Go backend")
	}
	t.Setenv("GOMLX_BACKEND", "")
	res, err := BenchTrainSize("go", "resnet50", 2, 1, 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Params != 23_510_081 {
		t.Errorf("params = %d, want 23510081", res.Params)
	}
}
