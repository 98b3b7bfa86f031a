package vball

import (
	"container/list"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
)

// DatasetConfig configures a Dataset. The zero value of every optional field picks a default.
type DatasetConfig struct {
	// Seq is the number of consecutive frames per sequence (train_v3.py --seq). Required.
	Seq int
	// Grayscale stores frames with 1 channel instead of 3 (--grayscale).
	Grayscale bool
	// Height, Width resize frames and heatmaps when loaded (0: the files' size). The uint8
	// storage and the model then work at this size.
	Height, Width int
	// Batch is the batch size (default 4).
	Batch int
	// Shuffle draws a new order every epoch from (Seed, epoch).
	Shuffle bool
	// Flip applies the joint left-right flip of frames and heatmaps to half the sequences,
	// drawn from (Seed, epoch).
	Flip bool
	// Seed seeds Shuffle and Flip.
	Seed int64
	// DropRemainder drops the last partial batch.
	DropRemainder bool
	// Preload decodes every frame and heatmap once into uint8 memory (--preload_memory).
	// Otherwise frames are read from disk on demand through a bounded cache.
	Preload bool
	// CacheFrames bounds the disk-mode cache (frame+heatmap pairs; default 4·Batch·Seq).
	CacheFrames int
	// Prefetch is how many batches a background goroutine prepares ahead (default 2).
	Prefetch int
	// Workers decoding images in parallel (default GOMAXPROCS).
	Workers int
	// Progress, if set, is called while preloading with the frames done and the total.
	Progress func(done, total int)
}

// Dataset is the memory-efficient sequence dataset of train_v3.py's MemoryEfficientDataset:
// frames and heatmaps are held as uint8 (preloaded, or cached from disk) and normalised to
// float32 only when a batch is built. It implements GoMLX's train.Dataset; batches are
// inputs [N, H, W, Seq·C] (frame t occupies channels t·C…t·C+C-1) and labels [N, H, W, Seq],
// both float32 in [0, 1].
type Dataset struct {
	name     string
	split    *Split
	cfg      DatasetConfig
	windows  []Window
	first    []int // Global index of each rally's first frame.
	h, w, c  int   // Storage size and channels.
	nFrames  int
	frames   [][]uint8 // Preloaded frames [h*w*c] (nil in disk mode).
	heatmaps [][]uint8 // Preloaded heatmaps [h*w].
	cache    *frameCache

	epoch, startBatch int
}

var _ train.Dataset = (*Dataset)(nil)

// NewDataset creates the dataset of the split's Seq-frame windows; with cfg.Preload it decodes
// everything now (reporting progress), otherwise it only reads image headers (done by ScanSplit).
func NewDataset(name string, split *Split, cfg DatasetConfig) (*Dataset, error) {
	if split == nil {
		return nil, errors.New("vball: NewDataset: nil split")
	}
	if cfg.Seq < 1 {
		return nil, fmt.Errorf("vball: NewDataset(%q): seq must be >= 1, got %d", name, cfg.Seq)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 4
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 2
	}
	if cfg.CacheFrames <= 0 {
		cfg.CacheFrames = 4 * cfg.Batch * cfg.Seq
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if (cfg.Height > 0) != (cfg.Width > 0) || cfg.Height < 0 || cfg.Width < 0 {
		return nil, fmt.Errorf("vball: NewDataset(%q): give both height and width (or neither), got %dx%d", name, cfg.Width, cfg.Height)
	}
	d := &Dataset{name: name, split: split, cfg: cfg, windows: Windows(split, cfg.Seq),
		h: split.Height, w: split.Width, c: 3}
	if cfg.Height > 0 {
		d.h, d.w = cfg.Height, cfg.Width
	}
	if cfg.Grayscale {
		d.c = 1
	}
	if len(d.windows) == 0 {
		return nil, fmt.Errorf("vball: dataset %q (%s): no rally has %d frames", name, split.Dir, cfg.Seq)
	}
	for _, r := range split.Rallies {
		d.first = append(d.first, d.nFrames)
		d.nFrames += len(r.Frames)
	}
	if cfg.Preload {
		if err := d.preload(); err != nil {
			return nil, err
		}
	} else {
		d.cache = newFrameCache(cfg.CacheFrames)
	}
	return d, nil
}

// PreloadGCPercent is the GOGC value used while preloading. Decoding leaves garbage (the
// decoded JPEG planes) about as large as what is kept; with Go's default GOGC=100 the heap may
// grow to twice the live data before a collection, so peak RSS would approach 2× the uint8
// bytes. The uint8 buffers hold no pointers, so frequent collections are cheap.
var PreloadGCPercent = 10

// preload decodes every frame and heatmap in parallel.
func (d *Dataset) preload() error {
	if PreloadGCPercent > 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(PreloadGCPercent))
	}
	d.frames = make([][]uint8, d.nFrames)
	d.heatmaps = make([][]uint8, d.nFrames)
	jobs := make(chan int)
	errs := make(chan error, d.cfg.Workers)
	var done sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for range d.cfg.Workers {
		done.Add(1)
		go func() {
			defer done.Done()
			for g := range jobs {
				f, h, err := d.decode(g)
				if err != nil {
					errs <- err
					for range jobs { // Drain.
					}
					return
				}
				d.frames[g], d.heatmaps[g] = f, h
				if d.cfg.Progress != nil {
					mu.Lock()
					count++
					d.cfg.Progress(count, d.nFrames)
					mu.Unlock()
				}
			}
		}()
	}
	for g := range d.nFrames {
		jobs <- g
	}
	close(jobs)
	done.Wait()
	close(errs)
	if err := <-errs; err != nil {
		d.frames, d.heatmaps = nil, nil
		return fmt.Errorf("vball: preloading %q: %w", d.name, err)
	}
	return nil
}

