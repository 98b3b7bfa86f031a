package datasets

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/pcamgo/pcamgo/h5io"
)

// Options configures a PCam dataset.
type Options struct {
	Name      string  // for logs and plots (default: the file name)
	BatchSize int     // images per batch (default 64, the guide's; Option 3 lowers it)
	Shuffle   bool    // a new permutation each epoch
	Seed      uint64  // seeds the order and the augmentation
	Augment   Augment // zero value: no augmentation (evaluation)
	// DType of the image batches: "float32" (default), "float16" or
	// "bfloat16" (Option 2: half the batch memory).
	DType string
	// Stream reads batches from the file on demand (Option 4) instead of
	// preloading the split into memory.
	Stream bool
	// Prefetch is the number of batches prepared ahead in the background
	// (default 2).
	Prefetch int
	// DropRemainder drops the last partial batch of an epoch.
	DropRemainder bool
	// Rows restricts the dataset to these rows of the file (a subsample
	// or a hold-out); nil means every row.
	Rows []int
	// Progress, if set, is called while preloading with rows done and total.
	Progress func(done, total int)
}

// PCam is a train.Dataset over a PCam split. It also implements the
// trainer's Positionable and Sized interfaces.
type PCam struct {
	opts   Options
	split  *h5io.Split
	owns   bool    // whether Close closes split
	rows   []int   // file rows in this dataset
	labels []uint8 // per file row
	data   []byte  // preloaded images, len(rows)×ImageBytes (nil when streaming)
	free   func()  // releases data
	dtype  dtypes.DType

	epoch, startBatch int
}

var _ train.Dataset = (*PCam)(nil)

// Open opens a split (yPath may be empty when xPath holds both keys) as a
// dataset.
func Open(xPath, yPath string, o Options) (*PCam, error) {
	s, err := h5io.Open(xPath, yPath)
	if err != nil {
		return nil, err
	}
	d, err := FromSplit(s, o)
	if err != nil {
		s.Close()
		return nil, err
	}
	d.owns = true
	return d, nil
}

