package gonbext

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pcamgo/pcamgo/dataprep"
	"github.com/pcamgo/pcamgo/datasets"
	"github.com/pcamgo/pcamgo/h5io"
	"github.com/pcamgo/pcamgo/trainer"
)

// Every GoNB cell runs as a new program: Save and Load pass results from one
// cell to the next through gob files in WorkDir()/cells.

// Save stores v under name for later cells.
func Save(name string, v any) {
	if err := Forget(name); err != nil {
		panic(err)
	}
	if _, err := Remember(name, func() (any, error) { return v, nil }); err != nil {
		panic(fmt.Errorf("gonbext: saving %q: %w", name, err))
	}
}

// Load returns what an earlier cell saved under name; it panics, saying so,
// when that cell has not run.
func Load[T any](name string) T {
	v, err := Remember(name, func() (T, error) {
		var zero T
		return zero, fmt.Errorf("gonbext: nothing saved under %q: run the cell that computes it first", name)
	})
	if err != nil {
		panic(err)
	}
	return v
}

// Check panics on a non-nil error (for one-line notebook cells).
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

// ClassNames are the PCam label names used in captions and charts.
var ClassNames = [2]string{"normal", "tumour"}

// DisplaySamples shows rows of a split captioned with their row and label.
func DisplaySamples(s *h5io.Split, rows []int, title string) {
	if !enabled {
		return
	}
	labels, err := s.Labels()
	if err != nil {
		DisplayHTML("<pre>" + esc(err.Error()) + "</pre>")
		return
	}
	caps := make([]string, len(rows))
	for i, r := range rows {
		caps[i] = fmt.Sprintf("row %d · %s", r, ClassNames[min(labels[r], 1)])
	}
	DisplayRows(s, rows, caps, GridOptions{Title: title})
}

// First returns the first n elements of rows (all when shorter).
func First(rows []int, n int) []int { return rows[:min(n, len(rows))] }

// IntensityHistogramSVG is the histogram of mean intensities (0–255) with
// the thresholds marked.
func IntensityHistogramSVG(means []float64, t dataprep.Thresholds) string {
	return HistogramSVG(means, 64, 0, 255, ChartOptions{Title: "Mean intensity per unique patch", XLabel: "mean intensity (0–255)", YLabel: "images",
		Markers: []Marker{{X: t.Dark, Label: fmt.Sprintf("dark < %g", t.Dark)}, {X: t.Bright, Label: fmt.Sprintf("bright > %g", t.Bright)}}})
}

// DisplayIntensity shows IntensityHistogramSVG.
func DisplayIntensity(means []float64, t dataprep.Thresholds) {
	DisplaySVG(IntensityHistogramSVG(means, t))
}

// DisplayDropped shows up to n dropped dark and n dropped bright patches,
// framed in blue and orange.
func DisplayDropped(s *h5io.Split, dark, bright []int, n int) {
	if !enabled {
		return
	}
	var tiles []Tile
	for _, group := range []struct {
		rows   []int
		what   string
		border string
	}{{First(dark, n), "dark", "#1f77b4"}, {First(bright, n), "bright", "#ff7f0e"}} {
		imgs := make([]byte, len(group.rows)*s.ImageBytes())
		if err := s.ReadRows(group.rows, imgs); err != nil {
			DisplayHTML("<pre>" + esc(err.Error()) + "</pre>")
			return
		}
		ims, err := BatchImages(imgs, s.H, s.W, s.C)
		if err != nil {
			DisplayHTML("<pre>" + esc(err.Error()) + "</pre>")
			return
		}
		for i, im := range ims {
			tiles = append(tiles, Tile{Image: im, Caption: fmt.Sprintf("row %d · %s", group.rows[i], group.what), Border: group.border})
		}
	}
	if len(tiles) == 0 {
		DisplayHTML("<p>no patch dropped for intensity</p>")
		return
	}
	DisplayTiles(tiles, GridOptions{Title: fmt.Sprintf("dropped: %d too dark, %d too bright (first %d of each)", len(dark), len(bright), n)})
}

// Measurement is the memory a dataset configuration takes, measured in its
// own cell (its own process).
type Measurement struct {
	Name    string
	Memory  datasets.Memory
	Batches int
	Seconds float64
	RSS     int64 // after iterating
	PeakRSS int64 // process peak (the cell)
}

