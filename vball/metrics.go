package vball

import (
	"fmt"
	"math"
)

// Metric defaults of train_v3.py / TrackNet.
const (
	DefaultThreshold = 0.5
	DefaultTolerance = 10.0 // Pixels, in the frame files' resolution.
)

// Confusion counts TrackNet's detection outcomes over frames.
type Confusion struct {
	TP  int `json:"tp"`  // Ball present and predicted within the tolerance.
	FP1 int `json:"fp1"` // Ball present and predicted, but too far.
	FP2 int `json:"fp2"` // Ball predicted, none present.
	TN  int `json:"tn"`  // No ball, none predicted.
	FN  int `json:"fn"`  // Ball present, none predicted.
}

// Add accumulates other into c.
func (c *Confusion) Add(o Confusion) {
	c.TP += o.TP
	c.FP1 += o.FP1
	c.FP2 += o.FP2
	c.TN += o.TN
	c.FN += o.FN
}

// Total is the number of frames counted.
func (c Confusion) Total() int { return c.TP + c.FP1 + c.FP2 + c.TN + c.FN }

// Precision = TP / (TP + FP1 + FP2) (0 when nothing was predicted).
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP1+c.FP2) }

// Recall = TP / (TP + FN) (0 when no ball was present... and nothing missed).
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall.
func (c Confusion) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Accuracy = (TP + TN) / total.
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.Total()) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// String formats the counts and scores.
func (c Confusion) String() string {
	return fmt.Sprintf("TP=%d FP1=%d FP2=%d TN=%d FN=%d precision=%.4f recall=%.4f F1=%.4f accuracy=%.4f",
		c.TP, c.FP1, c.FP2, c.TN, c.FN, c.Precision(), c.Recall(), c.F1(), c.Accuracy())
}

// BallPosition thresholds a heatmap [h·w] (values in [0, 1]) at threshold and returns the centre
// of the bounding box of the largest 8-connected blob above it (as OpenCV's boundingRect on the
// largest contour in TrackNet), or ok=false when no pixel exceeds the threshold.
func BallPosition(heat []float32, h, w int, threshold float64) (x, y float64, ok bool) {
	label := make([]int32, h*w)
	var stack []int
	bestArea := 0
	var best [4]int // minX, minY, maxX, maxY.
	cur := int32(0)
	for start := range heat {
		if label[start] != 0 || float64(heat[start]) <= threshold {
			continue
		}
		cur++
		label[start] = cur
		stack = append(stack[:0], start)
		area := 0
		bb := [4]int{w, h, -1, -1}
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			area++
			px, py := p%w, p/w
			bb[0], bb[1], bb[2], bb[3] = min(bb[0], px), min(bb[1], py), max(bb[2], px), max(bb[3], py)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := px+dx, py+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					q := ny*w + nx
					if label[q] == 0 && float64(heat[q]) > threshold {
						label[q] = cur
						stack = append(stack, q)
					}
				}
			}
		}
		if area > bestArea {
			bestArea, best = area, bb
		}
	}
	if bestArea == 0 {
		return 0, 0, false
	}
	return float64(best[0]+best[2]) / 2, float64(best[1]+best[3]) / 2, true
}

// EvalConfig configures Evaluate / CompareHeatmaps.
type EvalConfig struct {
	Threshold float64 // Default 0.5.
	Tolerance float64 // Pixels in the original resolution (default 10).
	// ScaleX, ScaleY convert heatmap pixels to original pixels (original/heatmap size; default 1).
	ScaleX, ScaleY float64
}

func (e *EvalConfig) defaults() {
	if e.Threshold == 0 {
		e.Threshold = DefaultThreshold
	}
	if e.Tolerance == 0 {
		e.Tolerance = DefaultTolerance
	}
	if e.ScaleX == 0 {
		e.ScaleX = 1
	}
	if e.ScaleY == 0 {
		e.ScaleY = 1
	}
}

// CompareHeatmaps classifies one frame: predicted and true heatmaps [h·w] in [0, 1].
func CompareHeatmaps(pred, truth []float32, h, w int, cfg EvalConfig) Confusion {
	cfg.defaults()
	px, py, pOK := BallPosition(pred, h, w, cfg.Threshold)
	tx, ty, tOK := BallPosition(truth, h, w, cfg.Threshold)
	var c Confusion
	switch {
	case pOK && tOK:
		d := math.Hypot((px-tx)*cfg.ScaleX, (py-ty)*cfg.ScaleY)
		if d <= cfg.Tolerance {
			c.TP = 1
		} else {
			c.FP1 = 1
		}
	case pOK && !tOK:
		c.FP2 = 1
	case !pOK && tOK:
		c.FN = 1
	default:
		c.TN = 1
	}
	return c
}

// CompareBatch classifies every frame of a batch of heatmaps laid out [N, H, W, Seq]
// (the model's output and the labels).
func CompareBatch(pred, truth []float32, n, h, w, seq int, cfg EvalConfig) Confusion {
	var total Confusion
	p := make([]float32, h*w)
	t := make([]float32, h*w)
	for i := range n {
		for s := range seq {
			for k := range h * w {
				p[k] = pred[(i*h*w+k)*seq+s]
				t[k] = truth[(i*h*w+k)*seq+s]
			}
			total.Add(CompareHeatmaps(p, t, h, w, cfg))
		}
	}
	return total
}
