package h5io

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// hdf5Signature starts every HDF5 superblock, at offset 0 or at a user-block
// offset of 512, 1024, 2048, … bytes.
var hdf5Signature = []byte{0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}

// ErrGzip is wrapped by the error returned for a gzip-compressed file.
var ErrGzip = errors.New("gzip-compressed")

// ErrNotHDF5 is wrapped by the error returned for a file that is not HDF5.
var ErrNotHDF5 = errors.New("not an HDF5 file")

// Sniff checks that path exists, is a regular file and starts like an HDF5
// file. A gzip file (the form PCam is distributed in) gets an error that
// says how to decompress it.
func Sniff(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: no such file", path)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s: is a directory, want an HDF5 file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if n >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		return fmt.Errorf("%s: %w; decompress it first (gunzip -k %s) or let `pcam fetch` do it", path, ErrGzip, path)
	}
	if st.Size() == 0 {
		return fmt.Errorf("%s: empty file, %w", path, ErrNotHDF5)
	}
	for off := int64(0); off+8 <= st.Size(); {
		if off > 0 {
			if _, err := f.ReadAt(head[:8], off); err != nil {
				break
			}
		}
		if len(head) == 8 && bytes.Equal(head[:8], hdf5Signature) {
			return nil
		}
		if off == 0 {
			off = 512
		} else {
			off *= 2
		}
		if off > 1<<20 {
			break
		}
	}
	return fmt.Errorf("%s: %w (no HDF5 signature)", path, ErrNotHDF5)
}
