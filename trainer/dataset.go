package trainer

import (
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
)

// Positionable is implemented by datasets whose batch order can be restored; see the package
// documentation. After SetPosition(epoch, batch), the next Iter() must yield the batches of
// epoch `epoch` (0-based) starting at batch `batch` (0-based), identically to an uninterrupted
// run.
type Positionable interface {
	SetPosition(epoch, batch int) error
}

// Sized is optionally implemented by datasets that know how many batches one Iter() yields.
type Sized interface {
	NumBatches() int
}

// MemoryDataset is an in-memory dataset of float32 images [N, H, W, 3] and float32 0/1 labels.
// It is the reference implementation of Positionable: epoch e's order is a permutation drawn
// from (Seed, e) only. The last partial batch is dropped when DropRemainder is set.
type MemoryDataset struct {
	name          string
	images        []float32
	labels        []float32
	n, h, w       int
	batch         int
	shuffle       bool
	seed          int64
	dropRemainder bool

	epoch, startBatch int
}

var (
	_ train.Dataset = (*MemoryDataset)(nil)
	_ Positionable  = (*MemoryDataset)(nil)
	_ Sized         = (*MemoryDataset)(nil)
)

// NewMemoryDataset creates a MemoryDataset. images holds n*h*w*3 values (NHWC), labels n values.
func NewMemoryDataset(name string, images, labels []float32, n, h, w, batch int,
	shuffle bool, seed int64, dropRemainder bool) (*MemoryDataset, error) {
	if n <= 0 || h <= 0 || w <= 0 || batch <= 0 {
		return nil, fmt.Errorf("trainer: NewMemoryDataset(%q): n, h, w and batch must be > 0", name)
	}
	if len(images) != n*h*w*3 {
		return nil, fmt.Errorf("trainer: NewMemoryDataset(%q): %d image values, want n*h*w*3 = %d", name, len(images), n*h*w*3)
	}
	if len(labels) != n {
		return nil, fmt.Errorf("trainer: NewMemoryDataset(%q): %d labels, want %d", name, len(labels), n)
	}
	return &MemoryDataset{name: name, images: images, labels: labels, n: n, h: h, w: w,
		batch: batch, shuffle: shuffle, seed: seed, dropRemainder: dropRemainder}, nil
}

// Name implements train.Dataset.
func (d *MemoryDataset) Name() string { return d.name }

// SetPosition implements Positionable.
func (d *MemoryDataset) SetPosition(epoch, batch int) error {
	if epoch < 0 || batch < 0 || batch > d.NumBatches() {
		return fmt.Errorf("trainer: %s: invalid position epoch=%d batch=%d", d.name, epoch, batch)
	}
	d.epoch, d.startBatch = epoch, batch
	return nil
}

// NumBatches implements Sized.
func (d *MemoryDataset) NumBatches() int {
	if d.dropRemainder {
		return d.n / d.batch
	}
	return (d.n + d.batch - 1) / d.batch
}

// order returns the example order of the current epoch.
func (d *MemoryDataset) order() []int {
	idx := make([]int, d.n)
	for i := range idx {
		idx[i] = i
	}
	if d.shuffle {
		rng := rand.New(rand.NewPCG(uint64(d.seed), uint64(d.epoch)))
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	return idx
}

// Iter implements train.Dataset. Each call yields the epoch set by SetPosition (default 0)
// from its start batch, then advances to the next epoch.
func (d *MemoryDataset) Iter() iter.Seq2[train.Batch, error] {
	order := d.order()
	start := d.startBatch
	d.epoch++
	d.startBatch = 0
	return func(yield func(train.Batch, error) bool) {
		imgSize := d.h * d.w * 3
		for b := start; b < d.NumBatches(); b++ {
			lo := b * d.batch
			hi := min(lo+d.batch, d.n)
			m := hi - lo
			imgs := make([]float32, 0, m*imgSize)
			labels := make([]float32, 0, m)
			for _, i := range order[lo:hi] {
				imgs = append(imgs, d.images[i*imgSize:(i+1)*imgSize]...)
				labels = append(labels, d.labels[i])
			}
			batch := train.Batch{
				Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(imgs, m, d.h, d.w, 3)},
				Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, m, 1)},
			}
			if !yield(batch, nil) {
				return
			}
		}
	}
}
