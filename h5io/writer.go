package h5io

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/hdf5"
)

// Layout says which datasets a Writer creates and their shapes.
type Layout struct {
	N, H, W, C int  // images and image shape
	X          bool // write "x" (N×H×W×C uint8)
	Y          bool // write "y" (labels)
	Index      bool // write "index" (N int64 original rows)
	// YLike, when set, gives the label dtype and trailing shape to copy
	// (a cleaned split keeps the input's dtype). Otherwise labels are
	// uint8 with shape N×1×1×1, as in PCam.
	YLike *Split
	// ChunkRows is the number of rows per HDF5 chunk (default 64).
	ChunkRows int
	// RawX streams "x" into its chunks, preallocated back to back, with
	// direct I/O instead of going through libhdf5 (WriteX must then be
	// called with consecutive rows from 0). It falls back to ordinary
	// chunk writes when the file's chunks are not laid out that way.
	RawX bool
}

// Writer writes a split into a temporary file next to its destination;
// Commit renames it into place and Abort removes it.
type Writer struct {
	Path   string // final destination
	tmp    string
	layout Layout
	f      *hdf5.File
	x      *hdf5.Dataset
	y      *hdf5.Dataset
	index  *hdf5.Dataset
	chunk  int    // rows per chunk of every dataset
	pad    []byte // scratch for the last, partial chunk of "x"
	raw    *rawWriter
	rawRow int // next row the raw writer expects
	done   bool
}

// Raw reports whether "x" is being written with direct I/O.
func (w *Writer) Raw() bool { return w.raw != nil }

// Create starts writing a split to path (through a temporary file).
func Create(path string, l Layout) (*Writer, error) {
	if l.N <= 0 {
		return nil, fmt.Errorf("%s: refusing to write an empty split (0 images)", path)
	}
	if l.ChunkRows <= 0 {
		l.ChunkRows = 64
	}
	dir := filepath.Dir(path)
	tf, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: creating temporary file: %w", path, err)
	}
	tmp := tf.Name()
	tf.Close()
	w := &Writer{Path: path, tmp: tmp, layout: l}
	if err := w.create(); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

func (w *Writer) create() error {
	mu.Lock()
	defer mu.Unlock()
	l := w.layout
	var err error
	if w.f, err = hdf5.CreateFile(w.tmp, hdf5.F_ACC_TRUNC); err != nil {
		return fmt.Errorf("%s: %w", w.Path, err)
	}
	chunk := min(l.ChunkRows, l.N)
	w.chunk = chunk
	if l.X {
		if w.x, err = createDataset(w.f, KeyX, hdf5.T_STD_U8LE, []int{l.N, l.H, l.W, l.C}, chunk, l.RawX); err != nil {
			return fmt.Errorf("%s: %w", w.Path, err)
		}
		if l.RawX {
			w.raw = w.openRaw()
		}
	}
	if l.Y {
		ytype, shape := hdf5.T_STD_U8LE, []int{l.N, 1, 1, 1}
		if l.YLike != nil {
			ytype = l.YLike.YDType.handle
			shape = append([]int{l.N}, l.YLike.YShape[1:]...)
		}
		if w.y, err = createDataset(w.f, KeyY, ytype, shape, chunk, false); err != nil {
			return fmt.Errorf("%s: %w", w.Path, err)
		}
	}
	if l.Index {
		if w.index, err = createDataset(w.f, KeyIndex, hdf5.T_STD_I64LE, []int{l.N}, max(chunk, 1024), false); err != nil {
			return fmt.Errorf("%s: %w", w.Path, err)
		}
	}
	return nil
}

