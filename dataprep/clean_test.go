package dataprep

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pcamgo/pcamgo/h5io"
)

func generateSplit(t *testing.T, dir string, n int, seed uint64) (x, y string, plan GenerationPlan) {
	t.Helper()
	o := DefaultGenerateOptions(n, seed, "train")
	o.DupRate, o.DarkRate, o.BrightRate = 0.05, 0.03, 0.03 // plant more, so a small split has several of each
	plan, err := Generate(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	xn, yn := FileNames("train")
	return filepath.Join(dir, xn), filepath.Join(dir, yn), plan
}

func TestGenerateCleanEndToEnd(t *testing.T) {
	dir := t.TempDir()
	x, y, plan := generateSplit(t, dir, 1500, 11)
	if plan.Duplicates == 0 || plan.Dark == 0 || plan.Bright == 0 {
		t.Fatalf("plan has nothing to clean: %+v", plan)
	}
	out := filepath.Join(dir, "cleaned.h5")
	o := DefaultCleanOptions()
	o.Batch = 500 // several batches, as the guide's 50,000 would on the full split
	rep, err := Clean(x, y, out, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 1500 || rep.Duplicates != plan.Duplicates || rep.TooDark != plan.Dark || rep.TooBright != plan.Bright || rep.Kept != plan.Kept {
		t.Fatalf("report %+v, plan %d dup %d dark %d bright %d kept", rep, plan.Duplicates, plan.Dark, plan.Bright, plan.Kept)
	}
	if rep.Kept != rep.Total-rep.Duplicates-rep.TooDark-rep.TooBright {
		t.Fatal("kept != total - duplicates - too_dark - too_bright")
	}
	// The output holds exactly the planned normal rows, with their images and labels.
	in, err := h5io.Open(x, y)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cl, err := h5io.Open(out, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	idx, _ := cl.Index()
	labels, _ := cl.Labels()
	var want []int64
	for i, r := range plan.Rows {
		if r.Kind == Normal {
			want = append(want, int64(i))
		}
	}
	if len(idx) != len(want) {
		t.Fatalf("index has %d rows, want %d", len(idx), len(want))
	}
	ib := in.ImageBytes()
	a, b := make([]byte, ib), make([]byte, ib)
	for k := range want {
		if idx[k] != want[k] {
			t.Fatalf("index[%d] = %d, want %d", k, idx[k], want[k])
		}
		if labels[k] != plan.Rows[want[k]].Label {
			t.Fatalf("label of kept row %d wrong", k)
		}
		if k%97 == 0 {
			in.ReadX(int(idx[k]), 1, a)
			cl.ReadX(k, 1, b)
			if !bytes.Equal(a, b) {
				t.Fatalf("image of kept row %d differs from original row %d", k, idx[k])
			}
		}
	}
	// h5dump, the HDF5 reference tool, reads the same layout.
	dump, err := exec.Command("h5dump", "-H", out).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump (Debian hdf5-tools; `make deps` installs it): %v\n%s", err, dump)
	}
	for _, w := range []string{`DATASET "x"`, "H5T_STD_U8LE", `DATASET "y"`, `DATASET "index"`, "H5T_STD_I64LE", "( 1" /* rows */} {
		if !strings.Contains(string(dump), w) {
			t.Errorf("h5dump output lacks %q:\n%s", w, dump)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	read := func(dir string) []byte {
		x, y, _ := generateSplit(t, dir, 300, 5)
		s, err := h5io.Open(x, y)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		buf := make([]byte, s.XBytes())
		s.ReadX(0, s.N, buf)
		l, _ := s.Labels()
		return append(buf, l...)
	}
	if !bytes.Equal(read(t.TempDir()), read(t.TempDir())) {
		t.Fatal("same seed gave different data")
	}
	// Each split has its own stream: valid is not a copy of train.
	tr, va := Plan(DefaultGenerateOptions(300, 5, "train")), Plan(DefaultGenerateOptions(300, 5, "valid"))
	if reflect.DeepEqual(tr.Rows, va.Rows) {
		t.Fatal("valid split planned exactly like train")
	}
}

func TestCleanBadInputLeavesNoOutput(t *testing.T) {
	dir := t.TempDir()
	x, y, _ := generateSplit(t, dir, 50, 3)
	bad := filepath.Join(dir, "labels2.h5")
	w, err := h5io.Create(bad, h5io.Layout{N: 50, H: 96, W: 96, C: 3, Y: true})
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]uint8, 50)
	labels[7] = 2
	w.WriteY(0, labels)
	w.Commit()
	tests := []struct {
		name, x, y string
		o          CleanOptions
		want       string
	}{
		{"label 2", x, bad, DefaultCleanOptions(), "row 7 has label 2"},
		{"missing y", x, filepath.Join(dir, "nope.h5"), DefaultCleanOptions(), "no such file"},
		{"y as x", y, "", DefaultCleanOptions(), `missing key "x"`},
		{"thresholds", x, y, CleanOptions{Thresholds: Thresholds{Dark: 200, Bright: 100}}, "--dark"},
		{"everything dropped", x, y, CleanOptions{Thresholds: Thresholds{Dark: 255, Bright: 255}}, "every image was dropped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "_")+".h5")
			_, err := Clean(tc.x, tc.y, out, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Clean error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("output file left behind")
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
