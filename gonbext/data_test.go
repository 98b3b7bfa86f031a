package gonbext

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcamgo/pcamgo/dataprep"
)

func TestQuickAndPick(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "0": false, "": false, "no": false} {
		t.Setenv(EnvQuick, v)
		if Quick() != want || Pick(1, 2) != map[bool]int{true: 1, false: 2}[want] {
			t.Errorf("PCAMGO_QUICK=%q: Quick() = %v", v, Quick())
		}
	}
}

func TestData(t *testing.T) {
	work := t.TempDir()
	t.Setenv(EnvWorkDir, work)
	t.Setenv(EnvPCamDir, "")
	f, err := Data("train", 40)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Synthetic || f.N != 40 || !strings.HasPrefix(f.X, work) || !strings.Contains(f.String(), "synthetic") {
		t.Fatalf("files %+v", f)
	}
	s, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 40 || s.H != 96 {
		t.Errorf("split %d×%d", s.N, s.H)
	}
	html, err := RowsGridHTML(s, []int{0, 3}, []string{"a", "b"}, GridOptions{})
	s.Close()
	if err != nil || len(decodePNGs(t, html)) != 2 {
		t.Fatalf("rows grid: %v", err)
	}
	st, _ := os.Stat(f.X)
	again := MustData("train", 40) // reused, not regenerated
	st2, _ := os.Stat(again.X)
	if again != f || !st.ModTime().Equal(st2.ModTime()) || f.Key() != again.Key() {
		t.Error("synthetic data regenerated")
	}

	// Real files in $PCAM_DIR win; .gz only is an error.
	real := t.TempDir()
	t.Setenv(EnvPCamDir, real)
	xn, yn := dataprep.FileNames("valid")
	if err := os.WriteFile(filepath.Join(real, xn+".gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Data("valid", 10); err == nil || !strings.Contains(err.Error(), "gunzip") {
		t.Errorf("gz: err = %v", err)
	}
	for _, n := range []string{xn, yn} {
		os.WriteFile(filepath.Join(real, n), []byte("x"), 0o644)
	}
	g, err := Data("valid", 10)
	if err != nil || g.Synthetic || g.X != filepath.Join(real, xn) || !strings.Contains(g.String(), "PCam valid") {
		t.Errorf("real: %+v %v", g, err)
	}
	small := MustDataSized("train", 20, 32)
	ss := Must(small.Open())
	if ss.H != 32 || ss.N != 20 || small.X == f.X {
		t.Errorf("sized: %d×%d at %s", ss.N, ss.H, small.X)
	}
	ss.Close()
	if !strings.HasPrefix(Path("ckpt"), work) {
		t.Error("Path outside WorkDir")
	}
}

func TestRemember(t *testing.T) {
	t.Setenv(EnvWorkDir, t.TempDir())
	calls := 0
	compute := func() ([]int, error) { calls++; return []int{1, 2, 3}, nil }
	for range 3 {
		v, err := Remember("a/b:c", compute)
		if err != nil || len(v) != 3 || v[2] != 3 {
			t.Fatalf("%v %v", v, err)
		}
	}
	if calls != 1 {
		t.Errorf("computed %d times", calls)
	}
	if err := Forget("a/b:c"); err != nil {
		t.Fatal(err)
	}
	Remember("a/b:c", compute)
	if calls != 2 {
		t.Error("Forget did not forget")
	}
	if Forget("never") != nil {
		t.Error("Forget of a missing name")
	}
	boom := errors.New("boom")
	if _, err := Remember("e", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Must did not panic")
		}
	}()
	Must(0, boom)
}
