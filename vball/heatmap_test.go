package vball

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHeatmap(t *testing.T) {
	hm := Heatmap(Label{Frame: 0, Visibility: 1, X: 7, Y: 3}, 10, 20, 3)
	if hm[3*20+7] != 255 {
		t.Errorf("peak %d, want 255", hm[3*20+7])
	}
	// exp(-9/18) ≈ 0.607 at 3 px.
	if v := hm[3*20+10]; v < 150 || v > 160 {
		t.Errorf("value at sigma distance %d, want ~155", v)
	}
	for _, v := range Heatmap(Label{Visibility: 0, X: 7, Y: 3}, 10, 20, 3) {
		if v != 0 {
			t.Fatal("invisible ball gives a non-black heatmap")
		}
	}
}

func TestReadLabels(t *testing.T) {
	tests := []struct {
		name, csv, wantErr string
		n                  int
	}{
		{"ok", "Frame,Visibility,X,Y\n0,1,10.5,20\n1,0,0,0\n2,0,,\n", "", 3},
		{"reordered columns", "X,Y,Visibility,Frame,Extra\n1,2,1,0,x\n", "", 1},
		{"missing column", "Frame,Visibility,X\n0,1,1\n", `lacks column "y"`, 0},
		{"bad frame", "Frame,Visibility,X,Y\nzero,1,1,1\n", "labels.csv:2: Frame", 0},
		{"duplicate frame", "Frame,Visibility,X,Y\n0,1,1,1\n0,1,1,1\n", "labels.csv:3: Frame 0 appears twice", 0},
		{"bad x", "Frame,Visibility,X,Y\n0,1,abc,1\n", `labels.csv:2: X "abc"`, 0},
		{"no rows", "Frame,Visibility,X,Y\n", "no label rows", 0},
	}
	for _, tc := range tests {
		p := filepath.Join(t.TempDir(), "labels.csv")
		if err := os.WriteFile(p, []byte(tc.csv), 0o644); err != nil {
			t.Fatal(err)
		}
		labels, err := ReadLabels(p)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(labels) != tc.n {
			t.Errorf("%s: %d labels, error %v", tc.name, len(labels), err)
		}
	}
}

func TestWriteHeatmapsRoundTrip(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hm")
	labels := []Label{{Frame: 0, Visibility: 1, X: 30, Y: 12}, {Frame: 1}}
	if err := WriteHeatmaps(labels, out, 24, 48, 3, ".png"); err != nil {
		t.Fatal(err)
	}
	pix, h, w, err := DecodeImage(filepath.Join(out, "0.png"), 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := make([]float32, len(pix))
	ToFloat(f, pix)
	x, y, ok := BallPosition(f, h, w, 0.5)
	if !ok || x != 30 || y != 12 {
		t.Errorf("ball at (%g, %g, %t), want (30, 12)", x, y, ok)
	}
	// A non-empty output directory is refused and left untouched.
	if err := WriteHeatmaps(labels, out, 24, 48, 3, ".png"); err == nil || !strings.Contains(err.Error(), out) {
		t.Errorf("second write: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("leftover temporary directories: %v", entries)
	}
}
