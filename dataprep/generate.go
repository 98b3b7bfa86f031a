package dataprep

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/pcamgo/pcamgo/h5io"
)

// Splits are the three PCam splits, in the order the release lists them.
var Splits = []string{"train", "valid", "test"}

// FileNames returns the official PCam file names of a split's image and
// label files, e.g. camelyonpatch_level_2_split_train_x.h5.
func FileNames(split string) (x, y string) {
	return fmt.Sprintf("camelyonpatch_level_2_split_%s_x.h5", split),
		fmt.Sprintf("camelyonpatch_level_2_split_%s_y.h5", split)
}

// RowKind says what the synthetic generator planted in a row.
type RowKind uint8

// Kinds of synthetic rows.
const (
	Normal    RowKind = iota // a tissue patch
	Duplicate                // an exact copy of an earlier row
	Dark                     // a near-black patch (mean < 10)
	Bright                   // a near-white patch (mean > 245)
)

func (k RowKind) String() string {
	return [...]string{"normal", "duplicate", "dark", "bright"}[k]
}

// GenerateOptions configures the synthetic PCam generator.
type GenerateOptions struct {
	N          int     // images in the split
	Seed       uint64  // generator seed; the same seed gives byte-identical files
	Split      string  // "train", "valid" or "test" (each has its own stream)
	Size       int     // image height and width (PCam: 96)
	DupRate    float64 // fraction of exact duplicates (default 0.02)
	DarkRate   float64 // fraction of near-black patches (default 0.01)
	BrightRate float64 // fraction of near-white patches (default 0.01)
	Workers    int     // rendering goroutines (default GOMAXPROCS)
	// Progress, if set, is called with the number of images written so far.
	Progress func(done, total int)
}

// DefaultGenerateOptions returns the options of `pcam generate`: 96×96 RGB
// patches with 2% duplicates and 1% each of dark and bright patches.
func DefaultGenerateOptions(n int, seed uint64, split string) GenerateOptions {
	return GenerateOptions{N: n, Seed: seed, Split: split, Size: 96, DupRate: 0.02, DarkRate: 0.01, BrightRate: 0.01}
}

// RowPlan is what the generator puts in one row.
type RowPlan struct {
	Kind   RowKind
	Source int   // for a Duplicate, the earlier non-duplicate row it copies; else its own row
	Label  uint8 // 1 = tumour tissue in the central region
}

// GenerationPlan is the full plan of a synthetic split, from which the
// expected outcome of cleaning follows exactly.
type GenerationPlan struct {
	Rows                                     []RowPlan
	Duplicates, Dark, Bright, Kept, Positive int
}

// Plan returns the deterministic plan of a synthetic split.
func Plan(o GenerateOptions) GenerationPlan {
	rng := rand.New(rand.NewPCG(o.Seed, splitSalt(o.Split)))
	p := GenerationPlan{Rows: make([]RowPlan, o.N)}
	for i := range p.Rows {
		u := rng.Float64()
		r := RowPlan{Kind: Normal, Source: i, Label: uint8(rng.IntN(2))}
		switch {
		case i > 0 && u < o.DupRate:
			src := rng.IntN(i)
			src = p.Rows[src].Source // copies of copies copy the original
			r = RowPlan{Kind: Duplicate, Source: src, Label: p.Rows[src].Label}
		case u < o.DupRate+o.DarkRate:
			r.Kind = Dark
		case u < o.DupRate+o.DarkRate+o.BrightRate:
			r.Kind = Bright
		}
		p.Rows[i] = r
		switch r.Kind {
		case Duplicate:
			p.Duplicates++
		case Dark:
			p.Dark++
		case Bright:
			p.Bright++
		default:
			p.Kept++
		}
		if r.Label == 1 {
			p.Positive++
		}
	}
	return p
}

func splitSalt(split string) uint64 {
	h := fnv.New64a()
	h.Write([]byte("pcamgo/" + split))
	return h.Sum64()
}

