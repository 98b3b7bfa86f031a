package h5io

import (
	"fmt"
	"io"
	"os"
)

// directRows maps image rows to byte offsets in the file, for datasets whose
// bytes are stored raw: contiguous, or chunked along rows without filters
// (compression). Reads then go straight to the operating system with pread,
// without libhdf5's lock or its hyperslab machinery, and may run in
// parallel. Compressed or otherwise unusual layouts keep the HDF5 path.
type directRows struct {
	f         *os.File
	rowBytes  int64
	base      int64   // contiguous: offset of row 0; -1 when chunked
	chunkRows int     // chunked: rows per chunk
	chunks    []int64 // chunked: offset of each chunk
}

// planDirect returns the direct row map for the split's "x", or nil.
// Called with mu held.
func (s *Split) planDirect() *directRows {
	li := layoutOf(s.x, 4)
	d := &directRows{rowBytes: int64(s.ImageBytes()), base: -1}
	switch {
	case li.kind == 0:
		if d.base = contiguousOffset(s.x); d.base < 0 {
			return nil
		}
	case li.kind == 1 && li.nfilters == 0 && li.chunk[1] == s.H && li.chunk[2] == s.W && li.chunk[3] == s.C && li.chunk[0] > 0:
		d.chunkRows = li.chunk[0]
		d.chunks = chunkAddrs(s.x, 4, d.chunkRows, (s.N+d.chunkRows-1)/d.chunkRows)
		if d.chunks == nil {
			return nil
		}
		for _, a := range d.chunks {
			if a < 0 {
				return nil // unwritten chunks read as fill values: let HDF5 do it
			}
		}
	default:
		return nil
	}
	f, err := os.Open(s.XPath)
	if err != nil {
		return nil
	}
	d.f = f
	return d
}

// read reads rows [start, start+count) into dst with pread.
func (d *directRows) read(path string, start, count int, dst []byte) error {
	if d.base >= 0 {
		return d.readAt(path, dst[:int64(count)*d.rowBytes], d.base+int64(start)*d.rowBytes, start, count)
	}
	for count > 0 {
		k := start / d.chunkRows
		inChunk := start % d.chunkRows
		n := min(count, d.chunkRows-inChunk)
		off := d.chunks[k] + int64(inChunk)*d.rowBytes
		if err := d.readAt(path, dst[:int64(n)*d.rowBytes], off, start, n); err != nil {
			return err
		}
		dst = dst[int64(n)*d.rowBytes:]
		start += n
		count -= n
	}
	return nil
}

func (d *directRows) readAt(path string, dst []byte, off int64, start, count int) error {
	if _, err := d.f.ReadAt(dst, off); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%s: rows [%d,%d) of key %q lie past the end of the file (truncated file?)", path, start, start+count, KeyX)
		}
		return fmt.Errorf("%s: reading rows [%d,%d): %w", path, start, start+count, err)
	}
	return nil
}

func (d *directRows) close() error {
	if d == nil || d.f == nil {
		return nil
	}
	return d.f.Close()
}
