package dataprep

import (
	"fmt"
	"reflect"
	"testing"
)

func TestStratifiedSubsample(t *testing.T) {
	labels := make([]uint8, 1000)
	for i := range labels {
		if i%4 == 0 {
			labels[i] = 1 // 25% positive
		}
	}
	for _, frac := range []float64{0.1, 0.5, 1} {
		rows, err := StratifiedSubsample(labels, frac, 42)
		if err != nil {
			t.Fatal(err)
		}
		sub := make([]uint8, len(rows))
		for i, r := range rows {
			sub[i] = labels[r]
			if i > 0 && rows[i-1] >= r {
				t.Fatal("rows not strictly ascending")
			}
		}
		neg, pos := ClassBalance(sub)
		if pos != int(250*frac+0.5) || neg != int(750*frac+0.5) {
			t.Errorf("fraction %g: %d pos %d neg", frac, pos, neg)
		}
		again, _ := StratifiedSubsample(labels, frac, 42)
		if !reflect.DeepEqual(rows, again) {
			t.Error("same seed, different rows")
		}
	}
	a, _ := StratifiedSubsample(labels, 0.5, 1)
	b, _ := StratifiedSubsample(labels, 0.5, 2)
	if reflect.DeepEqual(a, b) {
		t.Error("different seeds, same rows")
	}
	for _, bad := range []float64{0, -0.5, 1.5} {
		if _, err := StratifiedSubsample(labels, bad, 1); err == nil {
			t.Errorf("fraction %g accepted", bad)
		}
	}
}

func ExampleStratifiedSubsample() {
	labels := []uint8{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	rows, _ := StratifiedSubsample(labels, 0.5, 42)
	sub := make([]uint8, len(rows))
	for i, r := range rows {
		sub[i] = labels[r]
	}
	neg, pos := ClassBalance(sub)
	fmt.Println(len(rows), "rows:", neg, "negative,", pos, "positive")
	// Output: 5 rows: 2 negative, 3 positive
}
