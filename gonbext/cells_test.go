package gonbext

import (
	"context"
	"strings"
	"testing"

	"github.com/pcamgo/pcamgo/dataprep"
	"github.com/pcamgo/pcamgo/datasets"
	"github.com/pcamgo/pcamgo/trainer"
)

func TestSaveLoad(t *testing.T) {
	t.Setenv(EnvWorkDir, t.TempDir())
	Save("kept", []int{4, 5})
	Save("kept", []int{6}) // overwrites
	if got := Load[[]int]("kept"); len(got) != 1 || got[0] != 6 {
		t.Errorf("Load = %v", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "run the cell") {
			t.Errorf("Load of a missing name: %v", r)
		}
	}()
	Load[int]("missing")
}

func TestMeasureAndRecord(t *testing.T) {
	t.Setenv(EnvWorkDir, t.TempDir())
	r := inNotebook(t)
	f := MustData("train", 64)
	pre := Record("opts", "baseline", f, datasets.Options{BatchSize: 16}, 2)
	st := Record("opts", "stream", f, datasets.Options{BatchSize: 16, Stream: true, DType: "float16"}, 0)
	Record("opts", "baseline", f, datasets.Options{BatchSize: 16}, 1) // replaces the first
	if pre.Batches != 2 || pre.Memory.HeldBytes != 64*96*96*3 || st.Memory.HeldBytes != 0 || st.Batches != 4 {
		t.Errorf("measurements %+v %+v", pre, st)
	}
	all := Load[[]Measurement]("opts")
	if len(all) != 2 || all[0].Name != "stream" || all[1].Batches != 1 {
		t.Fatalf("list %+v", all)
	}
	h := MeasurementsHTML(all)
	c := parseXML(t, h)
	if c["svg"] != 2 || c["tr"] != 3 || !strings.Contains(h, "stream") {
		t.Errorf("html %v", c)
	}
	if len(r.html) != 3 {
		t.Errorf("%d displays", len(r.html))
	}
	if _, err := MeasureDataset("bad", Files{X: "/nonexistent"}, datasets.Options{}, 1); err == nil {
		t.Error("missing file accepted")
	}
}

func TestSamplesAndDropped(t *testing.T) {
	t.Setenv(EnvWorkDir, t.TempDir())
	r := inNotebook(t)
	s := Must(MustData("train", 32).Open())
	defer s.Close()
	DisplaySamples(s, []int{0, 1}, "first")
	DisplayDropped(s, []int{2}, []int{3, 4}, 1)
	DisplayDropped(s, nil, nil, 1)
	DisplayPairs(s, [][2]int{{5, 1}}, "pairs")
	DisplayIntensity([]float64{5, 100, 250}, dataprep.DefaultThresholds())
	if len(r.html) != 5 {
		t.Fatalf("%d displays", len(r.html))
	}
	for i, want := range []string{"row 1 · ", "row 3 · bright", "no patch dropped", "row 5 (dup)", "dark &lt; 10"} {
		if !strings.Contains(r.html[i], want) {
			t.Errorf("display %d lacks %q", i, want)
		}
		parseXML(t, r.html[i])
	}
	if n := len(decodePNGs(t, r.html[1])); n != 2 {
		t.Errorf("dropped grid has %d images, want 2", n)
	}
}

func TestInterruptAfter(t *testing.T) {
	calls := 0
	ctx, fn := InterruptAfter(2, func(trainer.Progress) { calls++ })
	fn(trainer.Progress{Phase: trainer.PhaseStart})
	fn(trainer.Progress{Phase: trainer.PhaseTrain})
	if ctx.Err() != nil {
		t.Fatal("cancelled too early")
	}
	fn(trainer.Progress{Phase: trainer.PhaseTrain})
	if ctx.Err() != context.Canceled || calls != 3 {
		t.Errorf("err %v, calls %d", ctx.Err(), calls)
	}
}