// openRaw returns a raw writer for "x" over its preallocated chunks (runs of
// back-to-back chunks form one segment), or nil. Called with mu held.
func (w *Writer) openRaw() *rawWriter {
	l := w.layout
	nChunks := (l.N + w.chunk - 1) / w.chunk
	addrs := chunkAddrs(w.x, 4, w.chunk, nChunks)
	if addrs == nil {
		return nil
	}
	chunkBytes := int64(w.chunk) * int64(l.H*l.W*l.C)
	var segs []segment
	for _, a := range addrs {
		if a < 0 {
			return nil
		}
		if n := len(segs); n > 0 && segs[n-1].addr+segs[n-1].size == a {
			segs[n-1].size += chunkBytes
			continue
		}
		segs = append(segs, segment{a, chunkBytes})
	}
	r, err := newRawWriter(w.tmp, segs)
	if err != nil {
		return nil
	}
	return r
}

func createDataset(f *hdf5.File, key string, t *hdf5.Datatype, shape []int, chunkRows int, early bool) (*hdf5.Dataset, error) {
	dims := make([]uint, len(shape))
	for i, v := range shape {
		dims[i] = uint(v)
	}
	space, err := hdf5.CreateSimpleDataspace(dims, nil)
	if err != nil {
		return nil, fmt.Errorf("dataspace for %q: %w", key, err)
	}
	defer space.Close()
	dcpl, err := hdf5.NewPropList(hdf5.P_DATASET_CREATE)
	if err != nil {
		return nil, err
	}
	defer dcpl.Close()
	chunk := append([]uint(nil), dims...)
	chunk[0] = uint(min(chunkRows, shape[0]))
	if err := dcpl.SetChunk(chunk); err != nil {
		return nil, fmt.Errorf("chunking %q: %w", key, err)
	}
	if early {
		if err := allocateEarlyNoFill(dcpl); err != nil {
			return nil, fmt.Errorf("allocating %q: %w", key, err)
		}
	}
	d, err := f.CreateDatasetWith(key, t, space, dcpl)
	if err != nil {
		return nil, fmt.Errorf("creating %q: %w", key, err)
	}
	return d, nil
}

// rowSelection selects rows [start, start+count) of a dataset whose rows have
// the given trailing shape, and a flat memory space of the same size.
func rowSelection(d *hdf5.Dataset, start, count int) (mem, file *hdf5.Dataspace, err error) {
	file = d.Space()
	dims, _, err := file.SimpleExtentDims()
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	if start < 0 || start+count > int(dims[0]) {
		file.Close()
		return nil, nil, fmt.Errorf("rows [%d,%d) out of range [0,%d)", start, start+count, dims[0])
	}
	off := make([]uint, len(dims))
	cnt := append([]uint(nil), dims...)
	off[0], cnt[0] = uint(start), uint(count)
	if err := file.SelectHyperslab(off, nil, cnt, nil); err != nil {
		file.Close()
		return nil, nil, err
	}
	// A memory space of the same shape as the selection lets HDF5 copy
	// whole rows instead of walking elements one by one.
	mem, err = hdf5.CreateSimpleDataspace(cnt, nil)
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return mem, file, nil
}

