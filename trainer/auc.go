package trainer

import (
	"math"
	"sort"
)

// ROCAUC returns the area under the ROC curve of scores against binary labels (label > 0.5 is
// positive), computed exactly as the Mann–Whitney U statistic with average ranks for ties
// (tied positive/negative pairs count 1/2), as sklearn.metrics.roc_auc_score does.
// It returns NaN when there are no positives or no negatives, or len(scores) != len(labels).
func ROCAUC(scores, labels []float32) float64 {
	n := len(scores)
	if n != len(labels) || n == 0 {
		return math.NaN()
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var sumPosRanks float64
	var nPos int
	for i := 0; i < n; {
		j := i
		for j+1 < n && scores[idx[j+1]] == scores[idx[i]] {
			j++
		}
		avgRank := float64(i+j)/2 + 1 // ranks are 1-based
		for k := i; k <= j; k++ {
			if labels[idx[k]] > 0.5 {
				sumPosRanks += avgRank
				nPos++
			}
		}
		i = j + 1
	}
	nNeg := n - nPos
	if nPos == 0 || nNeg == 0 {
		return math.NaN()
	}
	u := sumPosRanks - float64(nPos)*float64(nPos+1)/2
	return u / (float64(nPos) * float64(nNeg))
}
