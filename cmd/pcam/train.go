package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pcamgo/pcamgo/dataprep"
	"github.com/pcamgo/pcamgo/datasets"
	"github.com/pcamgo/pcamgo/h5io"
	"github.com/pcamgo/pcamgo/memstat"
	"github.com/pcamgo/pcamgo/models"
	"github.com/pcamgo/pcamgo/trainer"
	"golang.org/x/term"
)

func init() {
	register("train", "train SimpleCNN or ResNet50 on a (cleaned) split", runTrain)
	register("models", "list the models and their trainable parameters", runModels)
	register("bench", "benchmarks: `pcam bench train` times training steps", runBench)
}

func runTrain(args []string) error {
	fs := flag.NewFlagSet("pcam train", flag.ContinueOnError)
	cfg := trainer.DefaultConfig()
	data := fs.String("data", "", "training split: a cleaned file, or the x file of an x/y pair (required)")
	dataY := fs.String("data-y", "", "label file when --data is an x file")
	valid := fs.String("valid", "", "validation split (cleaned file or x file); default: hold out 10% of --data")
	validY := fs.String("valid-y", "", "label file when --valid is an x file")
	fs.StringVar(&cfg.Model, "model", cfg.Model, "model: simplecnn or resnet50")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "batch size (Option 3: smaller batches, less memory)")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "Adam learning rate")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed for weights, order and augmentation")
	fs.StringVar(&cfg.DType, "dtype", "float32", "batch and compute dtype: float32, float16 or bfloat16 (Option 2)")
	stream := fs.Bool("stream", false, "stream batches from HDF5 instead of preloading (Option 4)")
	subsample := fs.Float64("subsample", 1, "train on this stratified fraction of the data (Option 1)")
	augment := fs.Bool("augment", true, "random flips, rotations, shifts, brightness/contrast")
	fs.StringVar(&cfg.CheckpointDir, "checkpoint", "", "checkpoint directory (each epoch and every --checkpoint-every)")
	fs.BoolVar(&cfg.Resume, "resume", false, "continue from the last checkpoint in --checkpoint")
	fs.DurationVar(&cfg.CheckpointEvery, "checkpoint-every", cfg.CheckpointEvery, "time between mid-epoch checkpoints")
	fs.StringVar(&cfg.Backend, "backend", "", "go, xla, xla:cpu or xla:cuda (default: $GOMLX_BACKEND, else XLA if installed, else go)")
	fs.Var(&cfg.Conv, "conv", "convolution implementation: auto, native or fast")
	fs.IntVar(&cfg.MaxStepsPerEpoch, "max-steps", 0, "stop each epoch after this many steps (quick runs)")
	report := fs.String("report", "", "write the JSON report here (- for stdout)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("--data is required")
	}
	if _, err := models.Lookup(cfg.Model); err != nil {
		return err
	}
	if cfg.Epochs <= 0 || cfg.BatchSize <= 0 {
		return fmt.Errorf("--epochs (%d) and --batch (%d) must be positive", cfg.Epochs, cfg.BatchSize)
	}
	if _, err := datasets.ParseDType(cfg.DType); err != nil {
		return fmt.Errorf("--dtype: %w", err)
	}
	if cfg.Resume && cfg.CheckpointDir == "" {
		return fmt.Errorf("--resume needs --checkpoint DIR")
	}
	if cfg.Resume {
		if st, err := os.Stat(cfg.CheckpointDir); err != nil || !st.IsDir() {
			return fmt.Errorf("--resume: checkpoint directory %s does not exist", cfg.CheckpointDir)
		}
	}

	split, err := h5io.Open(*data, *dataY)
	if err != nil {
		return err
	}
	defer split.Close()
	labels, err := split.Labels()
	if err != nil {
		return err
	}
	seed := uint64(cfg.Seed)
	trainRows := allRows(split.N)
	var validSplit *h5io.Split
	var validRows []int
	if *valid != "" {
		if validSplit, err = h5io.Open(*valid, *validY); err != nil {
			return err
		}
		defer validSplit.Close()
	} else {
		if trainRows, validRows, err = datasets.HoldOut(split.N, 0.1, seed); err != nil {
			return fmt.Errorf("%s: %w", *data, err)
		}
		validSplit = split
		fmt.Fprintf(os.Stderr, "no --valid: holding out %d of %d images (seeded 10%%) for validation\n", len(validRows), split.N)
	}
	if *subsample != 1 {
		sub := make([]uint8, len(trainRows))
		for i, r := range trainRows {
			sub[i] = labels[r]
		}
		keep, err := dataprep.StratifiedSubsample(sub, *subsample, seed)
		if err != nil {
			return fmt.Errorf("--subsample: %w", err)
		}
		for i, k := range keep {
			keep[i] = trainRows[k]
		}
		trainRows = keep
	}
	aug := datasets.Augment{}
	if *augment {
		aug = datasets.DefaultAugment()
	}
	pb, progress := bar(len(trainRows), "load train")
	trainDS, err := datasets.FromSplit(split, datasets.Options{Name: "train", BatchSize: cfg.BatchSize, Shuffle: true, Seed: seed,
		Augment: aug, DType: cfg.DType, Stream: *stream, Rows: trainRows, DropRemainder: true, Progress: progress})
	pb.Finish()
	if err != nil {
		return err
	}
	defer trainDS.Close()
	validDS, err := datasets.FromSplit(validSplit, datasets.Options{Name: "valid", BatchSize: cfg.BatchSize, DType: cfg.DType, Stream: *stream, Rows: validRows})
	if err != nil {
		return err
	}
	defer validDS.Close()
	m := trainDS.Memory()
	fmt.Fprintf(os.Stderr, "train: %d images (%s), %s uint8 held in memory (float32 would be %s); valid: %d images\n",
		m.Images, m.Mode, dataprep.GB(m.HeldBytes), dataprep.GB(m.Float32Bytes), validDS.Len())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	steps := trainDS.NumBatches()
	if cfg.MaxStepsPerEpoch > 0 {
		steps = min(steps, cfg.MaxStepsPerEpoch)
	}
	tb, _ := bar(steps*cfg.Epochs, "train")
	interactive, lastLog := term.IsTerminal(int(os.Stderr.Fd())), time.Now()
	rep, err := trainer.Run(ctx, cfg, trainDS, validDS, func(p trainer.Progress) {
		switch p.Phase {
		case trainer.PhaseTrain:
			desc := fmt.Sprintf("epoch %d/%d loss %.4f %.1f img/s RSS %s", p.Epoch+1, p.Epochs, p.Loss, p.ImagesPerSecond, dataprep.GB(dataprep.ReadMemory().RSS))
			tb.Describe(desc)
			tb.Set(p.Epoch*steps + p.Step)
			if !interactive && time.Since(lastLog) > 30*time.Second {
				// No bar in a log file: a plain line every 30 s instead.
				lastLog = time.Now()
				fmt.Fprintf(os.Stderr, "%s, step %d/%d\n", desc, p.Step, steps)
			}
		case trainer.PhaseEval:
			tb.Clear()
			fmt.Fprintf(os.Stderr, "epoch %d/%d: valid loss %.4f accuracy %.4f AUC %.4f (%d images)\n",
				p.Epoch+1, p.Epochs, float64(p.Valid.Loss), float64(p.Valid.Accuracy), float64(p.Valid.AUC), p.Valid.Examples)
		case trainer.PhaseStart:
			fmt.Fprintf(os.Stderr, "model %s: %d trainable parameters, backend %s\n", cfg.Model, p.Params, p.Backend)
		}
	})
	tb.Finish()
	if rep.Model != "" {
		fmt.Printf("%s on %s: %d epochs, %d steps, %.1f img/s; valid accuracy %.4f, AUC %.4f; peak RSS %s",
			rep.Model, rep.Backend, rep.Epochs, rep.Steps, float64(rep.ImagesPerSecond), float64(rep.ValidAccuracy), float64(rep.ValidAUC), dataprep.GB(rep.PeakRSSBytes))
		if cfg.CheckpointDir != "" {
			fmt.Printf("; checkpoint in %s", cfg.CheckpointDir)
		}
		fmt.Println()
		if *report != "" {
			if werr := writeJSON(*report, rep); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil && rep.Interrupted {
		if cfg.CheckpointDir == "" {
			return interrupted{"interrupted (no --checkpoint, nothing saved)"}
		}
		return interrupted{fmt.Sprintf("interrupted: checkpoint saved in %s; continue with the same command plus --resume", cfg.CheckpointDir)}
	}
	return err
}

func allRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

func runModels(args []string) error {
	fs := flag.NewFlagSet("pcam models", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	type entry struct {
		Name        string `json:"name"`
		Params      int    `json:"params"`
		Description string `json:"description"`
	}
	var out []entry
	for _, n := range models.Names() {
		s, _ := models.Lookup(n)
		out = append(out, entry{n, s.TrainableParams, s.Description})
	}
	if *asJSON {
		printJSON(os.Stdout, out)
		return nil
	}
	for _, e := range out {
		fmt.Printf("%-10s %12d  %s\n", e.Name, e.Params, e.Description)
	}
	return nil
}

func runBench(args []string) error {
	if len(args) > 0 && args[0] == "data" {
		return runBenchData(args[1:])
	}
	if len(args) == 0 || args[0] != "train" {
		return fmt.Errorf("usage: pcam bench train --model M --batch B --steps S [--json]  |  pcam bench data --data FILE [--stream]")
	}
	fs := flag.NewFlagSet("pcam bench train", flag.ContinueOnError)
	model := fs.String("model", "simplecnn", "model: simplecnn or resnet50")
	batch := fs.Int("batch", 32, "batch size")
	steps := fs.Int("steps", 3, "timed steps, after the warm-up steps")
	warmup := fs.Int("warmup", trainer.DefaultBenchWarmup, "untimed warm-up steps, the first compiles the graph (0: default)")
	size := fs.Int("size", 96, "image height and width")
	backend := fs.String("backend", "", "engine: go, xla, xla:cpu, xla:cuda (default automatic)")
	asJSON := fs.Bool("json", false, "print JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the timed steps to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a Go allocation profile of the run to this file (go tool pprof -sample_index=alloc_space)")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	if _, err := models.Lookup(*model); err != nil {
		return err
	}
	opts := trainer.BenchOptions{Backend: *backend, Model: *model, Batch: *batch, Steps: *steps, WarmupSteps: *warmup, ImageSize: *size}
	// Profiles are buffered and written only if the benchmark succeeds (no partial files).
	var cpuBuf, memBuf bytes.Buffer
	profiles := []struct {
		path string
		buf  *bytes.Buffer
		dst  *io.Writer
	}{{*cpuProfile, &cpuBuf, &opts.CPUProfile}, {*memProfile, &memBuf, &opts.MemProfile}}
	for _, p := range profiles {
		if p.path != "" {
			*p.dst = p.buf
		}
	}
	t0 := time.Now()
	res, err := trainer.BenchTrainWith(opts)
	if err != nil {
		return err
	}
	for _, p := range profiles {
		if p.path != "" {
			if err := writeFileAtomic(p.path, p.buf.Bytes()); err != nil {
				return fmt.Errorf("pcam bench train: profile: %w", err)
			}
		}
	}
	if *asJSON {
		printJSON(os.Stdout, res)
		return nil
	}
	fmt.Printf("%s on %s, batch %d, %dx%d: %.2f img/s (%.3f s/step, warm-up %.1f s, %d params, peak RSS %s, %.0f page faults/step, %.0fs total)\n",
		res.Model, res.Backend, res.Batch, *size, *size, res.ImgPerSecond, res.SecondsPerStep, res.WarmupSeconds, res.Params,
		dataprep.GB(res.PeakRSSBytes), res.PageFaultsPerStep, time.Since(t0).Seconds())
	return nil
}

// runBenchData measures the input pipeline alone: memory held and batches
// per second, preloaded or streamed, with training augmentation.
func runBenchData(args []string) error {
	fs := flag.NewFlagSet("pcam bench data", flag.ContinueOnError)
	data := fs.String("data", "", "cleaned split (or x file) (required)")
	dataY := fs.String("data-y", "", "label file when --data is an x file")
	stream := fs.Bool("stream", false, "stream from HDF5 (Option 4) instead of preloading")
	batch := fs.Int("batch", 64, "batch size")
	batches := fs.Int("batches", 50, "batches to time")
	dtype := fs.String("dtype", "float32", "batch dtype")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("--data is required")
	}
	t0 := time.Now()
	ds, err := datasets.Open(*data, *dataY, datasets.Options{BatchSize: *batch, Shuffle: true, Seed: 1,
		Augment: datasets.DefaultAugment(), DType: *dtype, Stream: *stream, DropRemainder: true})
	if err != nil {
		return err
	}
	defer ds.Close()
	load := time.Since(t0)
	afterLoad := memstat.Read()
	t1 := time.Now()
	n := 0
	for b, err := range ds.Iter() {
		if err != nil {
			return err
		}
		n++
		b.Finalize()
		if n == *batches {
			break
		}
	}
	el := time.Since(t1)
	m := ds.Memory()
	res := map[string]any{
		"mode": m.Mode, "images": m.Images, "held_bytes": m.HeldBytes, "float32_bytes": m.Float32Bytes,
		"load_seconds": load.Seconds(), "rss_after_load_bytes": afterLoad.RSS, "peak_rss_bytes": memstat.Peak(),
		"batches": n, "batch": *batch, "img_per_s": float64(n**batch) / el.Seconds(),
	}
	if *asJSON {
		printJSON(os.Stdout, res)
		return nil
	}
	fmt.Printf("%s, %d images: %s held (float32: %s), load %.1fs, RSS after load %s, peak %s, %.0f img/s with augmentation\n",
		m.Mode, m.Images, memstat.GB(m.HeldBytes), memstat.GB(m.Float32Bytes), load.Seconds(), memstat.GB(afterLoad.RSS),
		memstat.GB(memstat.Peak()), res["img_per_s"])
	return nil
}
