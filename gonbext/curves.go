package gonbext

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/pcamgo/pcamgo/dataprep"
	"github.com/pcamgo/pcamgo/trainer"
)

// EpochPoint is one finished epoch on the training curves.
type EpochPoint struct {
	Epoch               int // 1-based
	Step                int64
	TrainLoss           float64
	ValidLoss, ValidAcc float64 // NaN without validation
	ValidAUC            float64
	Seconds             float64
	RSS, PeakRSS        int64
	ImagesPerSecond     float64
}

// Curves are live training curves: loss per step and per epoch, validation
// accuracy and AUC per epoch, and a per-epoch table with time and memory.
// Feed it with AddStep/AddEpoch, or pass Curves.Callback(nil) as the
// progress function of trainer.Run. Reusing the same Curves for a resumed
// run continues the same plot.
type Curves struct {
	Title   string
	id      string
	mu      sync.Mutex
	steps   []float64
	losses  []float64
	epochs  []EpochPoint
	marks   []Marker
	status  string
	last    time.Time
	epStart time.Duration // trainer elapsed time when the current epoch started
}

// NewCurves creates training curves; Show displays them.
func NewCurves(title string) *Curves { return &Curves{Title: title, id: newID("curves")} }

// AddStep records the loss of a training step.
func (c *Curves) AddStep(step int64, loss float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, float64(step))
	c.losses = append(c.losses, loss)
}

// AddEpoch records a finished epoch.
func (c *Curves) AddEpoch(e EpochPoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epochs = append(c.epochs, e)
}

// Mark draws a labelled vertical line at a step (e.g. "interrupted", "resumed").
func (c *Curves) Mark(step int64, label string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.marks = append(c.marks, Marker{X: float64(step), Label: label, Color: "#9467bd"})
}

// SetStatus sets the line of text shown above the charts.
func (c *Curves) SetStatus(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = s
}

// Epochs returns the recorded epochs.
func (c *Curves) Epochs() []EpochPoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]EpochPoint(nil), c.epochs...)
}

// HTML renders the charts and the epoch table.
func (c *Curves) HTML() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ex, etl, evl, eacc, eauc []float64
	for _, e := range c.epochs {
		x := float64(e.Step)
		ex, etl, evl, eacc, eauc = append(ex, x), append(etl, e.TrainLoss), append(evl, e.ValidLoss), append(eacc, e.ValidAcc), append(eauc, e.ValidAUC)
	}
	loss := LineChartSVG([]Series{
		{Name: "train loss (step)", X: c.steps, Y: c.losses, Color: "#aec7e8"},
		{Name: "train loss (epoch)", X: ex, Y: etl, Color: Palette[0], Dots: true},
		{Name: "valid loss", X: ex, Y: evl, Color: Palette[1], Dots: true},
	}, ChartOptions{Title: "loss", XLabel: "step", Width: 460, Height: 280, Markers: c.marks})
	acc := LineChartSVG([]Series{
		{Name: "valid accuracy", X: ex, Y: eacc, Color: Palette[2], Dots: true},
		{Name: "valid AUC", X: ex, Y: eauc, Color: Palette[3], Dots: true},
	}, ChartOptions{Title: "validation", XLabel: "step", Width: 460, Height: 280, YMin: 0, YMax: 1, Markers: c.marks})
	var b strings.Builder
	b.WriteString(`<div class="gonbext-curves" style="font-family:sans-serif;font-size:12px">`)
	if c.Title != "" {
		fmt.Fprintf(&b, `<div style="font-weight:bold;font-size:14px">%s</div>`, esc(c.Title))
	}
	if c.status != "" {
		fmt.Fprintf(&b, `<div class="status">%s</div>`, esc(c.status))
	}
	if enabled {
		m := dataprep.ReadMemory()
		b.WriteString(GaugeHTML("memory", m.RSS, m.PeakRSS, TotalMemory()))
	}
	fmt.Fprintf(&b, `<div style="display:flex;flex-wrap:wrap;gap:8px">%s%s</div>`, loss, acc)
	if len(c.epochs) > 0 {
		rows := make([][]string, len(c.epochs))
		for i, e := range c.epochs {
			rows[i] = []string{itoa(e.Epoch), fmt.Sprint(e.Step), fmtF(e.TrainLoss), fmtF(e.ValidLoss), fmtF(e.ValidAcc), fmtF(e.ValidAUC),
				fmt.Sprintf("%.1f s", e.Seconds), fmtF(e.ImagesPerSecond), Bytes(e.RSS), Bytes(e.PeakRSS)}
		}
		b.WriteString(TableHTML([]string{"epoch", "step", "train loss", "valid loss", "valid acc", "valid AUC", "time", "images/s", "RSS", "peak RSS"}, rows))
	}
	b.WriteString(`</div>`)
	return b.String()
}

