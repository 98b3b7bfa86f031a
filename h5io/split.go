package h5io

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/hdf5"
)

// mu serialises every call into libhdf5, which is not thread-safe.
var mu sync.Mutex

// Standard dataset keys of a PCam split.
const (
	KeyX     = "x"
	KeyY     = "y"
	KeyIndex = "index"
)

// DType describes an HDF5 element type the way numpy names it.
type DType struct {
	Class  string // "int", "uint", "float" or another HDF5 class name
	Size   int    // bytes per element
	handle *hdf5.Datatype
}

// String returns the numpy-style name, e.g. "uint8" or "float32".
func (d DType) String() string {
	switch d.Class {
	case "int", "uint", "float":
		return fmt.Sprintf("%s%d", d.Class, d.Size*8)
	}
	return fmt.Sprintf("%s(%d bytes)", d.Class, d.Size)
}

// Split is an open PCam split: images under "x", labels under "y", and for a
// cleaned file the original row numbers under "index".
type Split struct {
	XPath, YPath string // YPath equals XPath when one file holds both keys
	N            int    // number of images
	H, W, C      int    // image height, width and channels
	YDType       DType  // element type of the labels as stored
	YShape       []int  // full shape of the label array, e.g. [N 1 1 1]
	HasIndex     bool   // whether the file has an "index" dataset

	xf, yf *hdf5.File
	x, y   *hdf5.Dataset
	index  *hdf5.Dataset
	direct *directRows // raw row offsets, when the layout allows
}

// Direct reports whether images are read straight from the file with pread
// (raw contiguous or unfiltered row-chunked storage) rather than through
// libhdf5.
func (s *Split) Direct() bool { return s.direct != nil }

// ImageBytes returns the number of bytes of one image (H×W×C).
func (s *Split) ImageBytes() int { return s.H * s.W * s.C }

// XBytes returns the size of the whole image array in bytes.
func (s *Split) XBytes() int64 { return int64(s.N) * int64(s.ImageBytes()) }

