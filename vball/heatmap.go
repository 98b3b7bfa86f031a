package vball

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultSigma is the Gaussian radius (pixels) of train_v3.py's heatmaps.
const DefaultSigma = 3.0

// Label is one row of a TrackNet-style label CSV (Frame,Visibility,X,Y).
type Label struct {
	Frame      int
	Visibility int // 0: ball not visible; > 0: visible at (X, Y).
	X, Y       float64
}

// Visible reports whether the label has a ball position.
func (l Label) Visible() bool { return l.Visibility > 0 }

// Heatmap renders the uint8 heatmap [h·w] of a label: 255·exp(-d²/(2σ²)) around (X, Y), all zero
// when the ball is not visible.
func Heatmap(l Label, h, w int, sigma float64) []uint8 {
	out := make([]uint8, h*w)
	if !l.Visible() {
		return out
	}
	r := int(math.Ceil(4 * sigma))
	cx, cy := int(math.Round(l.X)), int(math.Round(l.Y))
	for y := max(cy-r, 0); y <= min(cy+r, h-1); y++ {
		for x := max(cx-r, 0); x <= min(cx+r, w-1); x++ {
			dx, dy := float64(x)-l.X, float64(y)-l.Y
			v := 255 * math.Exp(-(dx*dx+dy*dy)/(2*sigma*sigma))
			out[y*w+x] = uint8(math.Round(v))
		}
	}
	return out
}

// ReadLabels parses a Frame,Visibility,X,Y CSV (columns in any order, extra columns ignored).
// Errors name the file and line.
func ReadLabels(path string) ([]Label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vball: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("vball: %s: reading header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, want := range []string{"frame", "visibility", "x", "y"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("vball: %s: header %q lacks column %q (want Frame,Visibility,X,Y)", path, strings.Join(header, ","), want)
		}
	}
	var labels []Label
	seen := map[int]bool{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("vball: %s: %w", path, err)
		}
		get := func(name string) (string, error) {
			i := col[name]
			if i >= len(rec) {
				return "", fmt.Errorf("vball: %s:%d: missing column %q", path, line, name)
			}
			return strings.TrimSpace(rec[i]), nil
		}
		var l Label
		var s string
		if s, err = get("frame"); err != nil {
			return nil, err
		}
		if l.Frame, err = strconv.Atoi(s); err != nil || l.Frame < 0 {
			return nil, fmt.Errorf("vball: %s:%d: Frame %q is not a non-negative integer", path, line, s)
		}
		if seen[l.Frame] {
			return nil, fmt.Errorf("vball: %s:%d: Frame %d appears twice", path, line, l.Frame)
		}
		seen[l.Frame] = true
		if s, err = get("visibility"); err != nil {
			return nil, err
		}
		if l.Visibility, err = strconv.Atoi(s); err != nil || l.Visibility < 0 {
			return nil, fmt.Errorf("vball: %s:%d: Visibility %q is not a non-negative integer", path, line, s)
		}
		for _, c := range []struct {
			name string
			dst  *float64
		}{{"x", &l.X}, {"y", &l.Y}} {
			if s, err = get(c.name); err != nil {
				return nil, err
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				if !l.Visible() && s == "" {
					continue
				}
				return nil, fmt.Errorf("vball: %s:%d: %s %q is not a number", path, line, strings.ToUpper(c.name), s)
			}
			*c.dst = v
		}
		labels = append(labels, l)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("vball: %s: no label rows", path)
	}
	return labels, nil
}

// WriteHeatmaps renders the heatmaps of labels as <out>/<Frame><ext> (ext ".jpg" or ".png").
// Everything is written to a temporary sibling directory first and renamed to out at the end,
// so an error leaves no partial output; out must not exist yet.
func WriteHeatmaps(labels []Label, out string, h, w int, sigma float64, ext string) error {
	if h <= 0 || w <= 0 {
		return fmt.Errorf("vball: heatmap size must be positive, got %dx%d", w, h)
	}
	if sigma <= 0 {
		return fmt.Errorf("vball: sigma must be > 0, got %g", sigma)
	}
	if ext == "" {
		ext = ".jpg"
	}
	if ext != ".jpg" && ext != ".png" {
		return fmt.Errorf("vball: heatmap extension must be .jpg or .png, got %q", ext)
	}
	return writeAtomically(out, func(tmp string) error {
		for _, l := range labels {
			if err := WriteImage(filepath.Join(tmp, strconv.Itoa(l.Frame)+ext), Heatmap(l, h, w, sigma), h, w, 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeAtomically runs fill on a fresh temporary directory next to out and renames it to out.
// out must not exist (or be an empty directory).
func writeAtomically(out string, fill func(tmp string) error) error {
	if entries, err := os.ReadDir(out); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("vball: output directory %s already exists and is not empty", out)
		}
		if err := os.Remove(out); err != nil {
			return fmt.Errorf("vball: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("vball: output %s: %w", out, err)
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("vball: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("vball: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("vball: %w", err)
	}
	if err := fill(tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("vball: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("vball: %w", err)
	}
	return nil
}
