package dataprep

import (
	"fmt"
	"runtime"
	"sync"
)

// Source is a split's images, read by row range. *h5io.Split implements it;
// MemSource holds images in memory (tests, notebooks).
type Source interface {
	Len() int
	ImageBytes() int
	Name() string
	ReadX(start, count int, dst []byte) error
}

// MemSource is an in-memory Source over N images of ImageSize bytes each.
type MemSource struct {
	Images    []byte
	ImageSize int
	Label     string // name used in messages (default "memory")
}

// Len implements Source.
func (m *MemSource) Len() int { return len(m.Images) / m.ImageSize }

// ImageBytes implements Source.
func (m *MemSource) ImageBytes() int { return m.ImageSize }

// Name implements Source.
func (m *MemSource) Name() string {
	if m.Label == "" {
		return "memory"
	}
	return m.Label
}

// ReadX implements Source.
func (m *MemSource) ReadX(start, count int, dst []byte) error {
	if start < 0 || count < 0 || start+count > m.Len() {
		return fmt.Errorf("%s: rows [%d,%d) out of range [0,%d)", m.Name(), start, start+count, m.Len())
	}
	copy(dst, m.Images[start*m.ImageSize:(start+count)*m.ImageSize])
	return nil
}

// BatchOptions controls the batched passes over a split.
type BatchOptions struct {
	// Batch is the guide's batch: images per step of a cell (default
	// 50,000). Results do not depend on it.
	Batch int
	// BlockRows is the I/O block: images read per HDF5 call (default 1024,
	// capped at Batch). Memory held is about 2 blocks, whatever Batch is.
	BlockRows int
	// Workers is the number of goroutines hashing and summing (default
	// GOMAXPROCS).
	Workers int
	// Progress, if set, is called after each block with the images done and
	// the total.
	Progress func(done, total int)
}

// DefaultBatchOptions returns the guide's batch of 50,000 images.
func DefaultBatchOptions() BatchOptions { return BatchOptions{Batch: 50_000} }

func (o BatchOptions) normalized() BatchOptions {
	if o.Batch <= 0 {
		o.Batch = 50_000
	}
	if o.BlockRows <= 0 {
		o.BlockRows = 1024
	}
	o.BlockRows = min(o.BlockRows, o.Batch)
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// block is a run of images read ahead by prefetch.
type block struct {
	start, n int
	buf      []byte
	err      error
}

// prefetch reads count images, block by block, in a background goroutine
// with nbuf buffers in flight; the consumer returns each buffer on free.
// Blocks never straddle a multiple of batch. Closing quit stops it early.
func prefetch(src Source, count int, rowAt func(int) int, blockRows, batch, nbuf int, quit <-chan struct{}) (full <-chan block, free chan<- []byte) {
	ib := src.ImageBytes()
	freeCh := make(chan []byte, nbuf)
	for i := 0; i < nbuf; i++ {
		freeCh <- make([]byte, blockRows*ib)
	}
	fullCh := make(chan block, nbuf-1)
	go func() {
		defer close(fullCh)
		for start := 0; start < count; {
			n := min(blockRows, count-start, batch-start%batch)
			var buf []byte
			select {
			case buf = <-freeCh:
			case <-quit:
				return
			}
			b := block{start: start, n: n, buf: buf}
			b.err = readRows(src, start, n, rowAt, buf)
			select {
			case fullCh <- b:
			case <-quit:
				return
			}
			if b.err != nil {
				return
			}
			start += n
		}
	}()
	return fullCh, freeCh
}

// forEachImage calls fn(k, img) for every k in [0, count) with the image at
// row rowAt(k), reading blocks in a background goroutine while workers
// process the previous one. fn is called concurrently for different k.
func forEachImage(src Source, count int, rowAt func(k int) int, o BatchOptions, fn func(k int, img []byte)) error {
	o = o.normalized()
	ib := src.ImageBytes()
	quit := make(chan struct{})
	defer close(quit)
	full, free := prefetch(src, count, rowAt, o.BlockRows, o.Batch, 2, quit)
	done := 0
	for b := range full {
		if b.err != nil {
			return b.err
		}
		var wg sync.WaitGroup
		per := (b.n + o.Workers - 1) / o.Workers
		for w := 0; w < b.n; w += per {
			wg.Add(1)
			go func(lo, hi int) {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					fn(b.start+i, b.buf[i*ib:(i+1)*ib])
				}
			}(w, min(w+per, b.n))
		}
		wg.Wait()
		free <- b.buf
		done += b.n
		if o.Progress != nil {
			o.Progress(done, count)
		}
	}
	return nil
}

