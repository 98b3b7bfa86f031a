package vball

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// ballDataset writes one match, two rallies (5 and 4 frames) of h×w PNG frames: black with one
// white ball pixel at (x=i+1, y=i%h) in frame i, and a heatmap whose only non-zero pixel (255)
// is at the same place.
func ballDataset(t *testing.T, h, w int) string {
	t.Helper()
	root := t.TempDir()
	for r, n := range []int{5, 4} {
		rally := "rally" + strconv.Itoa(r)
		in := filepath.Join(root, TrainDir, "match1", "inputs", rally)
		hm := filepath.Join(root, TrainDir, "match1", "heatmaps", rally)
		for _, d := range []string{in, hm} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for i := range n {
			x, y := (i+1+r)%w, i%h
			f := make([]uint8, h*w*3)
			f[(y*w+x)*3], f[(y*w+x)*3+1], f[(y*w+x)*3+2] = 255, 255, 255
			m := make([]uint8, h*w)
			m[y*w+x] = 255
			name := strconv.Itoa(i) + ".png"
			if err := WriteImage(filepath.Join(in, name), f, h, w, 3); err != nil {
				t.Fatal(err)
			}
			if err := WriteImage(filepath.Join(hm, name), m, h, w, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func flat(t *testing.T, x *tensors.Tensor) []float32 {
	t.Helper()
	v, err := tensors.CopyFlatData[float32](x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPreloadAndDiskModesYieldIdenticalBatches(t *testing.T) {
	root := ballDataset(t, 8, 12)
	split, err := ScanSplit(filepath.Join(root, TrainDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, gray := range []bool{false, true} {
		cfg := DatasetConfig{Seq: 3, Grayscale: gray, Batch: 2, Shuffle: true, Flip: true, Seed: 7, CacheFrames: 2}
		disk, err := NewDataset("disk", split, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Preload = true
		mem, err := NewDataset("mem", split, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if disk.Len() != 5 || mem.Len() != 5 { // (5-2) + (4-2) windows.
			t.Fatalf("sequences %d / %d, want 5", disk.Len(), mem.Len())
		}
		for epoch := range 2 {
			var a, b [][]float32
			for batch, err := range disk.Iter() {
				if err != nil {
					t.Fatal(err)
				}
				a = append(a, flat(t, batch.Inputs[0]), flat(t, batch.Labels[0]))
			}
			for batch, err := range mem.Iter() {
				if err != nil {
					t.Fatal(err)
				}
				b = append(b, flat(t, batch.Inputs[0]), flat(t, batch.Labels[0]))
			}
			if len(a) != 6 || len(a) != len(b) { // 3 batches (2+2+1) × (inputs, labels).
				t.Fatalf("epoch %d: %d vs %d tensors", epoch, len(a), len(b))
			}
			for i := range a {
				if !slices.Equal(a[i], b[i]) {
					t.Fatalf("gray=%t epoch %d: tensor %d differs between disk and preload modes", gray, epoch, i)
				}
			}
		}
		if n, _, _ := disk.cache.stats(); n > 2 {
			t.Errorf("disk cache holds %d frames, bound 2", n)
		}
		// Exact uint8 bytes: 9 frames of 8×12×C and 9 heatmaps of 8×12.
		c := int64(3)
		if gray {
			c = 1
		}
		m := mem.Memory()
		fb, hb := mem.HeldBytes()
		if m.FramesBytes != 9*8*12*c || m.HeatmapsBytes != 9*8*12 || fb != m.FramesBytes || hb != m.HeatmapsBytes {
			t.Errorf("memory %+v, held %d/%d", m, fb, hb)
		}
		if m.Float32EquivalentBytes != 4*(m.FramesBytes+m.HeatmapsBytes) || m.SavingsPercent != 75 {
			t.Errorf("float32 equivalent %d, savings %.1f%%", m.Float32EquivalentBytes, m.SavingsPercent)
		}
	}
}

func TestFlipKeepsBallAndHeatmapAligned(t *testing.T) {
	const h, w = 6, 10
	root := ballDataset(t, h, w)
	split, err := ScanSplit(filepath.Join(root, TrainDir))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := NewDataset("flip", split, DatasetConfig{Seq: 3, Preload: true})
	if err != nil {
		t.Fatal(err)
	}
	argmax := func(v []uint8, stride, off int) (x, y int) {
		best := -1
		for p := range h * w {
			if int(v[p*stride+off]) > best {
				best, x, y = int(v[p*stride+off]), p%w, p/w
			}
		}
		return x, y
	}
	for i := range ds.Len() {
		f0, m0, err := ds.Sequence(i, false)
		if err != nil {
			t.Fatal(err)
		}
		f1, m1, err := ds.Sequence(i, true)
		if err != nil {
			t.Fatal(err)
		}
		for s := range 3 {
			bx, by := argmax(f0, 9, 3*s)
			hx, hy := argmax(m0, 3, s)
			fx, fy := argmax(f1, 9, 3*s+1)
			gx, gy := argmax(m1, 3, s)
			if bx != hx || by != hy {
				t.Fatalf("seq %d frame %d: ball at (%d,%d), heatmap at (%d,%d)", i, s, bx, by, hx, hy)
			}
			if fx != gx || fy != gy || fx != w-1-bx || fy != by {
				t.Fatalf("seq %d frame %d flipped: ball at (%d,%d), heatmap at (%d,%d), want (%d,%d)", i, s, fx, fy, gx, gy, w-1-bx, by)
			}
		}
	}
}

func TestResizeAtLoad(t *testing.T) {
	root := ballDataset(t, 8, 12)
	split, err := ScanSplit(filepath.Join(root, TrainDir))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := NewDataset("small", split, DatasetConfig{Seq: 2, Height: 4, Width: 8, Preload: true, Grayscale: true})
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := ds.MakeBatch([]int{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Shape().Dimensions; !slices.Equal(got, []int{2, 4, 8, 2}) {
		t.Errorf("inputs %v", got)
	}
	if got := y.Shape().Dimensions; !slices.Equal(got, []int{2, 4, 8, 2}) {
		t.Errorf("labels %v", got)
	}
	if m := ds.Memory(); m.FrameBytes != 32 || m.FramesBytes != 9*32 {
		t.Errorf("memory %+v", m)
	}
}
