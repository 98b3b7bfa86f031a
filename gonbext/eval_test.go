package gonbext

import (
	"math"
	"strings"
	"testing"
)

func TestROC(t *testing.T) {
	tests := []struct {
		name    string
		scores  []float32
		labels  []float32
		auc     float64
		nPoints int
	}{
		{"perfect", []float32{0.9, 0.8, 0.2, 0.1}, []float32{1, 1, 0, 0}, 1, 5},
		{"reversed", []float32{0.9, 0.8, 0.2, 0.1}, []float32{0, 0, 1, 1}, 0, 5},
		{"all tied", []float32{0.5, 0.5, 0.5, 0.5}, []float32{0, 1, 0, 1}, 0.5, 2},
		{"mixed", []float32{4, 3, 2, 1}, []float32{1, 0, 1, 0}, 0.75, 5},
		{"one class", []float32{1, 2}, []float32{1, 1}, math.NaN(), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fpr, tpr, auc := ROC(tt.scores, tt.labels)
			if math.IsNaN(tt.auc) != math.IsNaN(auc) || (!math.IsNaN(auc) && math.Abs(auc-tt.auc) > 1e-9) {
				t.Errorf("auc = %g, want %g", auc, tt.auc)
			}
			if len(fpr) != tt.nPoints || len(tpr) != tt.nPoints {
				t.Errorf("%d points, want %d", len(fpr), tt.nPoints)
			}
			if fpr[0] != 0 || tpr[0] != 0 || fpr[len(fpr)-1] != 1 || tpr[len(tpr)-1] != 1 {
				t.Errorf("curve ends: %v %v", fpr, tpr)
			}
			svg := ROCSVG(tt.scores, tt.labels, ChartOptions{})
			c := parseXML(t, svg)
			if c["polyline"] != 2 || !strings.Contains(svg, "AUC") || !strings.Contains(svg, "false positive rate") {
				t.Errorf("svg: %v", c)
			}
		})
	}
}

func TestConfusion(t *testing.T) {
	scores := []float32{2, -1, 0.5, -3, 1}
	labels := []float32{1, 1, 0, 0, 1}
	tn, fp, fn, tp := Confusion(scores, labels, 0)
	if tn != 1 || fp != 1 || fn != 1 || tp != 2 {
		t.Fatalf("tn fp fn tp = %d %d %d %d", tn, fp, fn, tp)
	}
	h := ConfusionHTML(tn, fp, fn, tp, [2]string{"normal", "tumour"})
	c := parseXML(t, h)
	if c["td"] != 5 {
		t.Errorf("cells: %v", c)
	}
	for _, want := range []string{"predicted tumour", "true normal", "66.7%", "accuracy 0.600 over 5 images"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in %s", want, h)
		}
	}
	if h := ConfusionHTML(0, 0, 0, 0, [2]string{}); !strings.Contains(h, "predicted negative") {
		t.Error("default class names")
	}
}
