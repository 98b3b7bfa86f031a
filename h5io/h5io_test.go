package h5io

import (
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/hdf5"
)

// writeRaw writes each array (a Go slice) under its key with the given shape.
func writeRaw(t *testing.T, path string, arrays map[string]any, shapes map[string][]uint) {
	t.Helper()
	f, err := hdf5.CreateFile(path, hdf5.F_ACC_TRUNC)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for key, data := range arrays {
		dt, err := hdf5.NewDatatypeFromValue(firstElem(data))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := hdf5.CreateSimpleDataspace(shapes[key], nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.CreateDataset(key, dt, sp)
		if err != nil {
			t.Fatal(err)
		}
		switch v := data.(type) {
		case []uint8:
			err = d.Write(&v)
		case []float32:
			err = d.Write(&v)
		case []int64:
			err = d.Write(&v)
		case []int8:
			err = d.Write(&v)
		}
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		sp.Close()
	}
}

func firstElem(data any) any {
	switch v := data.(type) {
	case []uint8:
		return v[0]
	case []float32:
		return v[0]
	case []int64:
		return v[0]
	case []int8:
		return v[0]
	}
	panic("unsupported")
}

const h, w, c = 4, 5, 3

func images(n int) []uint8 {
	x := make([]uint8, n*h*w*c)
	for i := range x {
		x[i] = uint8(i * 7)
	}
	return x
}

func TestOpenAndRead(t *testing.T) {
	dir := t.TempDir()
	xp, yp := filepath.Join(dir, "x.h5"), filepath.Join(dir, "y.h5")
	writeRaw(t, xp, map[string]any{"x": images(6)}, map[string][]uint{"x": {6, h, w, c}})
	writeRaw(t, yp, map[string]any{"y": []uint8{0, 1, 1, 0, 1, 0}}, map[string][]uint{"y": {6, 1, 1, 1}})
	s, err := Open(xp, yp)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Direct() {
		t.Error("contiguous uint8 images should be read directly")
	}
	if s.N != 6 || s.H != h || s.W != w || s.C != c || s.YDType.String() != "uint8" {
		t.Fatalf("got N=%d %dx%dx%d y=%s", s.N, s.H, s.W, s.C, s.YDType)
	}
	labels, err := s.Labels()
	if err != nil || string(labels) != string([]uint8{0, 1, 1, 0, 1, 0}) {
		t.Fatalf("labels %v %v", labels, err)
	}
	all := images(6)
	ib := h * w * c
	buf := make([]byte, 2*ib)
	if err := s.ReadX(3, 2, buf); err != nil {
		t.Fatal(err)
	}
	if string(buf) != string(all[3*ib:5*ib]) {
		t.Fatal("ReadX returned the wrong rows")
	}
	buf3 := make([]byte, 3*ib)
	if err := s.ReadRows([]int{5, 0, 1}, buf3); err != nil {
		t.Fatal(err)
	}
	want := string(all[5*ib:6*ib]) + string(all[0:2*ib])
	if string(buf3) != want {
		t.Fatal("ReadRows returned the wrong rows")
	}
	if err := s.ReadX(5, 2, buf); err == nil {
		t.Fatal("reading past the end should fail")
	}
}

func TestWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "clean.h5")
	// Labels stored as int64 in the input must stay int64 in the output.
	in := filepath.Join(dir, "in.h5")
	writeRaw(t, in, map[string]any{"x": images(3), "y": []int64{1, 0, 1}}, map[string][]uint{"x": {3, h, w, c}, "y": {3}})
	src, err := Open(in, "")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	wr, err := Create(out, Layout{N: 2, H: h, W: w, C: c, X: true, Y: true, Index: true, YLike: src, ChunkRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	ib := h * w * c
	all := images(3)
	if err := wr.WriteX(0, all[ib:3*ib]); err != nil {
		t.Fatal(err)
	}
	if err := wr.WriteY(0, []uint8{0, 1}); err != nil {
		t.Fatal(err)
	}
	if err := wr.WriteIndex(0, []int64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("output visible before Commit")
	}
	if err := wr.Commit(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(out, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Direct() {
		t.Error("unfiltered row chunks should be read directly")
	}
	if !s.HasIndex || s.N != 2 || s.YDType.String() != "int64" || len(s.YShape) != 1 {
		t.Fatalf("round trip: N=%d index=%v y=%s %v", s.N, s.HasIndex, s.YDType, s.YShape)
	}
	idx, _ := s.Index()
	labels, _ := s.Labels()
	if idx[0] != 1 || idx[1] != 2 || labels[0] != 0 || labels[1] != 1 {
		t.Fatalf("index %v labels %v", idx, labels)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

func TestWriterAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	wr, err := Create(filepath.Join(dir, "o.h5"), Layout{N: 2, H: h, W: w, C: c, X: true})
	if err != nil {
		t.Fatal(err)
	}
	wr.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Abort left %v", entries)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	good := images(3)
	shape := map[string][]uint{"x": {3, h, w, c}, "y": {3, 1, 1, 1}}
	writeRaw(t, p("good.h5"), map[string]any{"x": good, "y": []uint8{0, 1, 0}}, shape)
	writeRaw(t, p("nokey.h5"), map[string]any{"images": good, "y": []uint8{0, 1, 0}}, map[string][]uint{"images": {3, h, w, c}, "y": {3, 1, 1, 1}})
	writeRaw(t, p("rank.h5"), map[string]any{"x": good, "y": []uint8{0, 1, 0}}, map[string][]uint{"x": {3, h * w * c}, "y": {3, 1, 1, 1}})
	writeRaw(t, p("float.h5"), map[string]any{"x": make([]float32, 3*h*w*c), "y": []uint8{0, 1, 0}}, shape)
	writeRaw(t, p("count.h5"), map[string]any{"x": good, "y": []uint8{0, 1}}, map[string][]uint{"x": {3, h, w, c}, "y": {2, 1, 1, 1}})
	writeRaw(t, p("label2.h5"), map[string]any{"x": good, "y": []uint8{0, 2, 0}}, shape)
	writeRaw(t, p("neg.h5"), map[string]any{"x": good, "y": []int8{0, -1, 0}}, shape)
	writeRaw(t, p("ywide.h5"), map[string]any{"x": good, "y": []uint8{0, 1, 0, 1, 0, 1}}, map[string][]uint{"x": {3, h, w, c}, "y": {3, 2}})
	os.WriteFile(p("text.h5"), []byte("this is not hdf5 at all, just text\n"), 0o644)
	os.WriteFile(p("empty.h5"), nil, 0o644)
	data, _ := os.ReadFile(p("good.h5"))
	os.WriteFile(p("trunc.h5"), data[:len(data)/2], 0o644)
	gz, _ := os.Create(p("good.h5.gz"))
	zw := gzip.NewWriter(gz)
	zw.Write(data)
	zw.Close()
	gz.Close()
	// An empty split: the rows dimension is 0.
	fe, _ := hdf5.CreateFile(p("zero.h5"), hdf5.F_ACC_TRUNC)
	for _, k := range []string{"x", "y"} {
		dims := []uint{0, h, w, c}
		if k == "y" {
			dims = []uint{0, 1, 1, 1}
		}
		sp, _ := hdf5.CreateSimpleDataspace(dims, nil)
		d, _ := fe.CreateDataset(k, hdf5.T_STD_U8LE, sp)
		d.Close()
		sp.Close()
	}
	fe.Close()

	tests := []struct {
		name, x, y string
		want       []string
	}{
		{"missing file", p("nope.h5"), "", []string{"nope.h5", "no such file"}},
		{"directory", dir, "", []string{"is a directory"}},
		{"not hdf5", p("text.h5"), "", []string{"text.h5", "not an HDF5 file"}},
		{"empty file", p("empty.h5"), "", []string{"empty.h5", "not an HDF5 file"}},
		{"gzip", p("good.h5.gz"), "", []string{"good.h5.gz", "gzip-compressed", "gunzip -k"}},
		{"truncated", p("trunc.h5"), "", []string{"trunc.h5", "truncated or corrupt"}},
		{"missing key", p("nokey.h5"), "", []string{"nokey.h5", `missing key "x"`, "images"}},
		{"wrong rank", p("rank.h5"), "", []string{"rank.h5", "rank 2", "N×H×W×C"}},
		{"wrong dtype", p("float.h5"), "", []string{"float.h5", "dtype float32", "want uint8"}},
		{"count mismatch", p("count.h5"), "", []string{"count.h5", "2 labels", "3 images"}},
		{"y not one per row", p("ywide.h5"), "", []string{"ywide.h5", "one label per image"}},
		{"empty split", p("zero.h5"), "", []string{"zero.h5", "empty split"}},
		{"y missing file", p("good.h5"), p("nope_y.h5"), []string{"nope_y.h5", "no such file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.x, tc.y)
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
	for _, tc := range []struct{ file, want string }{{"label2.h5", "row 1 has label 2"}, {"neg.h5", "row 1 has label -1"}} {
		s, err := Open(p(tc.file), "")
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		_, err = s.Labels()
		s.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
			t.Errorf("%s: Labels error %v, want %q", tc.file, err, tc.want)
		}
	}
}

func TestCompressedFallsBackToHDF5(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gz.h5")
	f, err := hdf5.CreateFile(path, hdf5.F_ACC_TRUNC)
	if err != nil {
		t.Fatal(err)
	}
	dcpl, _ := hdf5.NewPropList(hdf5.P_DATASET_CREATE)
	dcpl.SetChunk([]uint{2, h, w, c})
	dcpl.SetDeflate(6)
	sp, _ := hdf5.CreateSimpleDataspace([]uint{5, h, w, c}, nil)
	d, err := f.CreateDatasetWith("x", hdf5.T_STD_U8LE, sp, dcpl)
	if err != nil {
		t.Fatal(err)
	}
	x := images(5)
	if err := d.Write(&x); err != nil {
		t.Fatal(err)
	}
	d.Close()
	ysp, _ := hdf5.CreateSimpleDataspace([]uint{5}, nil)
	yd, _ := f.CreateDataset("y", hdf5.T_STD_U8LE, ysp)
	y := []uint8{1, 0, 1, 0, 1}
	yd.Write(&y)
	yd.Close()
	f.Close()
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Direct() {
		t.Fatal("compressed chunks must go through libhdf5")
	}
	got := make([]byte, len(x))
	if err := s.ReadX(0, 5, got); err != nil || string(got) != string(x) {
		t.Fatalf("read %v", err)
	}
}

func TestRawWriter(t *testing.T) {
	// Sizes chosen so the head, whole aligned blocks and the tail all occur,
	// and the last chunk is partial.
	const n, hh, ww, cc = 1201, 24, 24, 3
	ib := hh * ww * cc
	x := make([]byte, n*ib)
	for i := range x {
		x[i] = byte(i*31 + i/ib)
	}
	for _, raw := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "raw.h5")
		w, err := Create(path, Layout{N: n, H: hh, W: ww, C: cc, X: true, Y: true, RawX: raw, ChunkRows: 4})
		if err != nil {
			t.Fatal(err)
		}
		if w.Raw() != raw {
			t.Fatalf("RawX=%v but Raw()=%v", raw, w.Raw())
		}
		if raw && len(w.raw.segs) < 2 {
			t.Errorf("expected the chunk index to split the chunks into several segments, got %d", len(w.raw.segs))
		}
		for start := 0; start < n; start += 137 {
			end := min(start+137, n)
			if err := w.WriteX(start, x[start*ib:end*ib]); err != nil {
				t.Fatal(err)
			}
		}
		if raw {
			if err := w.WriteX(3, x[3*ib:4*ib]); err == nil {
				t.Error("out-of-order raw write accepted")
			}
		}
		w.WriteY(0, make([]uint8, n))
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(x))
		// Through libhdf5, not the raw reader.
		mu.Lock()
		err = s.readXLocked(0, n, got)
		mu.Unlock()
		if err != nil || string(got) != string(x) {
			t.Fatalf("raw=%v: images read back differ (%v)", raw, err)
		}
		s.Close()
		dump, err := exec.Command("h5dump", "-d", "x", "-s", "1200,23,23,0", "-c", "1,1,1,3", path).CombinedOutput()
		if err != nil {
			t.Fatalf("h5dump: %v %s", err, dump)
		}
		last := x[len(x)-3:]
		want := fmt.Sprintf("%d, %d, %d", last[0], last[1], last[2])
		if !strings.Contains(string(dump), want) {
			t.Errorf("h5dump of the last pixel lacks %q:\n%s", want, dump)
		}
	}
}

func TestRawWriterIncompleteFails(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "o.h5")
	w, err := Create(out, Layout{N: 10, H: h, W: w, C: c, X: true, RawX: true})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteX(0, images(4))
	if err := w.Commit(); err == nil || !strings.Contains(err.Error(), "only 4 of 10 rows") {
		t.Fatalf("Commit error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind %v", entries)
	}
}
