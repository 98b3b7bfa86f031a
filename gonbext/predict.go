package gonbext

import (
	"fmt"
	"math"
	"os"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/pcamgo/pcamgo/datasets"
	"github.com/pcamgo/pcamgo/engine"
	"github.com/pcamgo/pcamgo/models"
	"github.com/pcamgo/pcamgo/trainer"
)

// Predictions are a model's scores over a dataset, for the evaluation cells.
type Predictions struct {
	Logits []float32 // one per image; > 0 predicts tumour
	Labels []float32 // 0/1
	Rows   []int     // file row of each image
	// Samples are the uint8 images of the first MaxSamples predictions
	// (H×W×C each), for DisplayEvaluation.
	Samples []byte
	H, W, C int
}

// MaxSamples is how many images Predict keeps for display.
var MaxSamples = 64

// Probability returns sigmoid(Logits[i]).
func (p Predictions) Probability(i int) float64 { return 1 / (1 + math.Exp(-float64(p.Logits[i]))) }

// Predict runs the model of the latest checkpoint in cfg.CheckpointDir over
// every batch of ds (epoch 0, in dataset order) and returns its logits with
// the labels and rows. It builds the model as trainer.Run does (cfg.Model,
// cfg.Conv, cfg.DType, cfg.Backend).
//
// This is a stop-gap for the notebooks' evaluation cells until package
// trainer exports a prediction API; it needs only what a checkpoint holds.
func Predict(cfg trainer.Config, ds *datasets.PCam) (Predictions, error) {
	var out Predictions
	if cfg.CheckpointDir == "" {
		return out, fmt.Errorf("gonbext: Predict needs cfg.CheckpointDir")
	}
	if _, err := os.Stat(cfg.CheckpointDir); err != nil {
		return out, fmt.Errorf("gonbext: no checkpoint to predict with: %w", err)
	}
	spec, err := models.Lookup(cfg.Model)
	if err != nil {
		return out, err
	}
	dtype, err := datasets.ParseDType(cfg.DType)
	if err != nil {
		return out, err
	}
	backend, _, err := engine.New(cfg.Backend)
	if err != nil {
		return out, err
	}
	defer backend.Finalize()
	store := model.NewStore()
	if _, err := checkpoint.Build(store).Dir(cfg.CheckpointDir).Immediate().Done(); err != nil {
		return out, fmt.Errorf("gonbext: loading checkpoint %q: %w", cfg.CheckpointDir, err)
	}
	modelFn := spec.ModelFn(models.Options{Conv: cfg.Conv})
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, images *graph.Node) *graph.Node {
		if images.DType().IsFloat() && images.DType() != dtype {
			images = graph.ConvertDType(images, dtype)
		}
		return graph.ConvertDType(modelFn(scope, images), dtypes.Float32)
	})
	if err != nil {
		return out, err
	}
	defer exec.Finalize()
	out.H, out.W, out.C = ds.ImageShape()
	for b, err := range ds.Batches(0, 0) {
		if err != nil {
			return out, err
		}
		tb := ds.ToTrainBatch(b)
		logitsT, err := exec.Call1(tb.Inputs[0])
		_ = tb.Finalize()
		if err != nil {
			return out, err
		}
		logits, err := tensors.CopyFlatData[float32](logitsT)
		_ = logitsT.FinalizeAll()
		if err != nil {
			return out, err
		}
		out.Logits = append(out.Logits, logits...)
		for _, l := range b.Labels {
			out.Labels = append(out.Labels, float32(l))
		}
		if keep := MaxSamples - len(out.Rows); keep > 0 {
			out.Samples = append(out.Samples, b.Images[:min(keep, len(b.Rows))*out.H*out.W*out.C]...)
		}
		out.Rows = append(out.Rows, b.Rows...)
	}
	return out, nil
}

// DisplayEvaluation shows the ROC curve, the confusion matrix (threshold:
// logit 0, probability 0.5) and a grid of sample predictions (up to n of
// p.Samples, framed green when right and red when wrong).
func DisplayEvaluation(p Predictions, n int) {
	if !enabled {
		return
	}
	tn, fp, fn, tp := Confusion(p.Logits, p.Labels, 0)
	DisplayHTML(`<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:center">` + ROCSVG(p.Logits, p.Labels, ChartOptions{}) +
		ConfusionHTML(tn, fp, fn, tp, ClassNames) + `</div>`)
	ims, err := BatchImages(p.Samples, p.H, p.W, p.C)
	if err != nil {
		DisplayHTML("<pre>" + esc(err.Error()) + "</pre>")
		return
	}
	var tiles []Tile
	for i := range min(n, len(ims)) {
		pred, truth := p.Logits[i] > 0, p.Labels[i] > 0.5
		border := "#2ca02c"
		if pred != truth {
			border = "#d62728"
		}
		tiles = append(tiles, Tile{Image: ims[i], Border: border,
			Caption: fmt.Sprintf("%s · p=%.2f", ClassNames[b2i(truth)], p.Probability(i))})
	}
	DisplayTiles(tiles, GridOptions{Title: "sample predictions (caption: true class · predicted tumour probability; red = wrong)"})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
