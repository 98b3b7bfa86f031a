package vball

import (
	"math"
	"testing"
)

// blobs returns an h×w heatmap with value v on the given rectangles (x0, y0, x1, y1 inclusive).
func blobs(h, w int, v float32, rects ...[4]int) []float32 {
	out := make([]float32, h*w)
	for _, r := range rects {
		for y := r[1]; y <= r[3]; y++ {
			for x := r[0]; x <= r[2]; x++ {
				out[y*w+x] = v
			}
		}
	}
	return out
}

func TestBallPosition(t *testing.T) {
	const h, w = 20, 30
	tests := []struct {
		name   string
		heat   []float32
		x, y   float64
		wantOK bool
	}{
		{"empty", blobs(h, w, 0), 0, 0, false},
		{"at threshold is not above", blobs(h, w, 0.5, [4]int{1, 1, 2, 2}), 0, 0, false},
		{"single blob centre", blobs(h, w, 0.9, [4]int{10, 4, 12, 6}), 11, 5, true},
		{"largest of two", blobs(h, w, 0.9, [4]int{0, 0, 1, 1}, [4]int{20, 10, 24, 14}), 22, 12, true},
		{"diagonal neighbours join", blobs(h, w, 0.9, [4]int{0, 0, 0, 0}, [4]int{1, 1, 1, 1}, [4]int{2, 2, 2, 2}, [4]int{10, 10, 11, 10}), 1, 1, true},
	}
	for _, tc := range tests {
		x, y, ok := BallPosition(tc.heat, h, w, 0.5)
		if ok != tc.wantOK || (ok && (x != tc.x || y != tc.y)) {
			t.Errorf("%s: got (%g, %g, %t), want (%g, %g, %t)", tc.name, x, y, ok, tc.x, tc.y, tc.wantOK)
		}
	}
}

func TestCompareHeatmaps(t *testing.T) {
	const h, w = 40, 60
	ball := func(x, y int) []float32 { return blobs(h, w, 1, [4]int{x - 1, y - 1, x + 1, y + 1}) }
	none := blobs(h, w, 0)
	tests := []struct {
		name        string
		pred, truth []float32
		cfg         EvalConfig
		want        Confusion
	}{
		{"TP exact", ball(10, 10), ball(10, 10), EvalConfig{}, Confusion{TP: 1}},
		{"TP at 10 px", ball(20, 10), ball(10, 10), EvalConfig{}, Confusion{TP: 1}},
		{"FP1 beyond 10 px", ball(21, 10), ball(10, 10), EvalConfig{}, Confusion{FP1: 1}},
		{"FP1 after scaling to file pixels", ball(16, 10), ball(10, 10), EvalConfig{ScaleX: 2, ScaleY: 2}, Confusion{FP1: 1}},
		{"FP2", ball(10, 10), none, EvalConfig{}, Confusion{FP2: 1}},
		{"TN", none, none, EvalConfig{}, Confusion{TN: 1}},
		{"FN", none, ball(30, 30), EvalConfig{}, Confusion{FN: 1}},
		{"low prediction is no ball", blobs(h, w, 0.4, [4]int{9, 9, 11, 11}), ball(10, 10), EvalConfig{}, Confusion{FN: 1}},
	}
	for _, tc := range tests {
		if got := CompareHeatmaps(tc.pred, tc.truth, h, w, tc.cfg); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestConfusionScores(t *testing.T) {
	c := Confusion{TP: 6, FP1: 1, FP2: 1, TN: 1, FN: 1}
	tests := []struct {
		name      string
		got, want float64
	}{
		{"precision", c.Precision(), 6.0 / 8},
		{"recall", c.Recall(), 6.0 / 7},
		{"f1", c.F1(), 2 * (6.0 / 8) * (6.0 / 7) / (6.0/8 + 6.0/7)},
		{"accuracy", c.Accuracy(), 7.0 / 10},
		{"empty f1", Confusion{}.F1(), 0},
	}
	for _, tc := range tests {
		if math.Abs(tc.got-tc.want) > 1e-12 {
			t.Errorf("%s = %g, want %g", tc.name, tc.got, tc.want)
		}
	}
}

func TestCompareBatchLayout(t *testing.T) {
	// Two sequences of two frames, [N, H, W, Seq] layout: only (n=1, s=0) has a ball in both.
	const n, h, w, seq = 2, 4, 5, 2
	pred := make([]float32, n*h*w*seq)
	truth := make([]float32, n*h*w*seq)
	idx := func(i, y, x, s int) int { return ((i*h+y)*w+x)*seq + s }
	pred[idx(1, 2, 3, 0)], truth[idx(1, 2, 3, 0)] = 0.9, 1
	truth[idx(0, 1, 1, 1)] = 1 // Missed ball.
	got := CompareBatch(pred, truth, n, h, w, seq, EvalConfig{})
	if want := (Confusion{TP: 1, FN: 1, TN: 2}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
