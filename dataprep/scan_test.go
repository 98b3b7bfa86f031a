package dataprep

import (
	"fmt"
	"reflect"
	"testing"
)

// img returns a 10×10×1 image (100 bytes) whose bytes add up to sum, so its
// mean intensity is sum/100.
func img(sum int, salt byte) []byte {
	b := make([]byte, 100)
	for i := range b {
		v := min(sum, 255)
		b[i] = byte(v)
		sum -= v
	}
	if sum != 0 {
		panic("sum too large")
	}
	// Make images with the same sum differ without changing the sum.
	if salt > 0 && b[0] >= salt && b[99] <= 255-salt {
		b[0] -= salt
		b[99] += salt
	}
	return b
}

func memSource(imgs ...[]byte) *MemSource {
	var all []byte
	for _, m := range imgs {
		all = append(all, m...)
	}
	return &MemSource{Images: all, ImageSize: len(imgs[0])}
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		name string
		sum  int // of 100 bytes: mean = sum/100
		want int
	}{
		{"mean 0", 0, -1},
		{"mean 9.99", 999, -1},
		{"mean exactly 10", 1000, 0},
		{"mean 10.01", 1001, 0},
		{"mean 128", 12800, 0},
		{"mean exactly 245", 24500, 0},
		{"mean 245.01", 24501, 1},
		{"mean 255", 25500, 1},
	}
	th := DefaultThresholds()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := MeanIntensity(img(tc.sum, 0))
			if got := th.Classify(m); got != tc.want {
				t.Errorf("mean %v: Classify = %d, want %d", m, got, tc.want)
			}
		})
	}
}

func TestAnalyze(t *testing.T) {
	// Row: content
	//  0 normal A      1 dark D (9.99)   2 copy of D   3 bright B (245.01)
	//  4 copy of A     5 exactly 10      6 exactly 245 7 copy of B
	//  8 copy of D
	A, D, B := img(5000, 0), img(999, 0), img(24501, 0)
	ten, top := img(1000, 1), img(24500, 2)
	src := memSource(A, D, D, B, A, ten, top, B, D)
	wantDupOf := []int{-1, -1, 1, -1, 0, -1, -1, 3, 1}
	for _, o := range []BatchOptions{{Batch: 1}, {Batch: 2, BlockRows: 1}, {Batch: 4}, {Batch: 50000}, {Batch: 3, BlockRows: 2, Workers: 3}} {
		t.Run(fmt.Sprintf("batch%d_block%d", o.Batch, o.BlockRows), func(t *testing.T) {
			c, err := Analyze(src, CleanOptions{BatchOptions: o, Thresholds: DefaultThresholds()})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Duplicates.Of, wantDupOf) || c.Duplicates.Count != 4 {
				t.Errorf("duplicates %v (count %d), want %v", c.Duplicates.Of, c.Duplicates.Count, wantDupOf)
			}
			// Copies of the dark and bright images count only as duplicates.
			if !reflect.DeepEqual(c.TooDark, []int{1}) || !reflect.DeepEqual(c.TooBright, []int{3}) {
				t.Errorf("too dark %v, too bright %v", c.TooDark, c.TooBright)
			}
			if !reflect.DeepEqual(c.Kept, []int{0, 5, 6}) {
				t.Errorf("kept %v, want [0 5 6]", c.Kept)
			}
			// The fused pass equals the guide's cells run one by one.
			fps, err := Fingerprints(src, o)
			if err != nil {
				t.Fatal(err)
			}
			dups, err := FindDuplicates(src, fps)
			if err != nil {
				t.Fatal(err)
			}
			first := dups.FirstOccurrences()
			means, err := MeanIntensities(src, first, o)
			if err != nil {
				t.Fatal(err)
			}
			kept, dark, bright := IntensityFilter(first, means, DefaultThresholds())
			if !reflect.DeepEqual(kept, c.Kept) || !reflect.DeepEqual(dark, c.TooDark) || !reflect.DeepEqual(bright, c.TooBright) || !reflect.DeepEqual(fps, c.Fingerprints) {
				t.Errorf("cell by cell: kept %v dark %v bright %v; fused: %v %v %v", kept, dark, bright, c.Kept, c.TooDark, c.TooBright)
			}
		})
	}
}

// collidingSource reports the same fingerprint for different images, to check
// that FindDuplicates compares bytes rather than trusting the hash.
func TestFindDuplicatesComparesBytes(t *testing.T) {
	a, b := img(3000, 0), img(3000, 5)
	src := memSource(a, b, a, b)
	fps := []Fingerprint{7, 7, 7, 7} // every row "collides"
	d, err := FindDuplicates(src, fps)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{-1, -1, 0, 1}; !reflect.DeepEqual(d.Of, want) {
		t.Errorf("Of = %v, want %v", d.Of, want)
	}
	if pairs := d.Pairs(10); !reflect.DeepEqual(pairs, [][2]int{{2, 0}, {3, 1}}) {
		t.Errorf("Pairs = %v", pairs)
	}
}

func TestThresholdsValidate(t *testing.T) {
	for _, tc := range []struct {
		th Thresholds
		ok bool
	}{{Thresholds{10, 245}, true}, {Thresholds{0, 255}, true}, {Thresholds{50, 40}, false}, {Thresholds{-1, 245}, false}, {Thresholds{10, 300}, false}} {
		if err := tc.th.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v", tc.th, err)
		}
	}
}

func ExampleThresholds_Classify() {
	th := DefaultThresholds()
	for _, mean := range []float64{9.99, 10, 128, 245, 245.01} {
		fmt.Println(mean, th.Classify(mean))
	}
	// Output:
	// 9.99 -1
	// 10 0
	// 128 0
	// 245 0
	// 245.01 1
}