// FromSplit builds a dataset over an open split; the caller keeps
// ownership of s (Close does not close it).
func FromSplit(s *h5io.Split, o Options) (*PCam, error) {
	if o.BatchSize == 0 {
		o.BatchSize = 64
	}
	if o.BatchSize < 0 {
		return nil, fmt.Errorf("%s: batch size must be positive, got %d", s.XPath, o.BatchSize)
	}
	if o.Prefetch <= 0 {
		o.Prefetch = 2
	}
	if o.Name == "" {
		o.Name = s.XPath
	}
	d := &PCam{opts: o, split: s}
	var err error
	if d.dtype, err = ParseDType(o.DType); err != nil {
		return nil, fmt.Errorf("%s: %w", s.XPath, err)
	}
	if d.labels, err = s.Labels(); err != nil {
		return nil, err
	}
	d.rows = o.Rows
	if d.rows == nil {
		d.rows = make([]int, s.N)
		for i := range d.rows {
			d.rows[i] = i
		}
	}
	for _, r := range d.rows {
		if r < 0 || r >= s.N {
			return nil, fmt.Errorf("%s: row %d out of range [0,%d)", s.XPath, r, s.N)
		}
	}
	if len(d.rows) == 0 {
		return nil, fmt.Errorf("%s: empty dataset (no rows selected)", s.XPath)
	}
	if !o.Stream {
		if err := d.preload(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// ParseDType maps "float32" (or ""), "float16" and "bfloat16" to dtypes.
func ParseDType(s string) (dtypes.DType, error) {
	switch s {
	case "", "float32":
		return dtypes.Float32, nil
	case "float16":
		return dtypes.Float16, nil
	case "bfloat16":
		return dtypes.BFloat16, nil
	}
	return dtypes.InvalidDType, fmt.Errorf("unknown batch dtype %q (want float32, float16 or bfloat16)", s)
}

func (d *PCam) preload() error {
	ib := d.split.ImageBytes()
	d.data, d.free = allocSlab(len(d.rows) * ib)
	const step = 1024
	for start := 0; start < len(d.rows); start += step {
		end := min(start+step, len(d.rows))
		if err := d.split.ReadRows(d.rows[start:end], d.data[start*ib:end*ib]); err != nil {
			return err
		}
		if d.opts.Progress != nil {
			d.opts.Progress(end, len(d.rows))
		}
	}
	return nil
}

// Close releases the file when the dataset opened it.
func (d *PCam) Close() error {
	if d.free != nil {
		d.free()
		d.free = nil
	}
	d.data = nil
	if d.owns {
		return d.split.Close()
	}
	return nil
}

// Name implements train.Dataset.
func (d *PCam) Name() string { return d.opts.Name }

// Len returns the number of images.
func (d *PCam) Len() int { return len(d.rows) }

// Labels returns the labels of the dataset's images, in dataset order.
func (d *PCam) Labels() []uint8 {
	out := make([]uint8, len(d.rows))
	for i, r := range d.rows {
		out[i] = d.labels[r]
	}
	return out
}

// ImageShape returns height, width and channels.
func (d *PCam) ImageShape() (h, w, c int) { return d.split.H, d.split.W, d.split.C }

// NumBatches returns the batches in one epoch.
func (d *PCam) NumBatches() int {
	if d.opts.DropRemainder {
		return len(d.rows) / d.opts.BatchSize
	}
	return (len(d.rows) + d.opts.BatchSize - 1) / d.opts.BatchSize
}

// SetPosition makes the next Iter start at the given epoch and batch.
func (d *PCam) SetPosition(epoch, batch int) error {
	if epoch < 0 || batch < 0 || batch > d.NumBatches() {
		return fmt.Errorf("%s: invalid position epoch %d batch %d", d.opts.Name, epoch, batch)
	}
	d.epoch, d.startBatch = epoch, batch
	return nil
}

// Epoch returns the epoch the next Iter will yield.
func (d *PCam) Epoch() int { return d.epoch }

// Order returns the dataset positions in the order of the given epoch.
func (d *PCam) Order(epoch int) []int {
	order := make([]int, len(d.rows))
	for i := range order {
		order[i] = i
	}
	if d.opts.Shuffle {
		rng := rand.New(rand.NewPCG(d.opts.Seed, uint64(epoch)))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	return order
}

// Batch is one prepared batch with its provenance.
type Batch struct {
	Images []byte  // uint8 images after augmentation, B×H×W×C
	Labels []uint8 // B labels
	Rows   []int   // file row of each image
	aug    []imageAug
}

// Iter implements train.Dataset: it yields the epoch set by SetPosition
// (0 at first), from its start batch, and moves on to the next epoch.
// Batches are prepared by a background goroutine, Prefetch ahead.
func (d *PCam) Iter() iter.Seq2[train.Batch, error] {
	epoch, start := d.epoch, d.startBatch
	d.epoch++
	d.startBatch = 0
	return func(yield func(train.Batch, error) bool) {
		for b, err := range d.Batches(epoch, start) {
			if err != nil {
				yield(train.Batch{}, err)
				return
			}
			if !yield(d.ToTrainBatch(b), nil) {
				return
			}
		}
	}
}

// Batches yields the uint8 batches of an epoch from batch start on,
// prepared in a background goroutine. Stopping early stops the goroutine.
func (d *PCam) Batches(epoch, start int) iter.Seq2[Batch, error] {
	return func(yield func(Batch, error) bool) {
		type item struct {
			b   Batch
			err error
		}
		ch := make(chan item, d.opts.Prefetch)
		quit := make(chan struct{})
		exited := make(chan struct{})
		// Stop the producer and wait for it, so that nothing reads the
		// dataset after the caller moves on (and, say, closes it).
		defer func() {
			close(quit)
			<-exited
		}()
		order := d.Order(epoch)
		go func() {
			defer close(exited)
			defer close(ch)
			for bi := start; bi < d.NumBatches(); bi++ {
				b, err := d.MakeBatch(order, epoch, bi)
				select {
				case ch <- item{b, err}:
				case <-quit:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for it := range ch {
			if !yield(it.b, it.err) || it.err != nil {
				return
			}
		}
	}
}

// MakeBatch prepares batch bi of an epoch whose order is given (see Order).
func (d *PCam) MakeBatch(order []int, epoch, bi int) (Batch, error) {
	lo := bi * d.opts.BatchSize
	hi := min(lo+d.opts.BatchSize, len(order))
	n := hi - lo
	h, w, c := d.ImageShape()
	ib := h * w * c
	b := Batch{Images: make([]byte, n*ib), Labels: make([]uint8, n), Rows: make([]int, n)}
	pos := order[lo:hi]
	for i, p := range pos {
		b.Rows[i] = d.rows[p]
		b.Labels[i] = d.labels[d.rows[p]]
	}
	raw := b.Images
	if d.opts.Augment.Enabled() {
		raw = make([]byte, n*ib)
	}
	if d.data != nil {
		for i, p := range pos {
			copy(raw[i*ib:(i+1)*ib], d.data[p*ib:(p+1)*ib])
		}
	} else if err := d.readSorted(b.Rows, raw); err != nil {
		return b, err
	}
	if d.opts.Augment.Enabled() {
		rng := rand.New(rand.NewPCG(d.opts.Seed^0xa0a0a0a0, uint64(epoch)<<32|uint64(bi)))
		b.aug = make([]imageAug, n)
		for i := range b.aug {
			b.aug[i] = d.opts.Augment.draw(rng, h == w)
			b.aug[i].apply(b.Images[i*ib:(i+1)*ib], raw[i*ib:(i+1)*ib], h, w, c)
		}
	}
	return b, nil
}

// readSorted reads rows (in any order) into dst in that order, visiting the
// file in ascending row order so that neighbouring rows share reads.
func (d *PCam) readSorted(rows []int, dst []byte) error {
	ib := d.split.ImageBytes()
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return rows[idx[a]] < rows[idx[b]] })
	sorted := make([]int, len(rows))
	for k, i := range idx {
		sorted[k] = rows[i]
	}
	tmp := make([]byte, len(rows)*ib)
	if err := d.split.ReadRows(sorted, tmp); err != nil {
		return err
	}
	for k, i := range idx {
		copy(dst[i*ib:(i+1)*ib], tmp[k*ib:(k+1)*ib])
	}
	return nil
}

// ToTrainBatch converts a batch to GoMLX tensors: images B×H×W×C in the
// dataset's dtype, scaled to [0, 1] (with brightness/contrast jitter when
// augmenting), and labels B×1 float32.
func (d *PCam) ToTrainBatch(b Batch) train.Batch {
	h, w, c := d.ImageShape()
	n := len(b.Labels)
	f := make([]float32, len(b.Images))
	ib := h * w * c
	for i := 0; i < n; i++ {
		scale, shift := float32(1), float32(0)
		if b.aug != nil {
			scale, shift = b.aug[i].scale, b.aug[i].shift
		}
		px := b.Images[i*ib : (i+1)*ib]
		out := f[i*ib : (i+1)*ib]
		if scale == 1 && shift == 0 {
			for j, v := range px {
				out[j] = float32(v) * (1.0 / 255)
			}
			continue
		}
		for j, v := range px {
			out[j] = min(max((float32(v)*(1.0/255)-0.5)*scale+0.5+shift, 0), 1)
		}
	}
	labels := make([]float32, n)
	for i, l := range b.Labels {
		labels[i] = float32(l)
	}
	var images *tensors.Tensor
	switch d.dtype {
	case dtypes.Float16:
		images = tensors.FromFlatDataAndDimensions(float16.FromFloat32s(f...), n, h, w, c)
	case dtypes.BFloat16:
		bf := make([]bfloat16.BFloat16, len(f))
		for i, v := range f {
			bf[i] = bfloat16.FromFloat32(v)
		}
		images = tensors.FromFlatDataAndDimensions(bf, n, h, w, c)
	default:
		images = tensors.FromFlatDataAndDimensions(f, n, h, w, c)
	}
	return train.Batch{
		Inputs: []*tensors.Tensor{images},
		Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, n, 1)},
	}
}

// Memory describes what a dataset holds, for the guide's memory cells.
type Memory struct {
	Mode         string `json:"mode"`          // "preload" or "stream"
	Images       int    `json:"images"`        // images in the dataset
	HeldBytes    int64  `json:"held_bytes"`    // image bytes held now (uint8)
	BatchBytes   int64  `json:"batch_bytes"`   // one batch in the batch dtype
	InFlight     int64  `json:"in_flight"`     // bytes of batches prepared ahead, at most
	Float32Bytes int64  `json:"float32_bytes"` // what the split would take as float32
	UInt8Bytes   int64  `json:"uint8_bytes"`   // what the split takes as uint8
}

// Memory reports the dataset's memory use.
func (d *PCam) Memory() Memory {
	ib := int64(d.split.ImageBytes())
	n := int64(len(d.rows))
	bs := int64(d.opts.BatchSize)
	m := Memory{Mode: "preload", Images: len(d.rows), HeldBytes: int64(len(d.data)),
		BatchBytes: bs * ib * int64(d.dtype.Size()), Float32Bytes: 4 * n * ib, UInt8Bytes: n * ib}
	if d.opts.Stream {
		m.Mode = "stream"
	}
	// Each prefetched batch holds uint8 images (and a raw copy when augmenting).
	perBatch := bs * ib
	if d.opts.Augment.Enabled() {
		perBatch *= 2
	}
	m.InFlight = int64(d.opts.Prefetch+1) * perBatch
	return m
}

// HoldOut splits rows 0…n-1 into training and validation rows, putting a
// seeded fraction aside for validation (used when no --valid file is given).
func HoldOut(n int, fraction float64, seed uint64) (trainRows, validRows []int, err error) {
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("hold-out fraction %g must be in (0, 1)", fraction)
	}
	perm := rand.New(rand.NewPCG(seed, 0x401d)).Perm(n)
	k := int(float64(n)*fraction + 0.5)
	if k == 0 || k == n {
		return nil, nil, fmt.Errorf("hold-out of %g of %d images leaves an empty side", fraction, n)
	}
	validRows, trainRows = perm[:k], perm[k:]
	slices.Sort(validRows)
	slices.Sort(trainRows)
	return trainRows, validRows, nil
}