// Open opens and validates a split. yPath may be empty when xPath holds both
// the "x" and "y" keys. It checks that the files are HDF5 (not gzip), that
// "x" is N×H×W×C uint8, that "y" has N rows of one value each, and that every
// label is 0 or 1. Every error names the file and the problem.
func Open(xPath, yPath string) (*Split, error) {
	if yPath == "" {
		yPath = xPath
	}
	s := &Split{XPath: xPath, YPath: yPath}
	if err := s.open(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Split) open() error {
	for _, p := range uniq(s.XPath, s.YPath) {
		if err := Sniff(p); err != nil {
			return err
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var err error
	if s.xf, err = hdf5.OpenFile(s.XPath, hdf5.F_ACC_RDONLY); err != nil {
		return fmt.Errorf("%s: cannot open as HDF5 (truncated or corrupt?)", s.XPath)
	}
	s.yf = s.xf
	if s.YPath != s.XPath {
		if s.yf, err = hdf5.OpenFile(s.YPath, hdf5.F_ACC_RDONLY); err != nil {
			return fmt.Errorf("%s: cannot open as HDF5 (truncated or corrupt?)", s.YPath)
		}
	}
	if s.x, err = openKey(s.xf, s.XPath, KeyX); err != nil {
		return err
	}
	if s.y, err = openKey(s.yf, s.YPath, KeyY); err != nil {
		return err
	}
	if s.xf.LinkExists(KeyIndex) {
		if s.index, err = openKey(s.xf, s.XPath, KeyIndex); err != nil {
			return err
		}
		s.HasIndex = true
	}
	xShape, err := shapeOf(s.x)
	if err != nil {
		return fmt.Errorf("%s: key %q: %w", s.XPath, KeyX, err)
	}
	xType, err := dtypeOf(s.x)
	if err != nil {
		return fmt.Errorf("%s: key %q: %w", s.XPath, KeyX, err)
	}
	xType.handle.Close()
	if len(xShape) != 4 {
		return fmt.Errorf("%s: key %q has shape %v (rank %d), want N×H×W×C (PCam: N×96×96×3)", s.XPath, KeyX, xShape, len(xShape))
	}
	if xType.String() != "uint8" {
		return fmt.Errorf("%s: key %q has dtype %s with shape %v, want uint8", s.XPath, KeyX, xType, xShape)
	}
	s.N, s.H, s.W, s.C = xShape[0], xShape[1], xShape[2], xShape[3]
	if s.H*s.W*s.C == 0 {
		return fmt.Errorf("%s: key %q has shape %v with an empty image dimension", s.XPath, KeyX, xShape)
	}
	if s.YShape, err = shapeOf(s.y); err != nil {
		return fmt.Errorf("%s: key %q: %w", s.YPath, KeyY, err)
	}
	if s.YDType, err = dtypeOf(s.y); err != nil {
		return fmt.Errorf("%s: key %q: %w", s.YPath, KeyY, err)
	}
	if s.YDType.Class != "int" && s.YDType.Class != "uint" && s.YDType.Class != "float" {
		return fmt.Errorf("%s: key %q has dtype %s, want an integer type", s.YPath, KeyY, s.YDType)
	}
	if len(s.YShape) == 0 || prod(s.YShape[1:]) != 1 {
		return fmt.Errorf("%s: key %q has shape %v, want N×1×1×1 (one label per image)", s.YPath, KeyY, s.YShape)
	}
	if s.YShape[0] != s.N {
		return fmt.Errorf("%s: key %q has %d labels but %s key %q has %d images", s.YPath, KeyY, s.YShape[0], s.XPath, KeyX, s.N)
	}
	if s.N == 0 {
		return fmt.Errorf("%s: empty split (0 images)", s.XPath)
	}
	if s.HasIndex {
		iShape, err := shapeOf(s.index)
		if err != nil {
			return fmt.Errorf("%s: key %q: %w", s.XPath, KeyIndex, err)
		}
		if len(iShape) != 1 || iShape[0] != s.N {
			return fmt.Errorf("%s: key %q has shape %v, want [%d]", s.XPath, KeyIndex, iShape, s.N)
		}
	}
	// Reading the last image catches a truncated file now rather than after
	// minutes of work.
	last := make([]byte, s.ImageBytes())
	if err := s.readXLocked(s.N-1, 1, last); err != nil {
		return err
	}
	s.direct = s.planDirect()
	if s.direct != nil {
		// The raw path must agree with libhdf5 and reach the end of the file.
		raw := make([]byte, len(last))
		if err := s.direct.read(s.XPath, s.N-1, 1, raw); err != nil {
			return err
		}
		if string(raw) != string(last) {
			s.direct.close()
			s.direct = nil
		}
	}
	return nil
}

// Labels reads every label, checking that each is 0 or 1.
func (s *Split) Labels() ([]uint8, error) {
	mu.Lock()
	defer mu.Unlock()
	buf := make([]int64, s.N)
	if err := readInt64(s.y, nil, nil, buf); err != nil {
		return nil, fmt.Errorf("%s: reading key %q: %w (truncated or corrupt?)", s.YPath, KeyY, err)
	}
	out := make([]uint8, s.N)
	for i, v := range buf {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("%s: key %q row %d has label %d, want 0 or 1", s.YPath, KeyY, i, v)
		}
		out[i] = uint8(v)
	}
	return out, nil
}

// Index reads the "index" dataset of a cleaned split: the original row of
// each image. For a split without one it returns 0…N-1.
func (s *Split) Index() ([]int64, error) {
	buf := make([]int64, s.N)
	if !s.HasIndex {
		for i := range buf {
			buf[i] = int64(i)
		}
		return buf, nil
	}
	mu.Lock()
	defer mu.Unlock()
	if err := readInt64(s.index, nil, nil, buf); err != nil {
		return nil, fmt.Errorf("%s: reading key %q: %w", s.XPath, KeyIndex, err)
	}
	return buf, nil
}

// ReadX reads count images starting at row start into dst, which must hold
// count×H×W×C bytes.
func (s *Split) ReadX(start, count int, dst []byte) error {
	if start < 0 || count < 0 || start+count > s.N {
		return fmt.Errorf("%s: rows [%d,%d) out of range [0,%d)", s.XPath, start, start+count, s.N)
	}
	if len(dst) < count*s.ImageBytes() {
		return fmt.Errorf("%s: buffer of %d bytes too small for %d images", s.XPath, len(dst), count)
	}
	if s.direct != nil {
		return s.direct.read(s.XPath, start, count, dst)
	}
	mu.Lock()
	defer mu.Unlock()
	return s.readXLocked(start, count, dst)
}

func (s *Split) readXLocked(start, count int, dst []byte) error {
	if count == 0 {
		return nil
	}
	fs := s.x.Space()
	defer fs.Close()
	if err := fs.SelectHyperslab([]uint{uint(start), 0, 0, 0}, nil, []uint{uint(count), uint(s.H), uint(s.W), uint(s.C)}, nil); err != nil {
		return fmt.Errorf("%s: selecting rows [%d,%d): %w", s.XPath, start, start+count, err)
	}
	ms, err := hdf5.CreateSimpleDataspace([]uint{uint(count), uint(s.H), uint(s.W), uint(s.C)}, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", s.XPath, err)
	}
	defer ms.Close()
	if err := readUint8(s.x, ms, fs, dst[:count*s.ImageBytes()]); err != nil {
		return fmt.Errorf("%s: reading rows [%d,%d) of key %q failed (truncated or corrupt file?)", s.XPath, start, start+count, KeyX)
	}
	return nil
}

// ReadRows reads the images at the given rows (any order) into dst, in that
// order. Consecutive rows are read in one call.
func (s *Split) ReadRows(rows []int, dst []byte) error {
	ib := s.ImageBytes()
	if len(dst) < len(rows)*ib {
		return fmt.Errorf("%s: buffer of %d bytes too small for %d images", s.XPath, len(dst), len(rows))
	}
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j] == rows[j-1]+1 {
			j++
		}
		if err := s.ReadX(rows[i], j-i, dst[i*ib:j*ib]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// Close releases the files. It is safe to call more than once.
func (s *Split) Close() error {
	mu.Lock()
	defer mu.Unlock()
	var errs []error
	errs = append(errs, s.direct.close())
	s.direct = nil
	for _, d := range []**hdf5.Dataset{&s.x, &s.y, &s.index} {
		if *d != nil {
			errs = append(errs, (*d).Close())
			*d = nil
		}
	}
	if s.yf != nil && s.yf != s.xf {
		errs = append(errs, s.yf.Close())
	}
	if s.xf != nil {
		errs = append(errs, s.xf.Close())
	}
	s.xf, s.yf = nil, nil
	return errors.Join(errs...)
}

func openKey(f *hdf5.File, path, key string) (*hdf5.Dataset, error) {
	if !f.LinkExists(key) {
		return nil, fmt.Errorf("%s: missing key %q (keys found: %s)", path, key, strings.Join(keys(f), ", "))
	}
	d, err := f.OpenDataset(key)
	if err != nil {
		return nil, fmt.Errorf("%s: key %q is not a dataset: %w", path, key, err)
	}
	return d, nil
}

func keys(f *hdf5.File) []string {
	n, err := f.NumObjects()
	if err != nil {
		return nil
	}
	var out []string
	for i := uint(0); i < n; i++ {
		if name, err := f.ObjectNameByIndex(i); err == nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

func shapeOf(d *hdf5.Dataset) ([]int, error) {
	sp := d.Space()
	if sp == nil {
		return nil, fmt.Errorf("no dataspace")
	}
	defer sp.Close()
	dims, _, err := sp.SimpleExtentDims()
	if err != nil {
		return nil, err
	}
	out := make([]int, len(dims))
	for i, v := range dims {
		out[i] = int(v)
	}
	return out, nil
}

func dtypeOf(d *hdf5.Dataset) (DType, error) {
	t, err := d.Datatype()
	if err != nil {
		return DType{}, err
	}
	dt := DType{Size: int(t.Size()), handle: t}
	switch t.Class() {
	case hdf5.T_INTEGER:
		dt.Class = "uint"
		if isSigned(d) {
			dt.Class = "int"
		}
	case hdf5.T_FLOAT:
		dt.Class = "float"
	case hdf5.T_STRING:
		dt.Class = "string"
	case hdf5.T_COMPOUND:
		dt.Class = "compound"
	default:
		dt.Class = fmt.Sprintf("class%d", int(t.Class()))
	}
	return dt, nil
}

func prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// Len returns the number of images (N).
func (s *Split) Len() int { return s.N }

// Name returns the image file's path, for messages.
func (s *Split) Name() string { return s.XPath }