func fmtF(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.4g", v)
}

// Show displays the curves (no-op outside a notebook).
func (c *Curves) Show() *Curves { c.Update(true); return c }

// Update refreshes the curves in place; unless force, at most every UpdateEvery.
func (c *Curves) Update(force bool) {
	if !enabled {
		return
	}
	if !force && now().Sub(c.last) < UpdateEvery {
		return
	}
	c.last = now()
	UpdateHTML(c.id, c.HTML())
}

// Callback returns a trainer.ProgressFunc that records steps and epochs and
// refreshes the display, then calls next (which may be nil).
func (c *Curves) Callback(next trainer.ProgressFunc) trainer.ProgressFunc {
	return func(p trainer.Progress) {
		c.Observe(p)
		if next != nil {
			next(p)
		}
	}
}

// Observe records one trainer progress report.
func (c *Curves) Observe(p trainer.Progress) {
	switch p.Phase {
	case trainer.PhaseStart:
		c.SetStatus(fmt.Sprintf("backend %s · %d parameters · epoch %d/%d", p.Backend, p.Params, p.Epoch+1, p.Epochs))
		c.Update(true)
	case trainer.PhaseTrain:
		c.AddStep(p.GlobalStep, p.Loss)
		steps := "?"
		if p.StepsPerEpoch > 0 {
			steps = itoa(p.StepsPerEpoch)
		}
		c.SetStatus(fmt.Sprintf("epoch %d/%d · step %d/%s · loss %.4f · %.1f images/s · %s elapsed",
			p.Epoch+1, p.Epochs, p.Step, steps, p.Loss, p.ImagesPerSecond, p.Elapsed.Round(time.Second)))
		c.Update(false)
	case trainer.PhaseEval:
		m := dataprep.ReadMemory()
		e := EpochPoint{Epoch: p.Epoch + 1, Step: p.GlobalStep, TrainLoss: p.Loss, ValidLoss: math.NaN(), ValidAcc: math.NaN(), ValidAUC: math.NaN(),
			Seconds: (p.Elapsed - c.epStart).Seconds(), RSS: m.RSS, PeakRSS: m.PeakRSS, ImagesPerSecond: p.ImagesPerSecond}
		c.epStart = p.Elapsed
		if p.Valid != nil {
			e.ValidLoss, e.ValidAcc, e.ValidAUC = float64(p.Valid.Loss), float64(p.Valid.Accuracy), float64(p.Valid.AUC)
		}
		c.AddEpoch(e)
		c.Update(true)
	case trainer.PhaseCheckpoint:
		c.SetStatus(fmt.Sprintf("checkpoint saved at step %d", p.GlobalStep))
		c.Update(true)
	}
}

// Finish records the end of a run (its report) and refreshes the display.
func (c *Curves) Finish(rep trainer.Report, err error) {
	s := fmt.Sprintf("done: %d epochs, %d steps, %.1f s, peak RSS %s", rep.Epochs, rep.Steps, rep.Seconds, Bytes(rep.PeakRSSBytes))
	if rep.Interrupted {
		s = fmt.Sprintf("interrupted at step %d (checkpoint in %s)", rep.Steps, rep.CheckpointDir)
		c.Mark(rep.Steps, "interrupted")
	} else if err != nil {
		s = "error: " + err.Error()
	}
	if rep.Resumed {
		s += fmt.Sprintf(" · resumed at step %d", rep.ResumedAtStep)
	}
	c.SetStatus(s)
	c.epStart = 0
	c.Update(true)
}
