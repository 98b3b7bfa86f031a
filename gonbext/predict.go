package gonbext

import (
	"fmt"
	"math"

	"github.com/pcamgo/pcamgo/datasets"
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
// the labels and rows (see trainer.LoadPredictor).
func Predict(cfg trainer.Config, ds *datasets.PCam) (Predictions, error) {
	var out Predictions
	p, err := trainer.LoadPredictor(cfg)
	if err != nil {
		return out, err
	}
	defer p.Close()
	out.H, out.W, out.C = ds.ImageShape()
	for b, err := range ds.Batches(0, 0) {
		if err != nil {
			return out, err
		}
		tb := ds.ToTrainBatch(b)
		logits, err := p.Logits(tb.Inputs[0])
		_ = tb.Finalize()
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
