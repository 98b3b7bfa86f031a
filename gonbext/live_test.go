package gonbext

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pcamgo/pcamgo/trainer"
)

func TestGaugeHTML(t *testing.T) {
	tests := []struct {
		rss, peak, total int64
		want             []string
	}{
		{1 << 30, 2 << 30, 8 << 30, []string{"RSS 1.00 GiB", "peak 2.00 GiB", "of 8.00 GiB", "width:12.5%", "left:25.0%", "#2ca02c"}},
		{7 << 30, 7 << 30, 8 << 30, []string{"#d62728", "width:87.5%"}},
		{5 << 30, 6 << 30, 8 << 30, []string{"#ff7f0e"}},
		{10, 20, 0, []string{"left:100.0%", "width:50.0%"}}, // unknown total: scale to the peak
	}
	for _, tt := range tests {
		h := GaugeHTML("cell 6", tt.rss, tt.peak, tt.total)
		parseXML(t, h)
		for _, w := range append(tt.want, "cell 6") {
			if !strings.Contains(h, w) {
				t.Errorf("GaugeHTML(%d,%d,%d) lacks %q: %s", tt.rss, tt.peak, tt.total, w, h)
			}
		}
	}
	if TotalMemory() <= 0 {
		t.Log("no /proc/meminfo")
	}
}

func TestProgressHTML(t *testing.T) {
	tests := []struct {
		done, total int
		el          time.Duration
		want        []string
	}{
		{0, 10, 0, []string{"0/10 (0%)", `value="0" max="10"`}},
		{5, 10, 10 * time.Second, []string{"5/10 (50%)", "~10s left"}},
		{10, 10, 3 * time.Second, []string{"(100%)"}},
		{3, 0, 0, []string{`max="1"`}},
	}
	for _, tt := range tests {
		h := ProgressHTML("fingerprints", tt.done, tt.total, tt.el)
		parseXML(t, h)
		for _, w := range tt.want {
			if !strings.Contains(h, w) {
				t.Errorf("ProgressHTML(%d,%d) lacks %q: %s", tt.done, tt.total, w, h)
			}
		}
	}
}

func TestNoOpOutsideNotebook(t *testing.T) {
	r := &recorder{}
	oldS := sink
	sink = r
	defer func() { sink = oldS }()
	if enabled {
		t.Skip("running inside a notebook")
	}
	DisplayHTML("x")
	DisplayPNG([]byte{1})
	DisplayGrid([]byte{1, 2, 3}, 1, 1, 3, nil, GridOptions{})
	NewGauge("g").Watch(time.Millisecond)()
	p := NewProgress("p", 3)
	p.Func()(1, 3)
	p.Finish()
	c := NewCurves("c").Show()
	c.Callback(nil)(trainer.Progress{Phase: trainer.PhaseTrain, Loss: 1})
	DisplayHistogram([]float64{1}, 2, 0, 0, ChartOptions{})
	if len(r.html)+len(r.updates)+len(r.pngs) != 0 {
		t.Errorf("displayed outside a notebook: %+v", r)
	}
}

func TestLiveWidgetsInNotebook(t *testing.T) {
	r := inNotebook(t)
	clock := time.Unix(0, 0)
	oldNow := now
	now = func() time.Time { return clock }
	defer func() { now = oldNow }()

	p := NewProgress("scan", 100)
	for i := 1; i <= 100; i++ {
		p.Set(i) // the clock does not move: only the first and the last render
	}
	clock = clock.Add(time.Second)
	if got := len(r.updates[p.id]); got != 2 {
		t.Errorf("progress rendered %d times, want 2 (throttled)", got)
	}
	if last := r.updates[p.id][len(r.updates[p.id])-1]; !strings.Contains(last, "100/100") {
		t.Errorf("last render %s", last)
	}

	g := NewGauge("mem")
	stop := g.Watch(5 * time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	stop()
	stop() // idempotent
	if n := len(r.updates[g.id]); n < 2 || !strings.Contains(r.updates[g.id][0], "RSS") {
		t.Errorf("gauge updated %d times", n)
	}

	DisplayOverlay(imageOf(2, 2), imageOf(1, 1), 0.5)
	if len(r.pngs) != 1 {
		t.Error("overlay not displayed as PNG")
	}
}

func TestCurves(t *testing.T) {
	r := inNotebook(t)
	c := NewCurves("SimpleCNN").Show()
	cb := c.Callback(nil)
	cb(trainer.Progress{Phase: trainer.PhaseStart, Backend: "go", Params: 123, Epochs: 2})
	for s := 1; s <= 4; s++ {
		cb(trainer.Progress{Phase: trainer.PhaseTrain, GlobalStep: int64(s), Step: s, StepsPerEpoch: 4, Loss: 1 / float64(s), Epochs: 2})
	}
	valid := &trainer.EvalMetrics{Loss: 0.5, Accuracy: 0.75, AUC: 0.8, Examples: 8}
	cb(trainer.Progress{Phase: trainer.PhaseEval, GlobalStep: 4, Loss: 0.6, Valid: valid, Elapsed: 3 * time.Second})
	cb(trainer.Progress{Phase: trainer.PhaseCheckpoint, GlobalStep: 4})
	cb(trainer.Progress{Phase: trainer.PhaseEval, Epoch: 1, GlobalStep: 8, Loss: 0.4, Elapsed: 5 * time.Second})
	c.Finish(trainer.Report{Epochs: 1, Steps: 6, Interrupted: true, CheckpointDir: "/ck"}, nil)

	eps := c.Epochs()
	if len(eps) != 2 || eps[0].ValidAcc != 0.75 || eps[0].Seconds != 3 || eps[1].Seconds != 2 || !math.IsNaN(eps[1].ValidAcc) {
		t.Fatalf("epochs %+v", eps)
	}
	h := c.HTML()
	counts := parseXML(t, h)
	if counts["svg"] != 2 || counts["polyline"] < 3 || counts["tr"] != 3 {
		t.Errorf("elements %v", counts)
	}
	for _, w := range []string{"SimpleCNN", "interrupted", "valid accuracy", "train loss (step)", "0.75"} {
		if !strings.Contains(h, w) {
			t.Errorf("missing %q", w)
		}
	}
	if strings.Contains(h, "NaN") {
		t.Error("NaN in HTML")
	}
	if len(r.updates[c.id]) < 4 {
		t.Errorf("curves updated %d times", len(r.updates[c.id]))
	}
}