// locate maps a global frame index to its files.
func (d *Dataset) locate(g int) (frame, heatmap string) {
	r := 0
	for r+1 < len(d.first) && d.first[r+1] <= g {
		r++
	}
	k := g - d.first[r]
	return d.split.Rallies[r].Frames[k], d.split.Rallies[r].Heatmaps[k]
}

// decode reads frame g and its heatmap from disk as uint8 at the storage size.
func (d *Dataset) decode(g int) (frame, heatmap []uint8, err error) {
	fp, hp := d.locate(g)
	frame, _, _, err = DecodeImage(fp, d.c, d.h, d.w)
	if err != nil {
		return nil, nil, err
	}
	heatmap, _, _, err = DecodeImage(hp, 1, d.h, d.w)
	if err != nil {
		return nil, nil, err
	}
	return frame, heatmap, nil
}

// frame returns frame g and its heatmap (preloaded, cached, or read from disk into the cache).
func (d *Dataset) frame(g int) ([]uint8, []uint8, error) {
	if d.frames != nil {
		return d.frames[g], d.heatmaps[g], nil
	}
	if f, h, ok := d.cache.get(g); ok {
		return f, h, nil
	}
	f, h, err := d.decode(g)
	if err != nil {
		return nil, nil, err
	}
	d.cache.put(g, f, h)
	return f, h, nil
}

// Name implements train.Dataset.
func (d *Dataset) Name() string { return d.name }

// Len is the number of sequences (windows).
func (d *Dataset) Len() int { return len(d.windows) }

// Size returns the storage height, width and frame channels.
func (d *Dataset) Size() (h, w, c int) { return d.h, d.w, d.c }

// Split returns the scanned split.
func (d *Dataset) Split() *Split { return d.split }

// Config returns the dataset configuration (with defaults filled in).
func (d *Dataset) Config() DatasetConfig { return d.cfg }

// NumBatches is the number of batches per epoch.
func (d *Dataset) NumBatches() int {
	if d.cfg.DropRemainder {
		return len(d.windows) / d.cfg.Batch
	}
	return (len(d.windows) + d.cfg.Batch - 1) / d.cfg.Batch
}

// SetPosition makes the next Iter yield epoch `epoch` from batch `batch` (for resuming).
func (d *Dataset) SetPosition(epoch, batch int) error {
	if epoch < 0 || batch < 0 || batch > d.NumBatches() {
		return fmt.Errorf("vball: %s: invalid position epoch=%d batch=%d", d.name, epoch, batch)
	}
	d.epoch, d.startBatch = epoch, batch
	return nil
}

