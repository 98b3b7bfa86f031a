package gonbext

import (
	"encoding/gob"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pcamgo/pcamgo/dataprep"
	"github.com/pcamgo/pcamgo/h5io"
)

// Environment variables read by the notebooks.
const (
	// EnvPCamDir names a directory holding the real PCam files
	// (camelyonpatch_level_2_split_{train,valid,test}_{x,y}.h5, uncompressed).
	EnvPCamDir = "PCAM_DIR"
	// EnvQuick, when "1" or "true", makes every notebook run in a few minutes.
	EnvQuick = "PCAMGO_QUICK"
	// EnvWorkDir is where synthetic data, cleaned files, checkpoints and cached
	// cell results go (default: $TMPDIR/pcamgo-notebooks).
	EnvWorkDir = "PCAMGO_WORK"
)

// Quick reports whether $PCAMGO_QUICK asks for the quick (CI) mode.
func Quick() bool {
	v, _ := strconv.ParseBool(os.Getenv(EnvQuick))
	return v
}

// Pick returns quick in quick mode, else full.
func Pick[T any](quick, full T) T {
	if Quick() {
		return quick
	}
	return full
}

// WorkDir returns the notebooks' working directory (created if needed).
func WorkDir() string {
	d := os.Getenv(EnvWorkDir)
	if d == "" {
		d = filepath.Join(os.TempDir(), "pcamgo-notebooks")
	}
	_ = os.MkdirAll(d, 0o755)
	return d
}

// Files are the two HDF5 files of one PCam split.
type Files struct {
	Split     string
	X, Y      string
	Synthetic bool // made by dataprep.Generate (no $PCAM_DIR)
	N         int  // synthetic size (0 for real data)
}

func (f Files) String() string {
	if f.Synthetic {
		return fmt.Sprintf("synthetic PCam %s split, %d images (set $%s to use the real files): %s", f.Split, f.N, EnvPCamDir, f.X)
	}
	return fmt.Sprintf("PCam %s split: %s", f.Split, f.X)
}

// Open opens the split.
func (f Files) Open() (*h5io.Split, error) { return h5io.Open(f.X, f.Y) }

// Key identifies the files' content (paths, sizes and modification times),
// for cached cell results.
func (f Files) Key() string {
	h := fnv.New64a()
	for _, p := range []string{f.X, f.Y} {
		st, err := os.Stat(p)
		if err == nil {
			fmt.Fprintf(h, "%s|%d|%d;", p, st.Size(), st.ModTime().UnixNano())
		}
	}
	return fmt.Sprintf("%s-%016x", f.Split, h.Sum64())
}

// Data returns the files of a PCam split: the real ones from $PCAM_DIR when
// they are there, else a synthetic split of n 96×96 images (seed 1)
// generated once into WorkDir and reused by later cells and runs.
func Data(split string, n int) (Files, error) { return DataSized(split, n, 96) }

// DataSized is Data with synthetic images of size×size pixels (the real
// files are 96×96 whatever size says). Quick-mode training uses small images:
// the pure Go backend's convolutions are slow on CPU.
func DataSized(split string, n, size int) (Files, error) {
	xn, yn := dataprep.FileNames(split)
	if dir := os.Getenv(EnvPCamDir); dir != "" {
		f := Files{Split: split, X: filepath.Join(dir, xn), Y: filepath.Join(dir, yn)}
		if exists(f.X) && exists(f.Y) {
			return f, nil
		}
		if exists(f.X+".gz") || exists(f.Y+".gz") {
			return f, fmt.Errorf("%s: found %s.gz: decompress the PCam files first (gunzip -k)", dir, xn)
		}
	}
	name := fmt.Sprintf("synthetic-%d", n)
	if size != 96 {
		name += fmt.Sprintf("-%dpx", size)
	}
	dir := filepath.Join(WorkDir(), name)
	f := Files{Split: split, X: filepath.Join(dir, xn), Y: filepath.Join(dir, yn), Synthetic: true, N: n}
	if exists(f.X) && exists(f.Y) {
		return f, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	o := dataprep.DefaultGenerateOptions(n, 1, split)
	o.Size = size
	_, err := dataprep.Generate(dir, o)
	return f, err
}

// MustData is Data that panics on error (for a notebook's declarations).
func MustData(split string, n int) Files { return Must(Data(split, n)) }

// MustDataSized is DataSized that panics on error.
func MustDataSized(split string, n, size int) Files { return Must(DataSized(split, n, size)) }

func exists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Path returns a path inside WorkDir (for outputs: cleaned files, checkpoints).
func Path(parts ...string) string {
	return filepath.Join(append([]string{WorkDir()}, parts...)...)
}

// Remember returns the result of compute saved under name by an earlier cell
// (every GoNB cell runs as a new program), or computes and saves it. Include
// Files.Key() in name so that results of other data are never reused.
func Remember[T any](name string, compute func() (T, error)) (T, error) {
	p := filepath.Join(WorkDir(), "cells", sanitize(name)+".gob")
	var v T
	if f, err := os.Open(p); err == nil {
		err = gob.NewDecoder(f).Decode(&v)
		f.Close()
		if err == nil {
			return v, nil
		}
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return v, err
	}
	tmp := p + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return v, err
	}
	err = errors.Join(gob.NewEncoder(f).Encode(v), f.Close())
	if err == nil {
		err = os.Rename(tmp, p)
	}
	return v, err
}

// Forget removes results saved by Remember under name.
func Forget(name string) error {
	err := os.Remove(filepath.Join(WorkDir(), "cells", sanitize(name)+".gob"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

// Must panics on error and returns v (for one-line notebook cells).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// RowsGridHTML reads rows of a split and renders them as a grid.
func RowsGridHTML(s *h5io.Split, rows []int, captions []string, o GridOptions) (string, error) {
	buf := make([]byte, len(rows)*s.ImageBytes())
	if err := s.ReadRows(rows, buf); err != nil {
		return "", err
	}
	return BatchGridHTML(buf, s.H, s.W, s.C, captions, o)
}

// DisplayRows shows rows of a split as a grid, captioned "row N" (or the given captions).
func DisplayRows(s *h5io.Split, rows []int, captions []string, o GridOptions) {
	if !enabled {
		return
	}
	if captions == nil {
		for _, r := range rows {
			captions = append(captions, "row "+itoa(r))
		}
	}
	h, err := RowsGridHTML(s, rows, captions, o)
	if err != nil {
		h = "<pre>" + esc(err.Error()) + "</pre>"
	}
	DisplayHTML(h)
}

// DisplayPairs shows (duplicate, original) row pairs side by side, as
// returned by dataprep.Duplicates.Pairs.
func DisplayPairs(s *h5io.Split, pairs [][2]int, title string) {
	var rows []int
	var caps []string
	for _, p := range pairs {
		rows = append(rows, p[0], p[1])
		caps = append(caps, fmt.Sprintf("row %d (dup)", p[0]), fmt.Sprintf("= row %d", p[1]))
	}
	if len(rows) == 0 {
		DisplayHTML("<p>no duplicates found</p>")
		return
	}
	DisplayRows(s, rows, caps, GridOptions{Title: title, Cols: 8})
}
