package vball

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeFrame writes a frame (RGB) and optionally its heatmap with a flat value.
func writeFrame(t *testing.T, split, match, rally string, i int, ext string, h, w int, heatmap bool) {
	t.Helper()
	in := filepath.Join(split, match, "inputs", rally)
	hm := filepath.Join(split, match, "heatmaps", rally)
	for _, d := range []string{in, hm} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	name := itoa(i) + ext
	if err := WriteImage(filepath.Join(in, name), make([]uint8, h*w*3), h, w, 3); err != nil {
		t.Fatal(err)
	}
	if heatmap {
		if err := WriteImage(filepath.Join(hm, name), make([]uint8, h*w), h, w, 1); err != nil {
			t.Fatal(err)
		}
	}
}

// itoa writes two-digit-free indices ("1", "10"): numeric names as train_v3.py writes them.
func itoa(i int) string { return strconv.Itoa(i) }

func TestScanSplit(t *testing.T) {
	type frame struct {
		match, rally string
		i            int
		ext          string
		h, w         int
		heatmap      bool
	}
	ok := func(m, r string, i int) frame { return frame{m, r, i, ".png", 8, 12, true} }
	tests := []struct {
		name    string
		frames  []frame
		dirs    []string // Extra empty rally directories (match/rally).
		wantErr string   // Substring of the error; "" for success.
		check   func(t *testing.T, s *Split)
	}{
		{name: "numeric sort", frames: []frame{ok("m1", "r1", 10), ok("m1", "r1", 2), ok("m1", "r1", 1), ok("m1", "r2", 0)},
			check: func(t *testing.T, s *Split) {
				var got []string
				for _, f := range s.Rallies[0].Frames {
					got = append(got, filepath.Base(f))
				}
				if strings.Join(got, ",") != "1.png,2.png,10.png" {
					t.Errorf("order %v, want 01,02,10", got)
				}
				if len(s.Rallies) != 2 || s.NumFrames() != 4 || s.Height != 8 || s.Width != 12 {
					t.Errorf("rallies %d frames %d size %dx%d", len(s.Rallies), s.NumFrames(), s.Width, s.Height)
				}
				if filepath.Base(s.Rallies[0].Heatmaps[2]) != "10.png" {
					t.Errorf("heatmap of frame 10 is %s", s.Rallies[0].Heatmaps[2])
				}
			}},
		{name: "jpg", frames: []frame{{"m1", "r1", 3, ".jpg", 8, 12, true}},
			check: func(t *testing.T, s *Split) {
				if s.NumFrames() != 1 {
					t.Errorf("frames %d", s.NumFrames())
				}
			}},
		{name: "missing heatmap", frames: []frame{ok("m1", "r1", 1), {"m1", "r1", 2, ".png", 8, 12, false}},
			wantErr: filepath.Join("m1", "heatmaps", "r1", "2.png")},
		{name: "empty rally", frames: []frame{ok("m1", "r1", 1)}, dirs: []string{"m1/r0"},
			check: func(t *testing.T, s *Split) {
				if len(s.Rallies) != 1 || len(s.EmptyRallies) != 1 || s.EmptyRallies[0] != "m1/r0" {
					t.Errorf("rallies %d, empty %v", len(s.Rallies), s.EmptyRallies)
				}
			}},
		{name: "only empty rallies", dirs: []string{"m1/r0"}, wantErr: "no frames found"},
		{name: "mixed sizes", frames: []frame{ok("m1", "r1", 1), {"m1", "r1", 2, ".png", 8, 16, true}},
			wantErr: filepath.Join("inputs", "r1", "2.png")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			split := filepath.Join(root, TrainDir)
			if err := os.MkdirAll(split, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range tc.frames {
				writeFrame(t, split, f.match, f.rally, f.i, f.ext, f.h, f.w, f.heatmap)
			}
			for _, d := range tc.dirs {
				m, r, _ := strings.Cut(d, "/")
				if err := os.MkdirAll(filepath.Join(split, m, "inputs", r), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			s, err := ScanSplit(split)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}

func TestScanSplitBadName(t *testing.T) {
	dir := t.TempDir()
	writeFrame(t, dir, "m", "r", 1, ".png", 4, 4, true)
	bad := filepath.Join(dir, "m", "inputs", "r", "frame_a.png")
	if err := os.WriteFile(bad, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ScanSplit(dir); err == nil || !strings.Contains(err.Error(), "frame_a.png") {
		t.Fatalf("error %v, want one naming frame_a.png", err)
	}
}

func TestWindows(t *testing.T) {
	mk := func(lengths ...int) *Split {
		s := &Split{}
		for _, n := range lengths {
			s.Rallies = append(s.Rallies, Rally{Frames: make([]string, n), Heatmaps: make([]string, n)})
		}
		return s
	}
	tests := []struct {
		lengths []int
		seq     int
		want    []Window
	}{
		{[]int{3}, 3, []Window{{0, 0}}},
		{[]int{4, 2, 3}, 3, []Window{{0, 0}, {0, 1}, {2, 0}}},
		{[]int{2}, 3, nil},
		{[]int{2, 2}, 1, []Window{{0, 0}, {0, 1}, {1, 0}, {1, 1}}},
	}
	for _, tc := range tests {
		got := Windows(mk(tc.lengths...), tc.seq)
		if len(got) != len(tc.want) {
			t.Errorf("Windows(%v, seq %d) = %v, want %v", tc.lengths, tc.seq, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("Windows(%v, seq %d) = %v, want %v", tc.lengths, tc.seq, got, tc.want)
				break
			}
		}
	}
}
