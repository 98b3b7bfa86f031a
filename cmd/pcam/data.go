package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pcamgo/pcamgo/dataprep"
)

func init() {
	register("generate", "write a deterministic synthetic split in PCam's layout", runGenerate)
	register("clean", "drop duplicate, too dark and too bright patches (guide cells 6-8)", runClean)
	register("info", "print shapes, dtypes, class balance and bytes of a split", runInfo)
	register("fetch", "download the real PCam files (MD5-checked, gunzipped)", runFetch)
}

func runGenerate(args []string) error {
	fs := flag.NewFlagSet("pcam generate", flag.ContinueOnError)
	out := fs.String("out", "", "output directory (required)")
	n := fs.Int("n", 2048, "number of images")
	seed := fs.Uint64("seed", 42, "generator seed")
	split := fs.String("split", "train", "split: train, valid or test")
	size := fs.Int("size", 96, "image height and width")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out DIR is required")
	}
	if *n <= 0 {
		return fmt.Errorf("--n must be positive, got %d", *n)
	}
	if !slices.Contains(dataprep.Splits, *split) {
		return fmt.Errorf("--split %q: want one of %s", *split, strings.Join(dataprep.Splits, ", "))
	}
	o := dataprep.DefaultGenerateOptions(*n, *seed, *split)
	o.Size = *size
	b, progress := bar(*n, "generate "+*split)
	o.Progress = progress
	plan, err := dataprep.Generate(*out, o)
	b.Finish()
	if err != nil {
		return err
	}
	x, y := dataprep.FileNames(*split)
	fmt.Printf("wrote %s and %s: %d images (%d positive), planted %d duplicates, %d dark, %d bright\n",
		filepath.Join(*out, x), filepath.Join(*out, y), *n, plan.Positive, plan.Duplicates, plan.Dark, plan.Bright)
	return nil
}

func runClean(args []string) error {
	fs := flag.NewFlagSet("pcam clean", flag.ContinueOnError)
	x := fs.String("x", "", "image file (key x), required")
	y := fs.String("y", "", "label file (key y); empty when --x holds both")
	out := fs.String("out", "", "cleaned output file (required)")
	o := dataprep.DefaultCleanOptions()
	fs.IntVar(&o.Batch, "batch", o.Batch, "images per batch, as in the guide")
	fs.Float64Var(&o.Dark, "dark", o.Dark, "drop patches with mean intensity below this")
	fs.Float64Var(&o.Bright, "bright", o.Bright, "drop patches with mean intensity above this")
	report := fs.String("report", "", "write the JSON report here (- for stdout)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *x == "" || *out == "" {
		return fmt.Errorf("--x and --out are required")
	}
	if o.Batch <= 0 {
		return fmt.Errorf("--batch must be positive, got %d", o.Batch)
	}
	if err := o.Thresholds.Validate(); err != nil {
		return err
	}
	if abs(*out) == abs(*x) || abs(*out) == abs(*y) {
		return fmt.Errorf("--out %s would overwrite the input", *out)
	}
	b, progress := bar(1, "scan")
	o.Progress = progress
	o.OnStage = func(stage string) { b.Describe(stage) }
	rep, err := dataprep.Clean(*x, *y, *out, o)
	b.Finish()
	if err != nil {
		return err
	}
	fmt.Printf("total %d: %d duplicates, %d too dark (mean < %g), %d too bright (mean > %g); kept %d (%d positive) in %.1fs, peak RSS %s -> %s\n",
		rep.Total, rep.Duplicates, rep.TooDark, rep.Dark, rep.TooBright, rep.Bright, rep.Kept, rep.Positive, rep.Seconds,
		dataprep.GB(rep.PeakRSSBytes), *out)
	if *report != "" {
		if err := writeJSON(*report, rep); err != nil {
			os.Remove(*out)
			return err
		}
	}
	return nil
}

func abs(p string) string {
	if p == "" {
		return ""
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

func runInfo(args []string) error {
	fs := flag.NewFlagSet("pcam info", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, true); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return fmt.Errorf("usage: pcam info FILE [Y_FILE] (FILE holds x, or x and y)")
	}
	xPath, yPath := fs.Arg(0), fs.Arg(1)
	if yPath == "" && strings.HasSuffix(xPath, "_x.h5") {
		if cand := strings.TrimSuffix(xPath, "_x.h5") + "_y.h5"; fileExists(cand) {
			yPath = cand
		}
	}
	info, err := dataprep.Describe(xPath, yPath)
	if err != nil {
		return err
	}
	if *asJSON {
		printJSON(os.Stdout, info)
		return nil
	}
	fmt.Print(info)
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func runFetch(args []string) error {
	fs := flag.NewFlagSet("pcam fetch", flag.ContinueOnError)
	out := fs.String("out", "data/pcam", "output directory")
	mirror := fs.String("mirror", dataprep.PCamMirror, "URL template; {name} is replaced by the file name")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	return dataprep.Fetch(*out, dataprep.FetchOptions{Mirror: *mirror, Log: os.Stderr})
}
