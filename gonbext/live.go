package gonbext

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pcamgo/pcamgo/dataprep"
)

// now is the clock of the live widgets (replaced in tests).
var now = time.Now

// UpdateEvery is the least time between two in-place updates of a live
// widget (the last update of a finished task is always sent).
var UpdateEvery = 300 * time.Millisecond

// GaugeHTML renders a memory gauge: the current RSS as a filled bar and the
// peak as a marker, on a scale of total bytes (the machine's memory).
func GaugeHTML(label string, rss, peak, total int64) string {
	if total <= 0 {
		total = max(peak, rss, 1)
	}
	pct := func(v int64) float64 { return min(100, 100*float64(v)/float64(total)) }
	color := "#2ca02c"
	switch {
	case pct(peak) > 85:
		color = "#d62728"
	case pct(peak) > 60:
		color = "#ff7f0e"
	}
	var b strings.Builder
	b.WriteString(`<div class="gonbext-gauge" style="font-family:sans-serif;font-size:12px;width:420px;margin:4px 0">`)
	fmt.Fprintf(&b, `<div><b>%s</b> RSS %s · peak %s · of %s</div>`, esc(label), Bytes(rss), Bytes(peak), Bytes(total))
	b.WriteString(`<div style="position:relative;height:14px;background:#eee;border:1px solid #bbb">`)
	fmt.Fprintf(&b, `<div class="rss" style="position:absolute;left:0;top:0;bottom:0;width:%.1f%%;background:%s"></div>`, pct(rss), color)
	fmt.Fprintf(&b, `<div class="peak" style="position:absolute;top:-2px;bottom:-2px;left:%.1f%%;width:2px;background:#000" title="peak"></div>`, pct(peak))
	b.WriteString(`</div></div>`)
	return b.String()
}

// TotalMemory is the machine's memory (MemTotal of /proc/meminfo), or 0.
func TotalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				v, _ := strconv.ParseInt(fs[0], 10, 64)
				return v * 1024
			}
		}
	}
	return 0
}

// Gauge is a live memory gauge: Show displays it, Update refreshes it in
// place, Watch refreshes it in the background during a long cell.
type Gauge struct {
	Label string
	id    string
	mu    sync.Mutex
	last  time.Time
	stop  chan struct{}
	done  chan struct{}
}

// NewGauge creates a gauge; call Show to display it.
func NewGauge(label string) *Gauge { return &Gauge{Label: label, id: newID("gauge")} }

// HTML renders the gauge with the process's current memory.
func (g *Gauge) HTML() string {
	m := dataprep.ReadMemory()
	return GaugeHTML(g.Label, m.RSS, m.PeakRSS, TotalMemory())
}

// Show displays the gauge (no-op outside a notebook).
func (g *Gauge) Show() *Gauge { g.Update(); return g }

// Update refreshes the gauge in place.
func (g *Gauge) Update() {
	if !enabled {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.last = now()
	UpdateHTML(g.id, g.HTML())
}

// Watch updates the gauge every interval (default 1s) until the returned
// function is called, which updates it one last time.
func (g *Gauge) Watch(interval time.Duration) (stop func()) {
	if interval <= 0 {
		interval = time.Second
	}
	g.Show()
	if !enabled {
		return func() {}
	}
	g.stop, g.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(g.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-g.stop:
				return
			case <-t.C:
				g.Update()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(g.stop)
			<-g.done
			g.Update()
		})
	}
}

// ShowMemory displays a one-off memory gauge (the guide's monitoring cell).
func ShowMemory(label string) { NewGauge(label).Show() }

// ProgressHTML renders a progress bar with done/total, the percentage, the
// elapsed time and an estimate of the time left.
func ProgressHTML(label string, done, total int, elapsed time.Duration) string {
	frac := 0.0
	if total > 0 {
		frac = min(1, max(0, float64(done)/float64(total)))
	}
	eta := ""
	if frac > 0 && frac < 1 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		eta = " · ~" + left.Round(time.Second).String() + " left"
	}
	var b strings.Builder
	b.WriteString(`<div class="gonbext-progress" style="font-family:sans-serif;font-size:12px;width:420px;margin:4px 0">`)
	fmt.Fprintf(&b, `<div>%s %d/%d (%.0f%%) · %s%s</div>`, esc(label), done, total, 100*frac, elapsed.Round(100*time.Millisecond), eta)
	fmt.Fprintf(&b, `<progress value="%d" max="%d" style="width:100%%"></progress>`, done, max(total, 1))
	b.WriteString(`</div>`)
	return b.String()
}

// Progress is a notebook progress bar updated in place, with a memory gauge
// under it (the guide's "check memory usage" during long cells).
type Progress struct {
	Label string
	Total int
	id    string
	start time.Time
	mu    sync.Mutex
	last  time.Time
	done  int
}

// NewProgress creates and shows a progress bar.
func NewProgress(label string, total int) *Progress {
	p := &Progress{Label: label, Total: total, id: newID("progress"), start: now()}
	p.render()
	return p
}

func (p *Progress) render() {
	p.last = now()
	m := dataprep.ReadMemory()
	UpdateHTML(p.id, ProgressHTML(p.Label, p.done, p.Total, p.last.Sub(p.start))+GaugeHTML("memory", m.RSS, m.PeakRSS, TotalMemory()))
}

// Set records done units of work; the display is refreshed at most every
// UpdateEvery, and always when done reaches Total.
func (p *Progress) Set(done int) {
	if !enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if done >= p.Total || now().Sub(p.last) >= UpdateEvery {
		p.render()
	}
}

// Func adapts the bar to the progress callbacks of dataprep and datasets
// (func(done, total int)).
func (p *Progress) Func() func(done, total int) {
	return func(done, total int) {
		p.mu.Lock()
		p.Total = total
		p.mu.Unlock()
		p.Set(done)
	}
}

// Finish shows the bar complete.
func (p *Progress) Finish() { p.Set(p.Total) }