// RenderRow draws row i of the plan into dst (Size×Size×3 bytes).
func RenderRow(o GenerateOptions, p *GenerationPlan, i int, dst []byte) {
	r := p.Rows[i]
	src := p.Rows[r.Source]
	rng := rand.New(rand.NewPCG(o.Seed^0x5eed, splitSalt(o.Split)+uint64(r.Source)))
	switch src.Kind {
	case Dark:
		fillNoise(rng, dst, 0, 8)
	case Bright:
		fillNoise(rng, dst, 248, 255)
	default:
		renderTissue(rng, dst, o.Size, src.Label == 1)
	}
}

func fillNoise(rng *rand.Rand, dst []byte, lo, hi int) {
	for i := range dst {
		dst[i] = byte(lo + rng.IntN(hi-lo+1))
	}
}

// renderTissue paints an H&E-like patch: a pink eosin background with
// low-frequency texture and stain variation, scattered purple nuclei, and,
// for positives, a dense cluster of large dark nuclei in the central third
// (PCam labels a patch by its central 32×32 region).
func renderTissue(rng *rand.Rand, dst []byte, size int, positive bool) {
	// Per-patch stain: eosin strength, haematoxylin tint, brightness.
	eosin := 0.7 + 0.3*rng.Float64()
	tint := [3]float64{0.92 + 0.16*rng.Float64(), 0.8 + 0.2*rng.Float64(), 0.9 + 0.2*rng.Float64()}
	bright := -15 + 25*rng.Float64()
	pink := [3]float64{232, 150, 200}
	fx, fy := 0.05+0.2*rng.Float64(), 0.05+0.2*rng.Float64()
	px, py := rng.Float64()*2*math.Pi, rng.Float64()*2*math.Pi
	sx := make([]float64, size)
	sy := make([]float64, size)
	for k := 0; k < size; k++ {
		sx[k] = 0.25 * math.Sin(fx*float64(k)+px)
		sy[k] = 0.25 * math.Sin(fy*float64(k)+py)
	}
	state := rng.Uint64() | 1
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			t := eosin * (0.5 + sx[x] + sy[y])
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			off := (y*size + x) * 3
			for c := 0; c < 3; c++ {
				noise := float64(int(state>>(8*c))&31) - 15.5
				v := (255*(1-t)+pink[c]*t)*tint[c] + bright + noise
				dst[off+c] = clampByte(v)
			}
		}
	}
	scale := float64(size) / 96
	// Scattered normal nuclei everywhere.
	for k, n := 0, 6+rng.IntN(10); k < n; k++ {
		nucleus(rng, dst, size, rng.Float64()*float64(size), rng.Float64()*float64(size), (1.5+2*rng.Float64())*scale, [3]float64{120, 75, 160}, 0.75)
	}
	lo, hi := float64(size)/3, 2*float64(size)/3
	if positive {
		// Dense tumour cluster: many large, dark, crowded nuclei in the centre.
		for k, n := 0, 18+rng.IntN(14); k < n; k++ {
			nucleus(rng, dst, size, lo+rng.Float64()*(hi-lo), lo+rng.Float64()*(hi-lo), (2.5+2*rng.Float64())*scale, [3]float64{75, 35, 125}, 0.9)
		}
	} else if rng.Float64() < 0.3 {
		// Distractor: a lymphocyte-like cluster away from the centre.
		cx := float64(size) / 6
		if rng.IntN(2) == 1 {
			cx = 5 * float64(size) / 6
		}
		cy := rng.Float64() * float64(size)
		for k, n := 0, 12+rng.IntN(10); k < n; k++ {
			nucleus(rng, dst, size, cx+(rng.Float64()-0.5)*float64(size)/4, cy+(rng.Float64()-0.5)*float64(size)/4, (1.5+1.5*rng.Float64())*scale, [3]float64{85, 45, 135}, 0.85)
		}
	}
}

func nucleus(rng *rand.Rand, dst []byte, size int, cx, cy, r float64, col [3]float64, alpha float64) {
	rx, ry := r*(0.8+0.4*rng.Float64()), r*(0.8+0.4*rng.Float64())
	shade := 0.85 + 0.3*rng.Float64()
	for y := max(0, int(cy-ry)); y <= min(size-1, int(cy+ry)); y++ {
		for x := max(0, int(cx-rx)); x <= min(size-1, int(cx+rx)); x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if dx*dx+dy*dy > 1 {
				continue
			}
			off := (y*size + x) * 3
			for c := 0; c < 3; c++ {
				dst[off+c] = clampByte((1-alpha)*float64(dst[off+c]) + alpha*col[c]*shade)
			}
		}
	}
}

