package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/pcamgo/pcamgo/vball"
)

var errUsage = errors.New("usage")

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"train":    {"train VballNetV1 / VballNetFastV1 (train_v3.py flags)", runTrain},
	"generate": {"write a synthetic dataset in train_v3.py's layout", runGenerate},
	"heatmaps": {"render heatmaps from a Frame,Visibility,X,Y CSV", runHeatmaps},
	"memory":   {"load a dataset, iterate one epoch, report uint8 bytes and RSS", runMemory},
	"eval":     {"evaluate the latest checkpoint on the test or train split", runEval},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: vball COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `vball COMMAND -h` for a command's flags.")
}

// defaultGOGC is the garbage collector target used unless $GOGC is set. With a preloaded
// dataset the live heap is mostly uint8 frames (no pointers: cheap to scan), and Go's default
// GOGC=100 would let the heap grow to twice that before collecting batch garbage.
const defaultGOGC = 20

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) < 1 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "vball: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	out, errOut = stdout, stderr
	if err := cmd.run(args[1:]); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		msg := strings.Join(strings.Fields(err.Error()), " ") // One line.
		fmt.Fprintf(stderr, "vball %s: %s\n", args[0], msg)
		return 1
	}
	return 0
}

var out, errOut io.Writer = os.Stdout, os.Stderr

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("vball "+name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(errOut, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// progressBar prints a one-line preload progress bar (at most ~50 updates).
func progressBar(label string) func(done, total int) {
	last := -1
	return func(done, total int) {
		pct := 100 * done / total
		if pct/2 == last && done != total {
			return
		}
		last = pct / 2
		bar := strings.Repeat("#", pct/4) + strings.Repeat(".", 25-pct/4)
		fmt.Fprintf(errOut, "\r%s [%s] %3d%% %d/%d frames", label, bar, pct, done, total)
		if done == total {
			fmt.Fprintln(errOut)
		}
	}
}

// writeJSON writes v to path atomically (temporary file + rename).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}

// checkReportPath fails early when the report's directory does not exist.
func checkReportPath(path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return fmt.Errorf("report %s: directory %s does not exist", path, filepath.Dir(path))
	}
	return nil
}

func datasetFlags(fs *flag.FlagSet, c *vball.TrainConfig) {
	fs.StringVar(&c.DatasetRoot, "dataset_root", "", "dataset root holding train_preprocessed/ and test/ (required)")
	fs.IntVar(&c.Seq, "seq", c.Seq, "frames per sequence")
	fs.BoolVar(&c.Grayscale, "grayscale", false, "grayscale frames (seq input channels instead of 3·seq)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "batch size")
	fs.BoolVar(&c.PreloadMemory, "preload_memory", false, "decode every frame and heatmap into uint8 memory first")
	fs.BoolVar(&c.UseMemoryEfficient, "use_memory_efficient", false, "use the memory-efficient uint8 dataset (always the case here; accepted for compatibility)")
	fs.IntVar(&c.Width, "width", 0, "training width: resize frames and heatmaps at load time (0: the files' width; multiple of 4)")
	fs.IntVar(&c.Height, "height", 0, "training height (0: the files' height; multiple of 4)")
	fs.IntVar(&c.CacheFrames, "cache_frames", 0, "disk mode: frames kept in the LRU cache (default 4·batch·seq)")
	fs.IntVar(&c.Prefetch, "prefetch", 2, "batches prepared ahead by a background goroutine")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "random seed (weights, shuffle, flips)")
}

func runTrain(args []string) error {
	c := vball.DefaultTrainConfig()
	fs := newFlags("train")
	datasetFlags(fs, &c)
	fs.StringVar(&c.ModelName, "model_name", c.ModelName, "model: "+strings.Join(vball.ModelNames(), " or "))
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "total epochs (a resumed run continues up to this number)")
	fs.Float64Var(&c.Alpha, "alpha", c.Alpha, "loss class weight in [0,1]; negative disables it")
	fs.Float64Var(&c.LearningRate, "lr", c.LearningRate, "Adam learning rate")
	fs.StringVar(&c.LRSchedule, "lr_schedule", c.LRSchedule, "cosine (decay to lr/20 over the run) or constant")
	noFlip := fs.Bool("no_flip", false, "disable the left-right flip augmentation")
	fs.Float64Var(&c.WidthMultiplier, "width_multiplier", 1, "scale the models' channel counts")
	fs.StringVar(&c.Conv, "conv", "auto", "convolution implementation: auto, native or fast")
	fs.StringVar(&c.Backend, "backend", "", "GoMLX backend: \"\" (auto), go, xla, xla:cpu, xla:cuda")
	fs.StringVar(&c.CheckpointDir, "checkpoint_dir", "", "directory for checkpoints (one per epoch)")
	fs.BoolVar(&c.Resume, "resume", false, "continue from the latest checkpoint in --checkpoint_dir")
	fs.IntVar(&c.MaxStepsPerEpoch, "max_steps", 0, "truncate every epoch to this many steps (smoke tests)")
	report := fs.String("report", "", "write the JSON report here")
	if err := parse(fs, args); err != nil {
		return err
	}
	c.Flip = !*noFlip
	if c.DatasetRoot == "" {
		fmt.Fprintln(errOut, "vball train: --dataset_root is required")
		return errUsage
	}
	if err := checkReportPath(*report); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var prog func(int, int)
	if c.PreloadMemory {
		prog = progressBar("preloading")
	}
	rep, err := vball.Train(ctx, c, prog, logf)
	if err != nil {
		return err
	}
	logf("final (%s split): precision %.4f recall %.4f F1 %.4f accuracy %.4f", rep.EvalSplit, rep.Precision, rep.Recall, rep.F1, rep.Accuracy)
	if *report != "" {
		return writeJSON(*report, rep)
	}
	return nil
}