func (w *Writer) write(d *hdf5.Dataset, key string, start, count int, fn func(mem, file *hdf5.Dataspace) error) error {
	if d == nil {
		return fmt.Errorf("%s: layout has no %q dataset", w.Path, key)
	}
	if count == 0 {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	mem, file, err := rowSelection(d, start, count)
	if err != nil {
		return fmt.Errorf("%s: writing %q: %w", w.Path, key, err)
	}
	defer mem.Close()
	defer file.Close()
	if err := fn(mem, file); err != nil {
		return fmt.Errorf("%s: writing %q rows [%d,%d): %w (disk full?)", w.Path, key, start, start+count, err)
	}
	return nil
}

// WriteX writes images to rows [start, start+len(x)/imageBytes).
func (w *Writer) WriteX(start int, x []byte) error {
	ib := w.layout.H * w.layout.W * w.layout.C
	if len(x)%ib != 0 {
		return fmt.Errorf("%s: %d bytes is not a whole number of %d-byte images", w.Path, len(x), ib)
	}
	count := len(x) / ib
	if w.raw != nil {
		if start != w.rawRow {
			return fmt.Errorf("%s: writing %q: rows must come in order: got row %d, want %d", w.Path, KeyX, start, w.rawRow)
		}
		if err := w.raw.write(x); err != nil {
			return fmt.Errorf("%s: writing %q rows [%d,%d): %w (disk full?)", w.Path, KeyX, start, start+count, err)
		}
		w.rawRow += count
		return nil
	}
	if w.x != nil && count > 0 && start%w.chunk == 0 && (count%w.chunk == 0 || start+count == w.layout.N) {
		return w.writeXChunks(start, x)
	}
	return w.write(w.x, KeyX, start, count, func(m, f *hdf5.Dataspace) error { return writeUint8(w.x, m, f, x) })
}

// writeXChunks writes whole chunks of raw image bytes with H5Dwrite_chunk,
// which bypasses selections and copies: about the speed of a plain write.
func (w *Writer) writeXChunks(start int, x []byte) error {
	ib := w.layout.H * w.layout.W * w.layout.C
	cb := w.chunk * ib
	if start+len(x)/ib > w.layout.N {
		return fmt.Errorf("%s: writing %q: rows [%d,%d) out of range [0,%d)", w.Path, KeyX, start, start+len(x)/ib, w.layout.N)
	}
	mu.Lock()
	defer mu.Unlock()
	for off := 0; off < len(x); off += cb {
		buf := x[off:min(off+cb, len(x))]
		if len(buf) < cb {
			// The last chunk is stored full size; pad it with zeros.
			if w.pad == nil {
				w.pad = make([]byte, cb)
			}
			clear(w.pad)
			copy(w.pad, buf)
			buf = w.pad
		}
		row := start + off/ib
		if err := writeChunk(w.x, 4, row, buf); err != nil {
			return fmt.Errorf("%s: writing %q rows from %d: %w (disk full?)", w.Path, KeyX, row, err)
		}
	}
	return nil
}

// WriteY writes labels to rows [start, start+len(y)).
func (w *Writer) WriteY(start int, y []uint8) error {
	v := make([]int64, len(y))
	for i, b := range y {
		v[i] = int64(b)
	}
	return w.write(w.y, KeyY, start, len(y), func(m, f *hdf5.Dataspace) error { return writeInt64(w.y, m, f, v) })
}

// WriteIndex writes original row numbers to rows [start, start+len(idx)).
func (w *Writer) WriteIndex(start int, idx []int64) error {
	return w.write(w.index, KeyIndex, start, len(idx), func(m, f *hdf5.Dataspace) error { return writeInt64(w.index, m, f, idx) })
}

func (w *Writer) close() error {
	var errs []error
	if w.raw != nil {
		errs = append(errs, w.raw.close())
		w.raw = nil
	}
	mu.Lock()
	defer mu.Unlock()
	for _, d := range []**hdf5.Dataset{&w.x, &w.y, &w.index} {
		if *d != nil {
			errs = append(errs, (*d).Close())
			*d = nil
		}
	}
	if w.f != nil {
		errs = append(errs, w.f.Close())
		w.f = nil
	}
	return errors.Join(errs...)
}

// Commit closes the file and renames it to its destination.
func (w *Writer) Commit() error {
	if w.done {
		return fmt.Errorf("%s: writer already finished", w.Path)
	}
	w.done = true
	if w.raw != nil && w.rawRow != w.layout.N {
		w.close()
		os.Remove(w.tmp)
		return fmt.Errorf("%s: only %d of %d rows of %q written", w.Path, w.rawRow, w.layout.N, KeyX)
	}
	if err := w.close(); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("%s: closing: %w", w.Path, err)
	}
	// CreateTemp made the file 0600; give it a normal data file's mode.
	os.Chmod(w.tmp, 0o644)
	if err := os.Rename(w.tmp, w.Path); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("%s: %w", w.Path, err)
	}
	return nil
}

// Abort closes and removes the temporary file; the destination is untouched.
// It is a no-op after Commit.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.close()
	os.Remove(w.tmp)
}
