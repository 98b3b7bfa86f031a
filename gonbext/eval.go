package gonbext

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// ROC returns the ROC curve of scores (higher = more positive) against 0/1
// labels: false- and true-positive rates from (0,0) to (1,1), one point per
// distinct score, and the area under it (trapezoids; NaN with one class).
func ROC(scores, labels []float32) (fpr, tpr []float64, auc float64) {
	n := min(len(scores), len(labels))
	idx := make([]int, n)
	var pos, neg float64
	for i := range idx {
		idx[i] = i
		if labels[i] > 0.5 {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return []float64{0, 1}, []float64{0, 1}, math.NaN()
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	fpr, tpr = []float64{0}, []float64{0}
	var tp, fp float64
	for k := 0; k < n; {
		s := scores[idx[k]]
		for ; k < n && scores[idx[k]] == s; k++ {
			if labels[idx[k]] > 0.5 {
				tp++
			} else {
				fp++
			}
		}
		fpr, tpr = append(fpr, fp/neg), append(tpr, tp/pos)
	}
	for i := 1; i < len(fpr); i++ {
		auc += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
	}
	return fpr, tpr, auc
}

// ROCSVG draws the ROC curve with the chance diagonal; the legend gives the AUC.
func ROCSVG(scores, labels []float32, o ChartOptions) string {
	fpr, tpr, auc := ROC(scores, labels)
	if o.Title == "" {
		o.Title = "ROC curve"
	}
	if o.XLabel == "" {
		o.XLabel = "false positive rate"
	}
	if o.YLabel == "" {
		o.YLabel = "true positive rate"
	}
	if o.Width == 0 {
		o.Width, o.Height = 420, 400
	}
	o.YMin, o.YMax = 0, 1
	return LineChartSVG([]Series{
		{Name: fmt.Sprintf("model (AUC %.3f)", auc), X: fpr, Y: tpr},
		{Name: "chance", X: []float64{0, 1}, Y: []float64{0, 1}, Color: "#999", Dash: true},
	}, o)
}

// Confusion counts predictions (score > threshold is positive) against 0/1
// labels.
func Confusion(scores, labels []float32, threshold float32) (tn, fp, fn, tp int) {
	for i := range min(len(scores), len(labels)) {
		p, y := scores[i] > threshold, labels[i] > 0.5
		switch {
		case p && y:
			tp++
		case p:
			fp++
		case y:
			fn++
		default:
			tn++
		}
	}
	return
}

// ConfusionHTML renders a 2×2 confusion matrix (rows: true class, columns:
// predicted class), cells shaded by their share of their row.
func ConfusionHTML(tn, fp, fn, tp int, classes [2]string) string {
	if classes[0] == "" {
		classes = [2]string{"negative", "positive"}
	}
	cell := func(v, rowTotal int, good bool) string {
		share := 0.0
		if rowTotal > 0 {
			share = float64(v) / float64(rowTotal)
		}
		rgb := "44,160,44"
		if !good {
			rgb = "214,39,40"
		}
		return fmt.Sprintf(`<td class="cm" style="padding:8px 16px;text-align:center;background:rgba(%s,%.2f)">%d<br/><small>%.1f%%</small></td>`, rgb, 0.15+0.6*share, v, 100*share)
	}
	var b strings.Builder
	b.WriteString(`<table class="gonbext-confusion" style="border-collapse:collapse;font-family:sans-serif;font-size:13px">`)
	fmt.Fprintf(&b, `<tr><th></th><th style="padding:4px 12px">predicted %s</th><th style="padding:4px 12px">predicted %s</th></tr>`, esc(classes[0]), esc(classes[1]))
	fmt.Fprintf(&b, `<tr><th style="padding:4px 12px;text-align:right">true %s</th>%s%s</tr>`, esc(classes[0]), cell(tn, tn+fp, true), cell(fp, tn+fp, false))
	fmt.Fprintf(&b, `<tr><th style="padding:4px 12px;text-align:right">true %s</th>%s%s</tr>`, esc(classes[1]), cell(fn, fn+tp, false), cell(tp, fn+tp, true))
	n := tn + fp + fn + tp
	acc := 0.0
	if n > 0 {
		acc = float64(tn+tp) / float64(n)
	}
	fmt.Fprintf(&b, `<tr><td colspan="3" style="padding:4px 12px">accuracy %.3f over %d images</td></tr></table>`, acc, n)
	return b.String()
}

// DisplayROC shows ROCSVG.
func DisplayROC(scores, labels []float32, o ChartOptions) { DisplaySVG(ROCSVG(scores, labels, o)) }

// DisplayConfusion shows the confusion matrix of scores at threshold.
func DisplayConfusion(scores, labels []float32, threshold float32) {
	tn, fp, fn, tp := Confusion(scores, labels, threshold)
	DisplayHTML(ConfusionHTML(tn, fp, fn, tp, [2]string{"normal", "tumour"}))
}
