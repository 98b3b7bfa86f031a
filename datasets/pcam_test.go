package datasets

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/pcamgo/pcamgo/dataprep"
)

// tinySplit writes a 16×16 synthetic split of n images and returns its paths.
func tinySplit(t *testing.T, n int) (x, y string) {
	t.Helper()
	dir := t.TempDir()
	o := dataprep.DefaultGenerateOptions(n, 9, "train")
	o.Size = 16
	if _, err := dataprep.Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	xn, yn := dataprep.FileNames("train")
	return filepath.Join(dir, xn), filepath.Join(dir, yn)
}

func collect(t *testing.T, d *PCam, epoch, start int) []Batch {
	t.Helper()
	var out []Batch
	for b, err := range d.Batches(epoch, start) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestEpochCoversEveryRowOnce(t *testing.T) {
	x, y := tinySplit(t, 103)
	for _, bs := range []int{1, 10, 64, 103, 500} {
		d, err := Open(x, y, Options{BatchSize: bs, Shuffle: true, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var rows []int
		for _, b := range collect(t, d, 0, 0) {
			rows = append(rows, b.Rows...)
			if len(b.Labels) > bs {
				t.Fatalf("batch of %d > %d", len(b.Labels), bs)
			}
		}
		slices.Sort(rows)
		for i, r := range rows {
			if r != i {
				t.Fatalf("batch %d: epoch rows %v… not a permutation of 0..102", bs, rows[:min(10, len(rows))])
			}
		}
		if len(rows) != 103 || d.NumBatches() != (103+bs-1)/bs {
			t.Fatalf("batch %d: %d rows, %d batches", bs, len(rows), d.NumBatches())
		}
		d.Close()
	}
}

func TestOrderDeterministic(t *testing.T) {
	x, y := tinySplit(t, 50)
	a, _ := Open(x, y, Options{Shuffle: true, Seed: 7})
	b, _ := Open(x, y, Options{Shuffle: true, Seed: 7})
	c, _ := Open(x, y, Options{Shuffle: true, Seed: 8})
	defer a.Close()
	defer b.Close()
	defer c.Close()
	if !reflect.DeepEqual(a.Order(0), b.Order(0)) || !reflect.DeepEqual(a.Order(3), b.Order(3)) {
		t.Error("same seed, different order")
	}
	if reflect.DeepEqual(a.Order(0), c.Order(0)) {
		t.Error("different seeds, same order")
	}
	if reflect.DeepEqual(a.Order(0), a.Order(1)) {
		t.Error("epochs 0 and 1 in the same order")
	}
	u, _ := Open(x, y, Options{})
	defer u.Close()
	if o := u.Order(5); !slices.IsSorted(o) {
		t.Error("unshuffled order is not the file order")
	}
}

func TestStreamEqualsPreload(t *testing.T) {
	x, y := tinySplit(t, 70)
	for _, aug := range []Augment{{}, DefaultAugment()} {
		o := Options{BatchSize: 16, Shuffle: true, Seed: 3, Augment: aug}
		pre, err := Open(x, y, o)
		if err != nil {
			t.Fatal(err)
		}
		o.Stream = true
		st, err := Open(x, y, o)
		if err != nil {
			t.Fatal(err)
		}
		for epoch := 0; epoch < 2; epoch++ {
			pb, sb := collect(t, pre, epoch, 0), collect(t, st, epoch, 0)
			if len(pb) != len(sb) {
				t.Fatal("different batch counts")
			}
			for i := range pb {
				if !bytes.Equal(pb[i].Images, sb[i].Images) || !reflect.DeepEqual(pb[i].Labels, sb[i].Labels) || !reflect.DeepEqual(pb[i].aug, sb[i].aug) {
					t.Fatalf("augment %v epoch %d batch %d: stream and preload differ", aug.Enabled(), epoch, i)
				}
			}
		}
		if m := pre.Memory(); m.HeldBytes != 70*16*16*3 || m.Mode != "preload" || m.Float32Bytes != 4*m.UInt8Bytes {
			t.Errorf("preload memory %+v", m)
		}
		if m := st.Memory(); m.HeldBytes != 0 || m.Mode != "stream" {
			t.Errorf("stream memory %+v", m)
		}
		pre.Close()
		st.Close()
	}
}

func TestAugmentationKeepsLabelsAndPixels(t *testing.T) {
	x, y := tinySplit(t, 40)
	plain, _ := Open(x, y, Options{BatchSize: 8, Shuffle: true, Seed: 5})
	// Flips and rotations only: each image's pixels are a permutation of the original's.
	aug, _ := Open(x, y, Options{BatchSize: 8, Shuffle: true, Seed: 5, Augment: Augment{Flips: true, Rotations: true}})
	defer plain.Close()
	defer aug.Close()
	labels := plain.Labels()
	pb, ab := collect(t, plain, 0, 0), collect(t, aug, 0, 0)
	changed := 0
	ib := 16 * 16 * 3
	for i := range pb {
		if !reflect.DeepEqual(pb[i].Rows, ab[i].Rows) || !reflect.DeepEqual(pb[i].Labels, ab[i].Labels) {
			t.Fatal("augmentation changed the order or the labels")
		}
		for k, r := range ab[i].Rows {
			if ab[i].Labels[k] != labels[r] {
				t.Fatalf("row %d: label %d, want %d", r, ab[i].Labels[k], labels[r])
			}
			p, a := pixels(pb[i].Images[k*ib:(k+1)*ib]), pixels(ab[i].Images[k*ib:(k+1)*ib])
			if !reflect.DeepEqual(p, a) {
				t.Fatalf("row %d: flips/rotations changed the pixel values", r)
			}
			if !bytes.Equal(pb[i].Images[k*ib:(k+1)*ib], ab[i].Images[k*ib:(k+1)*ib]) {
				changed++
			}
		}
	}
	if changed < 20 {
		t.Errorf("only %d of 40 images changed by augmentation", changed)
	}
}

// pixels returns the image's RGB triples, sorted.
func pixels(img []byte) []string {
	var out []string
	for i := 0; i < len(img); i += 3 {
		out = append(out, string(img[i:i+3]))
	}
	slices.Sort(out)
	return out
}

func TestQuarterTurnIsARotation(t *testing.T) {
	// 2×2 single-channel image: a b / c d.
	src := []byte{1, 2, 3, 4}
	dst := make([]byte, 4)
	turns := map[string]bool{}
	for r := 0; r < 4; r++ {
		imageAug{rot: r}.apply(dst, src, 2, 2, 1)
		turns[string(dst)] = true
	}
	if len(turns) != 4 {
		t.Fatalf("four quarter turns gave %d distinct images", len(turns))
	}
	imageAug{rot: 1}.apply(dst, src, 2, 2, 1)
	// Neighbours stay neighbours: 1 and 4 (a diagonal) must stay diagonal.
	pos := func(v byte) int { return bytes.IndexByte(dst, v) }
	if pos(1)+pos(4) != 3 {
		t.Errorf("quarter turn of [1 2 3 4] = %v is not a rotation", dst)
	}
}

func TestSetPositionResumes(t *testing.T) {
	x, y := tinySplit(t, 45)
	o := Options{BatchSize: 10, Shuffle: true, Seed: 11, Augment: DefaultAugment()}
	full, _ := Open(x, y, o)
	defer full.Close()
	var want [][]int
	for epoch := 0; epoch < 2; epoch++ {
		for b, err := range full.Iter() {
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, []int{int(b.Labels[0].Shape().Dimensions[0])})
			b.Finalize()
		}
	}
	resumed, _ := Open(x, y, o)
	defer resumed.Close()
	if err := resumed.SetPosition(1, 2); err != nil {
		t.Fatal(err)
	}
	got := collect(t, resumed, resumed.Epoch(), 2)
	ref := collect(t, full, 1, 0)[2:]
	if len(got) != len(ref) {
		t.Fatalf("resumed epoch has %d batches, want %d", len(got), len(ref))
	}
	for i := range got {
		if !bytes.Equal(got[i].Images, ref[i].Images) {
			t.Fatalf("resumed batch %d differs", i)
		}
	}
	if len(want) != 10 {
		t.Fatalf("two epochs of 45 at batch 10 gave %d batches", len(want))
	}
	if err := resumed.SetPosition(0, 99); err == nil {
		t.Error("position past the last batch accepted")
	}
}

func TestBatchTensors(t *testing.T) {
	x, y := tinySplit(t, 12)
	for _, tc := range []struct {
		dtype string
		want  dtypes.DType
	}{{"", dtypes.Float32}, {"float16", dtypes.Float16}, {"bfloat16", dtypes.BFloat16}} {
		d, err := Open(x, y, Options{BatchSize: 5, DType: tc.dtype})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for b, err := range d.Iter() {
			if err != nil {
				t.Fatal(err)
			}
			s := b.Inputs[0].Shape()
			if s.DType != tc.want || s.Rank() != 4 || s.Dimensions[1] != 16 || s.Dimensions[3] != 3 {
				t.Errorf("%q: images %s", tc.dtype, s)
			}
			if l := b.Labels[0].Shape(); l.DType != dtypes.Float32 || l.Rank() != 2 || l.Dimensions[1] != 1 {
				t.Errorf("labels %s", l)
			}
			n += s.Dimensions[0]
			b.Finalize()
		}
		if n != 12 {
			t.Errorf("%q: %d images in an epoch", tc.dtype, n)
		}
		m := d.Memory()
		if m.BatchBytes != int64(5*16*16*3*tc.want.Size()) {
			t.Errorf("%q: batch bytes %d", tc.dtype, m.BatchBytes)
		}
		d.Close()
	}
}

func TestErrors(t *testing.T) {
	x, y := tinySplit(t, 12)
	tests := []struct {
		o    Options
		want string
	}{
		{Options{DType: "int8"}, "unknown batch dtype"},
		{Options{BatchSize: -1}, "batch size"},
		{Options{Rows: []int{0, 12}}, "row 12 out of range"},
		{Options{Rows: []int{}}, "empty dataset"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := Open(x, y, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestHoldOut(t *testing.T) {
	tr, va, err := HoldOut(100, 0.1, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(va) != 10 || len(tr) != 90 {
		t.Fatalf("%d/%d", len(tr), len(va))
	}
	all := append(slices.Clone(tr), va...)
	slices.Sort(all)
	for i, r := range all {
		if r != i {
			t.Fatal("hold-out is not a partition")
		}
	}
	tr2, _, _ := HoldOut(100, 0.1, 42)
	if !reflect.DeepEqual(tr, tr2) {
		t.Error("same seed, different hold-out")
	}
	if _, _, err := HoldOut(100, 1, 1); err == nil {
		t.Error("fraction 1 accepted")
	}
}

func ExampleHoldOut() {
	trainRows, validRows, _ := HoldOut(1000, 0.1, 42)
	fmt.Println(len(trainRows), "train,", len(validRows), "valid")
	// Output: 900 train, 100 valid
}

func TestCloseAfterEarlyBreak(t *testing.T) {
	defer func(v int) { slabMmapMin = v }(slabMmapMin)
	slabMmapMin = 1 // preload into an mmap'ed slab, which Close unmaps
	x, y := tinySplit(t, 64)
	for i := 0; i < 20; i++ {
		d, err := Open(x, y, Options{BatchSize: 2, Shuffle: true, Seed: uint64(i), Augment: DefaultAugment(), Prefetch: 4})
		if err != nil {
			t.Fatal(err)
		}
		for b, err := range d.Iter() {
			if err != nil {
				t.Fatal(err)
			}
			b.Finalize()
			break // the producer is still preparing batches
		}
		d.Close() // must not race with the producer reading the slab
	}
}