// MeasureDataset opens a dataset with o, iterates batches of its first
// epoch (as tensors, in the batch dtype), and reports its memory, the
// process RSS and peak, and the time taken. batches ≤ 0 means the epoch.
func MeasureDataset(name string, f Files, o datasets.Options, batches int) (Measurement, error) {
	start := time.Now()
	if o.Name == "" {
		o.Name = name
	}
	ds, err := datasets.Open(f.X, f.Y, o)
	if err != nil {
		return Measurement{}, err
	}
	defer ds.Close()
	m := Measurement{Name: name}
	for b, err := range ds.Iter() {
		if err != nil {
			return m, err
		}
		_ = b.Finalize()
		m.Batches++
		if batches > 0 && m.Batches >= batches {
			break
		}
	}
	m.Memory = ds.Memory()
	mem := dataprep.ReadMemory()
	m.RSS, m.PeakRSS, m.Seconds = mem.RSS, mem.PeakRSS, time.Since(start).Seconds()
	return m, nil
}

// MeasurementsHTML renders measurements as a table and a bar chart of the
// memory held by each configuration (dataset + batches in flight) next to
// the float32 baseline.
func MeasurementsHTML(ms []Measurement) string {
	rows := make([][]string, len(ms))
	var labels []string
	var held, peak []float64
	const mib = 1 << 20
	for i, m := range ms {
		rows[i] = []string{m.Name, m.Memory.Mode, itoa(m.Memory.Images), Bytes(m.Memory.HeldBytes), Bytes(m.Memory.BatchBytes), Bytes(m.Memory.InFlight),
			Bytes(m.Memory.Float32Bytes), Bytes(m.RSS), Bytes(m.PeakRSS), fmt.Sprintf("%.2f s", m.Seconds)}
		labels = append(labels, m.Name)
		held = append(held, float64(m.Memory.HeldBytes+m.Memory.InFlight)/mib)
		peak = append(peak, float64(m.PeakRSS)/mib)
	}
	table := TableHTML([]string{"configuration", "mode", "images", "images held", "one batch", "in flight", "as float32", "RSS", "peak RSS", "time"}, rows)
	chart := BarChartSVG(labels, held, nil, ChartOptions{Title: "dataset memory: images held + batches in flight (MiB)", Width: 120 * max(len(ms), 4), Height: 300})
	chart2 := BarChartSVG(labels, peak, []string{"#7f7f7f"}, ChartOptions{Title: "measured peak RSS of the cell (MiB)", Width: 120 * max(len(ms), 4), Height: 300})
	return `<div class="gonbext-measurements">` + table + `<div style="display:flex;flex-wrap:wrap;gap:8px">` + chart + chart2 + `</div></div>`
}

// DisplayMeasurements shows MeasurementsHTML.
func DisplayMeasurements(ms []Measurement) { DisplayHTML(MeasurementsHTML(ms)) }

// Record measures a dataset configuration (MeasureDataset), shows it, and
// appends it to the list the summary cell loads with Load[[]Measurement](list).
func Record(list, name string, f Files, o datasets.Options, batches int) Measurement {
	m := Must(MeasureDataset(name, f, o, batches))
	var all []Measurement
	if _, err := os.Stat(filepath.Join(WorkDir(), "cells", sanitize(list)+".gob")); err == nil {
		all = Load[[]Measurement](list)
	}
	kept := all[:0]
	for _, x := range all {
		if x.Name != name {
			kept = append(kept, x)
		}
	}
	Save(list, append(kept, m))
	DisplayMeasurements([]Measurement{m})
	return m
}

// InterruptAfter returns a context cancelled after steps training steps of
// trainer.Run (as Ctrl-C / the notebook's stop button would), and the
// progress function that counts them, chained to next (may be nil).
func InterruptAfter(steps int, next trainer.ProgressFunc) (context.Context, trainer.ProgressFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	return ctx, func(p trainer.Progress) {
		if next != nil {
			next(p)
		}
		if p.Phase == trainer.PhaseTrain {
			if n++; n >= steps {
				cancel()
			}
		}
	}
}
