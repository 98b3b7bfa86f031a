package dataprep

import (
	"fmt"
	"time"

	"github.com/pcamgo/pcamgo/h5io"
)

// CleanOptions configures Clean.
type CleanOptions struct {
	BatchOptions
	Thresholds
	// OnStage, if set, is told when a stage starts ("scan", "write").
	OnStage func(stage string)
}

// DefaultCleanOptions returns the guide's settings: batches of 50,000 and
// 10 ≤ mean ≤ 245.
func DefaultCleanOptions() CleanOptions {
	return CleanOptions{BatchOptions: DefaultBatchOptions(), Thresholds: DefaultThresholds()}
}

// CleanReport is what `pcam clean --report` writes. A duplicate is counted
// only as a duplicate, so Kept = Total − Duplicates − TooDark − TooBright.
type CleanReport struct {
	Input        string  `json:"input"`
	Output       string  `json:"output"`
	Total        int     `json:"total"`
	Duplicates   int     `json:"duplicates"`
	TooDark      int     `json:"too_dark"`
	TooBright    int     `json:"too_bright"`
	Kept         int     `json:"kept"`
	Positive     int     `json:"kept_positive"`
	Dark         float64 `json:"dark_threshold"`
	Bright       float64 `json:"bright_threshold"`
	Batch        int     `json:"batch"`
	Seconds      float64 `json:"seconds"`
	ScanSeconds  float64 `json:"scan_seconds"`  // fingerprints, duplicates and means
	WriteSeconds float64 `json:"write_seconds"` // filtered copy to the output
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	InputBytes   int64   `json:"input_bytes"`
	OutputBytes  int64   `json:"output_bytes"`
}

// Cleaning is the outcome of the cleaning cells before anything is written.
type Cleaning struct {
	Fingerprints []Fingerprint
	Duplicates   Duplicates
	FirstRows    []int     // rows that are first occurrences
	Means        []float64 // mean intensity of each of FirstRows
	Kept         []int     // rows kept, ascending
	TooDark      []int     // first occurrences dropped as too dark
	TooBright    []int     // first occurrences dropped as too bright
}

// Analyze runs the cleaning cells 6 and 7 in one read of the split: the
// fingerprint and the pixel sum of every image are computed from the same
// block, then duplicates are resolved and the first occurrences classified
// by mean intensity. The result is identical to Fingerprints, FindDuplicates,
// MeanIntensities and IntensityFilter run one after the other.
func Analyze(src Source, o CleanOptions) (*Cleaning, error) {
	if err := o.Thresholds.Validate(); err != nil {
		return nil, err
	}
	n := src.Len()
	c := &Cleaning{Fingerprints: make([]Fingerprint, n)}
	sums := make([]uint64, n)
	err := forEachImage(src, n, identity, o.BatchOptions, func(k int, img []byte) {
		c.Fingerprints[k], sums[k] = HashAndSum(img)
	})
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	if c.Duplicates, err = FindDuplicates(src, c.Fingerprints); err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	c.FirstRows = c.Duplicates.FirstOccurrences()
	c.Means = make([]float64, len(c.FirstRows))
	ib := float64(src.ImageBytes())
	for k, r := range c.FirstRows {
		c.Means[k] = float64(sums[r]) / ib
	}
	c.Kept, c.TooDark, c.TooBright = IntensityFilter(c.FirstRows, c.Means, o.Thresholds)
	return c, nil
}

// WriteFiltered writes the kept rows of split (guide cell 8) to out as one
// HDF5 file with "x", "y" (same dtype and shape as the input) and "index"
// (int64 original row). Rows are streamed block by block through a
// temporary file renamed into place at the end; on error nothing is left.
func WriteFiltered(split *h5io.Split, labels []uint8, kept []int, out string, o BatchOptions) error {
	o = o.normalized()
	if len(kept) == 0 {
		return fmt.Errorf("%s: nothing to write: every image was dropped (check --dark/--bright)", out)
	}
	w, err := h5io.Create(out, h5io.Layout{N: len(kept), H: split.H, W: split.W, C: split.C, X: true, Y: true, Index: true, YLike: split, RawX: true})
	if err != nil {
		return err
	}
	defer w.Abort()
	ib := split.ImageBytes()
	quit := make(chan struct{})
	defer close(quit)
	// Read the next block while this one is written.
	full, free := prefetch(split, len(kept), func(k int) int { return kept[k] }, o.BlockRows, len(kept), 3, quit)
	y := make([]uint8, 0, o.BlockRows)
	idx := make([]int64, 0, o.BlockRows)
	for b := range full {
		if b.err != nil {
			return b.err
		}
		rows := kept[b.start : b.start+b.n]
		y, idx = y[:0], idx[:0]
		for _, r := range rows {
			y = append(y, labels[r])
			idx = append(idx, int64(r))
		}
		if err := w.WriteX(b.start, b.buf[:b.n*ib]); err != nil {
			return err
		}
		free <- b.buf
		if err := w.WriteY(b.start, y); err != nil {
			return err
		}
		if err := w.WriteIndex(b.start, idx); err != nil {
			return err
		}
		if o.Progress != nil {
			o.Progress(b.start+b.n, len(kept))
		}
	}
	return w.Commit()
}

// Clean runs the whole cleaning pipeline: open and validate the split,
// analyze it (fingerprints, duplicates, mean intensity) and write the kept
// images to out. yPath may be empty when xPath holds both keys.
func Clean(xPath, yPath, out string, o CleanOptions) (CleanReport, error) {
	t0 := time.Now()
	rep := CleanReport{Input: xPath, Output: out, Dark: o.Dark, Bright: o.Bright, Batch: o.normalized().Batch}
	split, err := h5io.Open(xPath, yPath)
	if err != nil {
		return rep, err
	}
	defer split.Close()
	labels, err := split.Labels()
	if err != nil {
		return rep, err
	}
	stage := func(s string) {
		if o.OnStage != nil {
			o.OnStage(s)
		}
	}
	stage("scan")
	c, err := Analyze(split, o)
	if err != nil {
		return rep, err
	}
	rep.ScanSeconds = time.Since(t0).Seconds()
	stage("write")
	tw := time.Now()
	if err := WriteFiltered(split, labels, c.Kept, out, o.BatchOptions); err != nil {
		return rep, err
	}
	rep.WriteSeconds = time.Since(tw).Seconds()
	rep.Total = split.N
	rep.Duplicates = c.Duplicates.Count
	rep.TooDark, rep.TooBright, rep.Kept = len(c.TooDark), len(c.TooBright), len(c.Kept)
	for _, r := range c.Kept {
		rep.Positive += int(labels[r])
	}
	rep.InputBytes = split.XBytes()
	rep.OutputBytes = int64(len(c.Kept)) * int64(split.ImageBytes())
	rep.Seconds = time.Since(t0).Seconds()
	rep.PeakRSSBytes = ReadMemory().PeakRSS
	return rep, nil
}