// readRows reads the images at rows rowAt(start…start+n-1) into buf,
// coalescing consecutive rows into one read.
func readRows(src Source, start, n int, rowAt func(int) int, buf []byte) error {
	ib := src.ImageBytes()
	for i := 0; i < n; {
		j := i + 1
		for j < n && rowAt(start+j) == rowAt(start+j-1)+1 {
			j++
		}
		if err := src.ReadX(rowAt(start+i), j-i, buf[i*ib:j*ib]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

func identity(k int) int { return k }

// Fingerprints computes the fingerprint of every image, batch by batch
// (guide cell 6).
func Fingerprints(src Source, o BatchOptions) ([]Fingerprint, error) {
	fps := make([]Fingerprint, src.Len())
	err := forEachImage(src, src.Len(), identity, o, func(k int, img []byte) { fps[k] = HashImage(img) })
	if err != nil {
		return nil, fmt.Errorf("fingerprints: %w", err)
	}
	return fps, nil
}

// Duplicates is the result of exact-duplicate detection.
type Duplicates struct {
	// Of[i] is -1 when row i is the first occurrence of its content, else
	// the first row whose bytes equal row i's.
	Of []int
	// Count is the number of rows that repeat an earlier row.
	Count int
}

// IsDuplicate reports whether row i repeats an earlier row.
func (d Duplicates) IsDuplicate(i int) bool { return d.Of[i] >= 0 }

// FirstOccurrences returns the rows that are not duplicates, ascending.
func (d Duplicates) FirstOccurrences() []int {
	out := make([]int, 0, len(d.Of)-d.Count)
	for i, v := range d.Of {
		if v < 0 {
			out = append(out, i)
		}
	}
	return out
}

// Pairs returns up to max (duplicate row, first row) pairs, for display.
func (d Duplicates) Pairs(max int) [][2]int {
	var out [][2]int
	for i, v := range d.Of {
		if v >= 0 && len(out) < max {
			out = append(out, [2]int{i, v})
		}
	}
	return out
}

// FindDuplicates marks exact duplicates: rows whose bytes equal an earlier
// row's. The first occurrence is kept. Rows with equal fingerprints are
// compared byte by byte (reading both from src), so a hash collision can
// never drop a distinct image.
func FindDuplicates(src Source, fps []Fingerprint) (Duplicates, error) {
	if len(fps) != src.Len() {
		return Duplicates{}, fmt.Errorf("%s: %d fingerprints for %d images", src.Name(), len(fps), src.Len())
	}
	d := Duplicates{Of: make([]int, len(fps))}
	first := make(map[Fingerprint]int32, len(fps))
	var others map[Fingerprint][]int32 // distinct contents sharing a fingerprint (never seen in practice)
	ib := src.ImageBytes()
	a, b := make([]byte, ib), make([]byte, ib)
	for i, fp := range fps {
		d.Of[i] = -1
		j0, ok := first[fp]
		if !ok {
			first[fp] = int32(i)
			continue
		}
		if err := src.ReadX(i, 1, a); err != nil {
			return d, err
		}
		for _, j := range append([]int32{j0}, others[fp]...) {
			if err := src.ReadX(int(j), 1, b); err != nil {
				return d, err
			}
			if string(a) == string(b) {
				d.Of[i] = int(j)
				d.Count++
				break
			}
		}
		if d.Of[i] < 0 {
			if others == nil {
				others = map[Fingerprint][]int32{}
			}
			others[fp] = append(others[fp], int32(i))
		}
	}
	return d, nil
}

// MeanIntensities returns the mean intensity (0–255, over all pixels and
// channels) of the images at the given rows, batch by batch (guide cell 7).
func MeanIntensities(src Source, rows []int, o BatchOptions) ([]float64, error) {
	means := make([]float64, len(rows))
	ib := float64(src.ImageBytes())
	err := forEachImage(src, len(rows), func(k int) int { return rows[k] }, o, func(k int, img []byte) {
		means[k] = float64(PixelSum(img)) / ib
	})
	if err != nil {
		return nil, fmt.Errorf("mean intensity: %w", err)
	}
	return means, nil
}

// Thresholds are the mean-intensity bounds of a usable patch.
type Thresholds struct {
	Dark   float64 // drop mean < Dark (default 10)
	Bright float64 // drop mean > Bright (default 245)
}

// DefaultThresholds returns the guide's bounds: keep 10 ≤ mean ≤ 245.
func DefaultThresholds() Thresholds { return Thresholds{Dark: 10, Bright: 245} }

// Validate checks that the bounds make sense.
func (t Thresholds) Validate() error {
	if t.Dark < 0 || t.Bright > 255 || t.Dark > t.Bright {
		return fmt.Errorf("thresholds: want 0 ≤ --dark (%g) ≤ --bright (%g) ≤ 255", t.Dark, t.Bright)
	}
	return nil
}

// Classify returns the verdict for a mean: -1 too dark, +1 too bright, 0 kept.
func (t Thresholds) Classify(mean float64) int {
	switch {
	case mean < t.Dark:
		return -1
	case mean > t.Bright:
		return 1
	}
	return 0
}

// IntensityFilter splits rows (with their means) into kept, too dark and
// too bright.
func IntensityFilter(rows []int, means []float64, t Thresholds) (kept, tooDark, tooBright []int) {
	for k, r := range rows {
		switch t.Classify(means[k]) {
		case -1:
			tooDark = append(tooDark, r)
		case 1:
			tooBright = append(tooBright, r)
		default:
			kept = append(kept, r)
		}
	}
	return kept, tooDark, tooBright
}