func runGenerate(args []string) error {
	var c vball.GenerateConfig
	fs := newFlags("generate")
	fs.StringVar(&c.Out, "out", "", "output dataset root (must not exist or be empty)")
	fs.IntVar(&c.Width, "width", 512, "frame width")
	fs.IntVar(&c.Height, "height", 288, "frame height")
	fs.IntVar(&c.TrainMatches, "train_matches", 2, "matches in train_preprocessed/")
	fs.IntVar(&c.TestMatches, "test_matches", 1, "matches in test/")
	fs.IntVar(&c.RalliesPerMatch, "rallies", 3, "rallies per match")
	fs.IntVar(&c.FramesPerRally, "frames", 30, "frames per rally")
	fs.Float64Var(&c.Sigma, "sigma", vball.DefaultSigma, "heatmap Gaussian sigma (pixels)")
	fs.Float64Var(&c.OccludedFraction, "occluded", 0.1, "fraction of frames with the ball hidden (plus player occlusions)")
	fs.StringVar(&c.Ext, "ext", ".jpg", "image format: .jpg or .png")
	fs.Int64Var(&c.Seed, "seed", 1, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.Out == "" {
		fmt.Fprintln(errOut, "vball generate: --out is required")
		return errUsage
	}
	sum, err := vball.Generate(c)
	if err != nil {
		return err
	}
	logf("wrote %s: %d train frames, %d test frames (%d with a visible ball, %d hidden)",
		sum.Root, sum.TrainFrames, sum.TestFrames, sum.VisibleFrames, sum.HiddenFrames)
	return nil
}

func runHeatmaps(args []string) error {
	fs := newFlags("heatmaps")
	csvPath := fs.String("csv", "", "Frame,Visibility,X,Y label CSV (required)")
	outDir := fs.String("out", "", "output directory for <Frame>.jpg heatmaps (must not exist or be empty)")
	w := fs.Int("width", 512, "heatmap width (X is in these pixels)")
	h := fs.Int("height", 288, "heatmap height (Y is in these pixels)")
	sigma := fs.Float64("sigma", vball.DefaultSigma, "Gaussian sigma in pixels")
	ext := fs.String("ext", ".jpg", "image format: .jpg or .png")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *csvPath == "" || *outDir == "" {
		fmt.Fprintln(errOut, "vball heatmaps: --csv and --out are required")
		return errUsage
	}
	labels, err := vball.ReadLabels(*csvPath)
	if err != nil {
		return err
	}
	if err := vball.WriteHeatmaps(labels, *outDir, *h, *w, *sigma, *ext); err != nil {
		return err
	}
	vis := 0
	for _, l := range labels {
		if l.Visible() {
			vis++
		}
	}
	logf("wrote %d heatmaps (%d with a ball) to %s", len(labels), vis, *outDir)
	return nil
}

// memoryReport is the JSON of `vball memory`.
type memoryReport struct {
	vball.MemoryReport
	RSSBeforeLoadBytes int64   `json:"rss_before_load_bytes"`
	RSSAfterLoadBytes  int64   `json:"rss_after_load_bytes"`
	PeakRSSLoadBytes   int64   `json:"peak_rss_after_load_bytes"`
	RSSAfterEpochBytes int64   `json:"rss_after_epoch_bytes"`
	PeakRSSBytes       int64   `json:"peak_rss_bytes"`
	LoadSeconds        float64 `json:"load_seconds"`
	Batches            int     `json:"batches"`
	EpochSeconds       float64 `json:"epoch_seconds"`
	SequencesPerSecond float64 `json:"sequences_per_second"`
}

func runMemory(args []string) error {
	c := vball.DefaultTrainConfig()
	fs := newFlags("memory")
	datasetFlags(fs, &c)
	report := fs.String("report", "", "write the JSON report here")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.DatasetRoot == "" {
		fmt.Fprintln(errOut, "vball memory: --dataset_root is required")
		return errUsage
	}
	if err := checkReportPath(*report); err != nil {
		return err
	}
	var r memoryReport
	r.RSSBeforeLoadBytes = vball.SettledRSS()
	t0 := time.Now()
	split, err := vball.ScanSplit(filepath.Join(c.DatasetRoot, vball.TrainDir))
	if err != nil {
		return err
	}
	dc := c.DatasetConfig(true)
	if c.PreloadMemory {
		dc.Progress = progressBar("preloading")
	}
	ds, err := vball.NewDataset("train", split, dc)
	if err != nil {
		return err
	}
	r.LoadSeconds = time.Since(t0).Seconds()
	r.PeakRSSLoadBytes = vball.PeakRSS()
	r.RSSAfterLoadBytes = vball.SettledRSS()
	r.MemoryReport = ds.Memory()
	logf("%s", r.MemoryReport)
	t1 := time.Now()
	n := 0
	for b, err := range ds.Iter() {
		if err != nil {
			return err
		}
		n += b.Inputs[0].Shape().Dimensions[0]
		_ = b.Finalize()
		r.Batches++
	}
	r.EpochSeconds = time.Since(t1).Seconds()
	r.SequencesPerSecond = float64(n) / r.EpochSeconds
	r.RSSAfterEpochBytes = vball.SettledRSS()
	runtime.KeepAlive(ds) // The dataset must be alive when RSS is read.
	r.PeakRSSBytes = vball.PeakRSS()
	logf("RSS before load %s, after load %s (uint8 held %s, peak while loading %s), after one epoch %s, peak %s; %d batches, %.1f seq/s",
		vball.MB(r.RSSBeforeLoadBytes), vball.MB(r.RSSAfterLoadBytes), vball.MB(r.TotalBytes), vball.MB(r.PeakRSSLoadBytes),
		vball.MB(r.RSSAfterEpochBytes), vball.MB(r.PeakRSSBytes), r.Batches, r.SequencesPerSecond)
	if *report != "" {
		return writeJSON(*report, r)
	}
	return nil
}

func runEval(args []string) error {
	c := vball.DefaultTrainConfig()
	fs := newFlags("eval")
	datasetFlags(fs, &c)
	fs.StringVar(&c.ModelName, "model_name", c.ModelName, "model: "+strings.Join(vball.ModelNames(), " or "))
	fs.Float64Var(&c.WidthMultiplier, "width_multiplier", 1, "scale the models' channel counts (as trained)")
	fs.StringVar(&c.Backend, "backend", "", "GoMLX backend")
	fs.StringVar(&c.CheckpointDir, "checkpoint_dir", "", "checkpoint directory written by vball train (required)")
	split := fs.String("split", "test", "split to evaluate: test or train")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.DatasetRoot == "" || c.CheckpointDir == "" {
		fmt.Fprintln(errOut, "vball eval: --dataset_root and --checkpoint_dir are required")
		return errUsage
	}
	c.Resume = true
	trainDS, testDS, err := vball.LoadData(c, nil)
	if err != nil {
		return err
	}
	ds := testDS
	switch *split {
	case "train":
		ds, err = vball.NewDataset("train", trainDS.Split(), c.DatasetConfig(false))
		if err != nil {
			return err
		}
	case "test":
	default:
		return fmt.Errorf("--split must be test or train, got %q", *split)
	}
	s, err := vball.NewSession(c)
	if err != nil {
		return err
	}
	defer s.Close()
	conf, err := s.Evaluate(ds, vball.EvalConfig{})
	if err != nil {
		return err
	}
	logf("checkpoint %s (epoch %d), %s split: %s", c.CheckpointDir, s.Epoch, ds.Name(), conf)
	return nil
}