// EpochOrder returns the sequence order and flip decisions of the given epoch.
func (d *Dataset) EpochOrder(epoch int) (order []int, flips []bool) {
	n := len(d.windows)
	order = make([]int, n)
	for i := range order {
		order[i] = i
	}
	flips = make([]bool, n)
	rng := rand.New(rand.NewPCG(uint64(d.cfg.Seed), uint64(epoch)))
	if d.cfg.Shuffle {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	if d.cfg.Flip {
		for i := range flips {
			flips[i] = rng.IntN(2) == 1
		}
	}
	return order, flips
}

// Sequence returns sequence i as uint8: frames [H, W, Seq·C] and heatmaps [H, W, Seq], flipped
// left-right (both) when flip is set.
func (d *Dataset) Sequence(i int, flip bool) (frames, heatmaps []uint8, err error) {
	if i < 0 || i >= len(d.windows) {
		return nil, nil, fmt.Errorf("vball: %s: sequence %d out of range [0, %d)", d.name, i, len(d.windows))
	}
	seq, h, w, c := d.cfg.Seq, d.h, d.w, d.c
	frames = make([]uint8, h*w*seq*c)
	heatmaps = make([]uint8, h*w*seq)
	win := d.windows[i]
	g0 := d.first[win.Rally] + win.Start
	for t := range seq {
		f, hm, err := d.frame(g0 + t)
		if err != nil {
			return nil, nil, fmt.Errorf("vball: %s: %w", d.name, err)
		}
		for y := range h {
			for x := range w {
				sx := x
				if flip {
					sx = w - 1 - x
				}
				copy(frames[(y*w+x)*seq*c+t*c:][:c], f[(y*w+sx)*c:][:c])
				heatmaps[(y*w+x)*seq+t] = hm[y*w+sx]
			}
		}
	}
	return frames, heatmaps, nil
}

// MakeBatch builds the float32 batch of the given sequences: inputs [N, H, W, Seq·C] and labels
// [N, H, W, Seq], uint8/255, written directly into the tensors' buffers. flips may be nil.
func (d *Dataset) MakeBatch(indices []int, flips []bool) (inputs, labels *tensors.Tensor, err error) {
	n := len(indices)
	seq, h, w, c := d.cfg.Seq, d.h, d.w, d.c
	inputs = tensors.FromShape(shapes.Make(dtypes.Float32, n, h, w, seq*c))
	labels = tensors.FromShape(shapes.Make(dtypes.Float32, n, h, w, seq))
	errs := make([]error, n)
	fill := func(xs, ys []float32) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, d.cfg.Workers)
		for k, i := range indices {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				flip := flips != nil && flips[k]
				f, hm, err := d.Sequence(i, flip)
				if err != nil {
					errs[k] = err
					return
				}
				ToFloat(xs[k*len(f):(k+1)*len(f)], f)
				ToFloat(ys[k*len(hm):(k+1)*len(hm)], hm)
			}()
		}
		wg.Wait()
	}
	err = tensors.MutableFlatData(inputs, func(xs []float32) {
		err = tensors.MutableFlatData(labels, func(ys []float32) { fill(xs, ys) })
	})
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		_ = inputs.FinalizeAll()
		_ = labels.FinalizeAll()
		return nil, nil, err
	}
	return inputs, labels, nil
}

// ToFloat normalises uint8 values to float32 in [0, 1] (dst[i] = src[i]/255).
func ToFloat(dst []float32, src []uint8) {
	for i, v := range src {
		dst[i] = float32(v) * (1.0 / 255)
	}
}

// Iter implements train.Dataset: it yields the epoch set by SetPosition (default: the next one)
// from its start batch, prepared by a background goroutine Prefetch batches ahead.
func (d *Dataset) Iter() iter.Seq2[train.Batch, error] {
	order, flips := d.EpochOrder(d.epoch)
	start, nb, bs := d.startBatch, d.NumBatches(), d.cfg.Batch
	d.epoch++
	d.startBatch = 0
	return func(yield func(train.Batch, error) bool) {
		type item struct {
			b   train.Batch
			err error
		}
		ch := make(chan item, d.cfg.Prefetch)
		stop := make(chan struct{})
		go func() {
			defer close(ch)
			for b := start; b < nb; b++ {
				lo, hi := b*bs, min((b+1)*bs, len(order))
				x, y, err := d.MakeBatch(order[lo:hi], flips[lo:hi])
				it := item{err: err}
				if err == nil {
					it.b = train.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}}
				}
				select {
				case ch <- it:
				case <-stop:
					if err == nil {
						_ = it.b.Finalize()
					}
					return
				}
				if err != nil {
					return
				}
			}
		}()
		defer func() {
			close(stop)
			for it := range ch {
				if it.err == nil {
					_ = it.b.Finalize()
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

// frameCache is a mutex-protected LRU cache of decoded frames and heatmaps.
type frameCache struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[int]*list.Element
	hits  int64
	miss  int64
}

type cacheEntry struct {
	g       int
	frame   []uint8
	heatmap []uint8
}

func newFrameCache(capacity int) *frameCache {
	return &frameCache{cap: capacity, ll: list.New(), items: make(map[int]*list.Element)}
}

func (c *frameCache) get(g int) ([]uint8, []uint8, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[g]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		ent := e.Value.(*cacheEntry)
		return ent.frame, ent.heatmap, true
	}
	c.miss++
	return nil, nil, false
}

func (c *frameCache) put(g int, f, h []uint8) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[g]; ok {
		return
	}
	c.items[g] = c.ll.PushFront(&cacheEntry{g, f, h})
	for c.ll.Len() > c.cap {
		e := c.ll.Back()
		c.ll.Remove(e)
		delete(c.items, e.Value.(*cacheEntry).g)
	}
}

// stats returns the number of cached entries, hits and misses.
func (c *frameCache) stats() (n int, hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len(), c.hits, c.miss
}
