package gonbext

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/pcamgo/pcamgo/datasets"
	"github.com/pcamgo/pcamgo/trainer"
)

func TestPredictMatchesTrainerValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	t.Setenv(EnvWorkDir, t.TempDir())
	f := MustDataSized("train", 24, 16)
	open := func() *datasets.PCam {
		return Must(datasets.Open(f.X, f.Y, datasets.Options{BatchSize: 8}))
	}
	cfg := trainer.DefaultConfig()
	cfg.Backend, cfg.Epochs, cfg.BatchSize, cfg.MaxStepsPerEpoch = "go", 1, 8, 2
	cfg.CheckpointDir = Path("ckpt")
	tr, va := open(), open()
	defer tr.Close()
	defer va.Close()
	rep, err := trainer.Run(context.Background(), cfg, tr, va, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := MaxSamples
	MaxSamples = 5
	defer func() { MaxSamples = old }()
	p, err := Predict(cfg, va)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Logits) != 24 || len(p.Labels) != 24 || len(p.Rows) != 24 || len(p.Samples) != 5*16*16*3 {
		t.Fatalf("%d logits, %d labels, %d rows, %d sample bytes", len(p.Logits), len(p.Labels), len(p.Rows), len(p.Samples))
	}
	labels := va.Labels()
	for i, r := range p.Rows {
		if float32(labels[r]) != p.Labels[i] {
			t.Fatalf("row %d: label %v, want %d", r, p.Labels[i], labels[r])
		}
	}
	_, _, auc := ROC(p.Logits, p.Labels)
	if want := float64(rep.ValidAUC); math.Abs(auc-want) > 1e-6 && !(math.IsNaN(auc) && math.IsNaN(want)) {
		t.Errorf("AUC of the checkpoint's predictions %g, trainer's validation AUC %g", auc, want)
	}
	cfg.CheckpointDir = ""
	if _, err := Predict(cfg, va); err == nil {
		t.Error("no checkpoint directory accepted")
	}
}

func TestDisplayEvaluation(t *testing.T) {
	r := inNotebook(t)
	p := Predictions{Logits: []float32{2, -1, 0.5}, Labels: []float32{1, 1, 0}, Rows: []int{7, 8, 9}, Samples: make([]byte, 2*4*4*3), H: 4, W: 4, C: 3}
	DisplayEvaluation(p, 10)
	if len(r.html) != 2 {
		t.Fatalf("%d displays", len(r.html))
	}
	parseXML(t, r.html[0])
	if !strings.Contains(r.html[0], "AUC") || !strings.Contains(r.html[0], "predicted tumour") {
		t.Error("ROC / confusion missing")
	}
	if n := len(decodePNGs(t, r.html[1])); n != 2 || !strings.Contains(r.html[1], "tumour · p=0.27") || !strings.Contains(r.html[1], "#d62728") {
		t.Errorf("samples grid: %d images\n%s", n, r.html[1][:200])
	}
	if math.Abs(p.Probability(0)-0.8808) > 1e-3 {
		t.Error("sigmoid")
	}
}