func clampByte(v float64) byte {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return byte(v + 0.5)
}

// Generate writes a synthetic split into dir under the official PCam file
// names and returns its plan. Both files are written through temporary files,
// so an interrupted run leaves no partial output.
func Generate(dir string, o GenerateOptions) (GenerationPlan, error) {
	if o.N <= 0 {
		return GenerationPlan{}, fmt.Errorf("generate: --n must be positive, got %d", o.N)
	}
	if o.Size <= 0 {
		o.Size = 96
	}
	if !validSplit(o.Split) {
		return GenerationPlan{}, fmt.Errorf("generate: unknown split %q (want train, valid or test)", o.Split)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return GenerationPlan{}, fmt.Errorf("generate: %w", err)
	}
	plan := Plan(o)
	xName, yName := FileNames(o.Split)
	xw, err := h5io.Create(filepath.Join(dir, xName), h5io.Layout{N: o.N, H: o.Size, W: o.Size, C: 3, X: true, RawX: true})
	if err != nil {
		return plan, err
	}
	defer xw.Abort()
	yw, err := h5io.Create(filepath.Join(dir, yName), h5io.Layout{N: o.N, H: o.Size, W: o.Size, C: 3, Y: true})
	if err != nil {
		return plan, err
	}
	defer yw.Abort()

	labels := make([]uint8, o.N)
	for i, r := range plan.Rows {
		labels[i] = r.Label
	}
	if err := yw.WriteY(0, labels); err != nil {
		return plan, err
	}
	ib := o.Size * o.Size * 3
	const chunk = 256
	err = orderedChunks(o.N, chunk, o.Workers, ib,
		func(start, count int, buf []byte) {
			for k := 0; k < count; k++ {
				RenderRow(o, &plan, start+k, buf[k*ib:(k+1)*ib])
			}
		},
		func(start, count int, buf []byte) error {
			if err := xw.WriteX(start, buf[:count*ib]); err != nil {
				return err
			}
			if o.Progress != nil {
				o.Progress(start+count, o.N)
			}
			return nil
		})
	if err != nil {
		return plan, err
	}
	if err := yw.Commit(); err != nil {
		return plan, err
	}
	if err := xw.Commit(); err != nil {
		os.Remove(filepath.Join(dir, yName))
		return plan, err
	}
	return plan, nil
}

func validSplit(s string) bool {
	for _, v := range Splits {
		if s == v {
			return true
		}
	}
	return false
}

// orderedChunks runs produce on chunks of rows in parallel and consume on them
// in row order, with at most 2×workers chunk buffers alive.
func orderedChunks(n, chunk, workers, rowBytes int, produce func(start, count int, buf []byte), consume func(start, count int, buf []byte) error) error {
	type job struct {
		start, count int
		buf          []byte
		done         chan struct{}
	}
	pool := sync.Pool{New: func() any { return make([]byte, chunk*rowBytes) }}
	jobs := make(chan *job)
	queue := make(chan *job, 2*workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				produce(j.start, j.count, j.buf)
				close(j.done)
			}
		}()
	}
	stop := make(chan struct{})
	go func() {
		defer close(queue)
		defer close(jobs)
		for start := 0; start < n; start += chunk {
			j := &job{start: start, count: min(chunk, n-start), buf: pool.Get().([]byte), done: make(chan struct{})}
			select {
			case queue <- j:
			case <-stop:
				return
			}
			select {
			case jobs <- j:
			case <-stop:
				close(j.done)
				return
			}
		}
	}()
	var err error
	for j := range queue {
		<-j.done
		if err == nil {
			err = consume(j.start, j.count, j.buf)
			if err != nil {
				close(stop)
			}
		}
		pool.Put(j.buf)
	}
	wg.Wait()
	return err
}
