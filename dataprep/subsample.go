package dataprep

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// StratifiedSubsample keeps a fraction of the rows with the class balance
// preserved (guide Option 1, like sklearn's train_test_split with
// stratify=y). Each class keeps round(fraction × its count) rows chosen by a
// seeded shuffle; the result is sorted ascending.
func StratifiedSubsample(labels []uint8, fraction float64, seed uint64) ([]int, error) {
	if !(fraction > 0 && fraction <= 1) {
		return nil, fmt.Errorf("subsample: fraction %g must be in (0, 1]", fraction)
	}
	byClass := map[uint8][]int{}
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, int(c))
	}
	sort.Ints(classes)
	rng := rand.New(rand.NewPCG(seed, 0x0b7e1))
	var out []int
	for _, c := range classes {
		rows := byClass[uint8(c)]
		k := int(math.Round(fraction * float64(len(rows))))
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		out = append(out, rows[:k]...)
	}
	sort.Ints(out)
	return out, nil
}

// ClassBalance counts labels per class.
func ClassBalance(labels []uint8) (neg, pos int) {
	for _, l := range labels {
		if l == 1 {
			pos++
		} else {
			neg++
		}
	}
	return neg, pos
}
