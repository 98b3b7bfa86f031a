package vball

import (
	"context"
	"fmt"
	"time"
)

// EpochRecord summarises one epoch of Train.
type EpochRecord struct {
	Epoch              int     `json:"epoch"` // 1-based.
	Loss               float64 `json:"loss"`
	SequencesPerSecond float64 `json:"sequences_per_second"`
	F1                 float64 `json:"f1"`
	Seconds            float64 `json:"seconds"`
}

// Report is the JSON written by `vball train --report`.
type Report struct {
	Model     string `json:"model"`
	Backend   string `json:"backend"`
	Seq       int    `json:"seq"`
	Grayscale bool   `json:"grayscale"`
	// Height, Width are the training resolution; FileHeight, FileWidth the dataset's.
	Height     int `json:"height"`
	Width      int `json:"width"`
	FileHeight int `json:"file_height"`
	FileWidth  int `json:"file_width"`
	Params     int `json:"params"`

	// Memory of the training split: frames/heatmaps bytes are exactly what is held as uint8
	// (disk mode: the cache bound).
	FramesBytes            int64        `json:"frames_bytes"`
	HeatmapsBytes          int64        `json:"heatmaps_bytes"`
	Float32EquivalentBytes int64        `json:"float32_equivalent_bytes"`
	Sequences              int          `json:"sequences"`
	Memory                 MemoryReport `json:"memory"`
	// EvalMemory is the evaluation split's breakdown (also held in memory with --preload_memory,
	// so RSSAfterLoadBytes covers both).
	EvalMemory         MemoryReport `json:"eval_memory"`
	RSSBeforeLoadBytes int64        `json:"rss_before_load_bytes"`
	RSSAfterLoadBytes  int64        `json:"rss_after_load_bytes"`
	PeakRSSBytes       int64        `json:"peak_rss_bytes"`

	// Detection metrics on the evaluation split (EvalSplit).
	EvalSplit string    `json:"eval_split"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
	F1        float64   `json:"f1"`
	Accuracy  float64   `json:"accuracy"`
	Confusion Confusion `json:"confusion"`

	Epochs             int           `json:"epochs"`
	Resumed            bool          `json:"resumed"`
	SequencesPerSecond float64       `json:"sequences_per_second"`
	Seconds            float64       `json:"seconds"`
	History            []EpochRecord `json:"history"`
	Config             TrainConfig   `json:"config"`
}

// Logger receives Train's human-readable progress lines (nil: silent).
type Logger func(format string, args ...any)

// Train runs train_v3.py end to end: load (preload or disk mode, with the memory report), train
// cfg.Epochs epochs (resuming from cfg.CheckpointDir when asked, a checkpoint after every
// epoch), evaluate after every epoch and return the report.
func Train(ctx context.Context, cfg TrainConfig, preloadProgress func(done, total int), log Logger) (Report, error) {
	start := time.Now()
	if log == nil {
		log = func(string, ...any) {}
	}
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{Model: cfg.ModelName, Seq: cfg.Seq, Grayscale: cfg.Grayscale, Config: cfg, History: []EpochRecord{}}
	rep.RSSBeforeLoadBytes = SettledRSS()
	trainDS, evalDS, err := LoadData(cfg, preloadProgress)
	if err != nil {
		return rep, err
	}
	rep.RSSAfterLoadBytes = SettledRSS()
	mem := trainDS.Memory()
	rep.Memory = mem
	rep.EvalMemory = evalDS.Memory()
	rep.FramesBytes, rep.HeatmapsBytes, rep.Float32EquivalentBytes = mem.FramesBytes, mem.HeatmapsBytes, mem.Float32EquivalentBytes
	rep.Sequences = mem.Sequences
	rep.Height, rep.Width, _ = trainDS.Size()
	rep.FileHeight, rep.FileWidth = trainDS.Split().Height, trainDS.Split().Width
	rep.EvalSplit = evalDS.Name()
	log("%s", mem)
	log("RSS: %s before loading, %s after (%s evaluation split: %d sequences)", MB(rep.RSSBeforeLoadBytes),
		MB(rep.RSSAfterLoadBytes), evalDS.Name(), evalDS.Len())

	steps := trainDS.NumBatches()
	if cfg.MaxStepsPerEpoch > 0 {
		steps = min(steps, cfg.MaxStepsPerEpoch)
	}
	cfg.TotalSteps = cfg.Epochs * steps
	rep.Config = cfg
	s, err := NewSession(cfg)
	if err != nil {
		return rep, err
	}
	defer s.Close()
	rep.Backend = s.Info.Name
	rep.Resumed = cfg.Resume
	if cfg.Resume {
		log("resuming from %s after epoch %d", cfg.CheckpointDir, s.Epoch)
	}
	log("model %s (seq %d, %d input channels) on backend %s, training at %dx%d (files %dx%d), %d sequences, batch %d",
		cfg.ModelName, cfg.Seq, cfg.ModelConfig().InputChannels(), s.Info.Name, rep.Width, rep.Height,
		rep.FileWidth, rep.FileHeight, trainDS.Len(), cfg.Batch)
	var conf Confusion
	evaluated := false
	for s.Epoch < cfg.Epochs {
		t0 := time.Now()
		lastLog := time.Now()
		loss, sps, err := s.TrainEpoch(ctx, trainDS, func(st StepStats) {
			if time.Since(lastLog) > 10*time.Second || st.Step == st.Steps {
				log("epoch %d/%d step %d/%d loss %.5f (%.2f seq/s)", st.Epoch+1, cfg.Epochs, st.Step, st.Steps, st.Loss, st.SequencesPerSecond)
				lastLog = time.Now()
			}
		})
		if err != nil {
			rep.Epochs = s.Epoch
			return rep, err
		}
		conf, err = s.Evaluate(evalDS, EvalConfig{})
		if err != nil {
			return rep, err
		}
		evaluated = true
		rec := EpochRecord{Epoch: s.Epoch, Loss: loss, SequencesPerSecond: sps, F1: conf.F1(), Seconds: time.Since(t0).Seconds()}
		rep.History = append(rep.History, rec)
		log("epoch %d/%d: loss %.5f, %.2f seq/s, %s: %s", s.Epoch, cfg.Epochs, loss, sps, evalDS.Name(), conf)
		if err := s.Save(); err != nil {
			return rep, err
		}
		rep.SequencesPerSecond = sps
	}
	if !evaluated {
		if conf, err = s.Evaluate(evalDS, EvalConfig{}); err != nil {
			return rep, err
		}
	}
	rep.Params = s.Params()
	rep.Epochs = s.Epoch
	rep.Confusion = conf
	rep.Precision, rep.Recall, rep.F1, rep.Accuracy = conf.Precision(), conf.Recall(), conf.F1(), conf.Accuracy()
	rep.PeakRSSBytes = PeakRSS()
	rep.Seconds = time.Since(start).Seconds()
	if ctx.Err() != nil {
		return rep, fmt.Errorf("vball: %w", ctx.Err())
	}
	return rep, nil
}
