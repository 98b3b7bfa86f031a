package vball

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // Register the JPEG decoder for image.DecodeConfig.
	_ "image/png"  // Register the PNG decoder.
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Split directory names used by train_v3.py.
const (
	TrainDir = "train_preprocessed"
	TestDir  = "test"
)

// Rally is one rally of one match: its frames and their heatmaps, in numeric order.
type Rally struct {
	Match    string   // Match directory name.
	Name     string   // Rally directory name.
	Frames   []string // Paths of inputs/<rally>/<i>.jpg|png, sorted by i.
	Heatmaps []string // Paths of heatmaps/<rally>/<i>.jpg|png, Heatmaps[k] belongs to Frames[k].
}

// Split is a scanned split directory (<root>/train_preprocessed or <root>/test).
type Split struct {
	Dir     string
	Rallies []Rally
	// Height, Width are the frame size (all frames and heatmaps must share it).
	Height, Width int
	// Channels of the stored frame files (1 for grayscale files, else 3).
	Channels int
	// EmptyRallies lists "<match>/<rally>" directories that hold no frames (skipped).
	EmptyRallies []string
}

// NumFrames is the number of frames (= heatmaps) of the split.
func (s *Split) NumFrames() int {
	n := 0
	for _, r := range s.Rallies {
		n += len(r.Frames)
	}
	return n
}

// isImage reports whether name has a supported image extension.
func isImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// frameIndex parses the numeric stem of a frame file name ("12.jpg" → 12).
func frameIndex(name string) (int, error) {
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	i, err := strconv.Atoi(stem)
	if err != nil {
		return 0, fmt.Errorf("frame file name %q is not <integer>.jpg|png", name)
	}
	return i, nil
}

// listImages returns the image files of dir sorted numerically by stem ("2.jpg" before "10.jpg").
func listImages(dir string) ([]string, []int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	type item struct {
		name string
		idx  int
	}
	var items []item
	for _, e := range entries {
		if e.IsDir() || !isImage(e.Name()) {
			continue
		}
		i, err := frameIndex(e.Name())
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, e.Name()), err)
		}
		items = append(items, item{e.Name(), i})
	}
	slices.SortFunc(items, func(a, b item) int { return a.idx - b.idx })
	names := make([]string, len(items))
	idx := make([]int, len(items))
	for k, it := range items {
		if k > 0 && it.idx == items[k-1].idx {
			return nil, nil, fmt.Errorf("%s: frames %q and %q have the same index %d", dir, items[k-1].name, it.name, it.idx)
		}
		names[k] = filepath.Join(dir, it.name)
		idx[k] = it.idx
	}
	return names, idx, nil
}

// subDirs lists the sub-directories of dir, sorted by name.
func subDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// findHeatmap returns the heatmap file of frame index i in dir (any supported extension).
func findHeatmap(dir string, i int, frame string) (string, error) {
	for _, ext := range []string{filepath.Ext(frame), ".jpg", ".png", ".jpeg", ".JPG", ".PNG"} {
		p := filepath.Join(dir, strconv.Itoa(i)+ext)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("missing heatmap for frame %s: expected %s", frame,
		filepath.Join(dir, strconv.Itoa(i)+filepath.Ext(frame)))
}

// imageConfig reads the size and channel count of an image file without decoding its pixels.
func imageConfig(path string) (h, w, c int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: not a readable JPEG/PNG image: %w", path, err)
	}
	c = 3
	switch cfg.ColorModel {
	case colorModelGray, colorModelGray16:
		c = 1
	}
	return cfg.Height, cfg.Width, c, nil
}

// ScanSplit scans one split directory laid out as train_v3.py writes it:
//
//	<dir>/<match>/inputs/<rally>/<i>.jpg   (frames, also .png)
//	<dir>/<match>/heatmaps/<rally>/<i>.jpg (grayscale heatmaps, same size)
//
// Frames are sorted numerically. A frame without a heatmap, a non-numeric frame name, or a file
// whose size differs from the first frame's is an error naming the file. Rallies without frames
// are skipped and listed in EmptyRallies. Only image headers are read.
func ScanSplit(dir string) (*Split, error) {
	matches, err := subDirs(dir)
	if err != nil {
		return nil, fmt.Errorf("vball: reading split directory: %w", err)
	}
	s := &Split{Dir: dir}
	for _, m := range matches {
		inDir := filepath.Join(dir, m, "inputs")
		hmDir := filepath.Join(dir, m, "heatmaps")
		if _, err := os.Stat(inDir); errors.Is(err, os.ErrNotExist) {
			continue // Not a match directory (e.g. labels).
		}
		rallies, err := subDirs(inDir)
		if err != nil {
			return nil, fmt.Errorf("vball: %w", err)
		}
		for _, r := range rallies {
			frames, idx, err := listImages(filepath.Join(inDir, r))
			if err != nil {
				return nil, fmt.Errorf("vball: %w", err)
			}
			if len(frames) == 0 {
				s.EmptyRallies = append(s.EmptyRallies, m+"/"+r)
				continue
			}
			rally := Rally{Match: m, Name: r, Frames: frames, Heatmaps: make([]string, len(frames))}
			for k, f := range frames {
				hm, err := findHeatmap(filepath.Join(hmDir, r), idx[k], f)
				if err != nil {
					return nil, fmt.Errorf("vball: %w", err)
				}
				rally.Heatmaps[k] = hm
				if err := s.checkSize(f, false); err != nil {
					return nil, err
				}
				if err := s.checkSize(hm, true); err != nil {
					return nil, err
				}
			}
			s.Rallies = append(s.Rallies, rally)
		}
	}
	if len(s.Rallies) == 0 {
		return nil, fmt.Errorf("vball: no frames found under %s (expected <match>/inputs/<rally>/<i>.jpg)", dir)
	}
	return s, nil
}

// checkSize records the first frame's size and checks every other file against it.
func (s *Split) checkSize(path string, heatmap bool) error {
	h, w, c, err := imageConfig(path)
	if err != nil {
		return fmt.Errorf("vball: %w", err)
	}
	if s.Height == 0 {
		s.Height, s.Width = h, w
		if !heatmap {
			s.Channels = c
		}
	}
	if h != s.Height || w != s.Width {
		return fmt.Errorf("vball: %s is %dx%d (WxH) but the split's first frame is %dx%d: all frames and heatmaps must have one size",
			path, w, h, s.Width, s.Height)
	}
	return nil
}

// ScanDataset scans <root>/train_preprocessed and, when present, <root>/test.
// test is nil when <root>/test does not exist.
func ScanDataset(root string) (train, test *Split, err error) {
	train, err = ScanSplit(filepath.Join(root, TrainDir))
	if err != nil {
		return nil, nil, err
	}
	testDir := filepath.Join(root, TestDir)
	if _, err := os.Stat(testDir); err == nil {
		test, err = ScanSplit(testDir)
		if err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// Window is one training sequence: Seq consecutive frames of one rally.
type Window struct {
	Rally int // Index in Split.Rallies.
	Start int // Index of the first frame in the rally.
}

// Windows lists every window of seq consecutive frames within one rally (stride 1), rally by
// rally. Rallies shorter than seq contribute none; windows never cross rallies.
func Windows(s *Split, seq int) []Window {
	var out []Window
	for r, rally := range s.Rallies {
		for i := 0; i+seq <= len(rally.Frames); i++ {
			out = append(out, Window{Rally: r, Start: i})
		}
	}
	return out
}
