package h5io

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// rawWriter streams a dataset's bytes, in row order, straight into its
// preallocated storage: whole 4 KiB-aligned blocks with O_DIRECT (bypassing
// the page cache, whose dirty-page throttling caps buffered writes of large
// files far below what the disk can take), and the unaligned head and tail
// with ordinary writes. It is used for "x" when its chunks were allocated
// early and lie back to back in row order.
type rawWriter struct {
	direct, buffered *os.File
	segs             []segment // the dataset's storage, in row order
	seg              int       // current segment
	base, size       int64     // current segment's region in the file
	pos              int64     // next byte to write, relative to base
	stage            []byte
	staged           int
}

// segment is a run of the file holding consecutive bytes of the dataset
// (one chunk, or several chunks that lie back to back).
type segment struct{ addr, size int64 }

const rawAlign = 4096

func newRawWriter(path string, segs []segment) (*rawWriter, error) {
	buffered, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	direct, err := os.OpenFile(path, os.O_WRONLY|syscall.O_DIRECT, 0)
	if err != nil {
		direct = nil // e.g. tmpfs: everything goes through the page cache
	}
	return &rawWriter{direct: direct, buffered: buffered, segs: segs, base: segs[0].addr, size: segs[0].size, stage: alignedBuffer(8 << 20)}, nil
}

// alignedBuffer returns n bytes starting at a rawAlign-aligned address.
func alignedBuffer(n int) []byte {
	b := make([]byte, n+rawAlign)
	off := int(uintptr(unsafe.Pointer(&b[0])) & (rawAlign - 1))
	if off != 0 {
		off = rawAlign - off
	}
	return b[off : off+n : off+n]
}

// write appends p to the stream, moving from segment to segment.
func (r *rawWriter) write(p []byte) error {
	for len(p) > 0 {
		room := r.size - r.pos - int64(r.staged)
		if room == 0 {
			if err := r.nextSegment(); err != nil {
				return err
			}
			continue
		}
		n := int(min(int64(len(p)), room))
		if err := r.writeSeg(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// nextSegment flushes the current segment and starts the next one.
func (r *rawWriter) nextSegment() error {
	if err := r.flush(true); err != nil {
		return err
	}
	if r.seg+1 >= len(r.segs) {
		return fmt.Errorf("raw write past the end of the dataset")
	}
	r.seg++
	r.base, r.size, r.pos = r.segs[r.seg].addr, r.segs[r.seg].size, 0
	return nil
}

// writeSeg appends p, which fits, to the current segment.
func (r *rawWriter) writeSeg(p []byte) error {
	for len(p) > 0 {
		if r.pos == 0 && r.staged == 0 {
			// Head: up to the first aligned file offset, written buffered.
			head := int((rawAlign - (r.base % rawAlign)) % rawAlign)
			if head > 0 {
				head = min(head, len(p))
				if _, err := r.buffered.WriteAt(p[:head], r.base); err != nil {
					return err
				}
				r.pos += int64(head)
				p = p[head:]
				continue
			}
		}
		n := copy(r.stage[r.staged:], p)
		r.staged += n
		p = p[n:]
		if r.staged == len(r.stage) {
			if err := r.flush(false); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the staged bytes: whole aligned blocks directly; with final
// set, the remainder through the page cache.
func (r *rawWriter) flush(final bool) error {
	whole := r.staged &^ (rawAlign - 1)
	off := r.base + r.pos
	if whole > 0 {
		f := r.direct
		if f == nil || off%rawAlign != 0 {
			f = r.buffered
		}
		if _, err := f.WriteAt(r.stage[:whole], off); err != nil {
			// Some filesystems accept O_DIRECT at open and refuse it here.
			if f != r.direct {
				return err
			}
			if _, err := r.buffered.WriteAt(r.stage[:whole], off); err != nil {
				return err
			}
		}
	}
	rest := r.staged - whole
	if final && rest > 0 {
		if _, err := r.buffered.WriteAt(r.stage[whole:r.staged], off+int64(whole)); err != nil {
			return err
		}
		whole += rest
	}
	copy(r.stage, r.stage[whole:r.staged])
	r.pos += int64(whole)
	r.staged -= whole
	return nil
}

// close flushes everything and closes the descriptors.
func (r *rawWriter) close() error {
	err := r.flush(true)
	if r.direct != nil {
		if cerr := r.direct.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := r.buffered.Close(); err == nil {
		err = cerr
	}
	return err
}
