package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateCleanInfo(t *testing.T) {
	dir := t.TempDir()
	if err := runGenerate([]string{"--out", dir, "--n", "400", "--seed", "3"}); err != nil {
		t.Fatal(err)
	}
	x := filepath.Join(dir, "camelyonpatch_level_2_split_train_x.h5")
	y := filepath.Join(dir, "camelyonpatch_level_2_split_train_y.h5")
	out := filepath.Join(dir, "clean.h5")
	rep := filepath.Join(dir, "report.json")
	if err := runClean([]string{"--x", x, "--y", y, "--out", out, "--batch", "100", "--report", rep}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]float64
	var all map[string]any
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	r = map[string]float64{}
	for k, v := range all {
		if f, ok := v.(float64); ok {
			r[k] = f
		}
	}
	for _, k := range []string{"total", "duplicates", "too_dark", "too_bright", "kept", "seconds", "peak_rss_bytes"} {
		if _, ok := r[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	if r["total"] != 400 || r["kept"] != r["total"]-r["duplicates"]-r["too_dark"]-r["too_bright"] || r["peak_rss_bytes"] <= 0 {
		t.Errorf("report %v", r)
	}
	if err := runInfo([]string{out}); err != nil {
		t.Fatal(err)
	}
	if err := runInfo([]string{"--json", x}); err != nil {
		t.Fatal(err)
	}
}

func TestCleanBadInput(t *testing.T) {
	dir := t.TempDir()
	if err := runGenerate([]string{"--out", dir, "--n", "50"}); err != nil {
		t.Fatal(err)
	}
	x := filepath.Join(dir, "camelyonpatch_level_2_split_train_x.h5")
	y := filepath.Join(dir, "camelyonpatch_level_2_split_train_y.h5")
	gz := x + ".gz"
	src, _ := os.Open(x)
	dst, _ := os.Create(gz)
	zw := gzip.NewWriter(dst)
	io.Copy(zw, src)
	zw.Close()
	dst.Close()
	src.Close()
	out := filepath.Join(dir, "out.h5")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no x", []string{"--out", out}, "--x and --out are required"},
		{"batch 0", []string{"--x", x, "--y", y, "--out", out, "--batch", "0"}, "--batch must be positive"},
		{"dark > bright", []string{"--x", x, "--y", y, "--out", out, "--dark", "250"}, "--dark"},
		{"overwrite input", []string{"--x", x, "--y", y, "--out", x}, "would overwrite the input"},
		{"gz", []string{"--x", gz, "--y", y, "--out", out}, "decompress it first"},
		{"missing file", []string{"--x", filepath.Join(dir, "nope.h5"), "--y", y, "--out", out}, "no such file"},
		{"counts disagree", []string{"--x", x, "--y", filepath.Join(dir, "other_y.h5"), "--out", out}, "labels"},
		{"report dir missing", []string{"--x", x, "--y", y, "--out", out, "--report", filepath.Join(dir, "no", "r.json")}, "r.json"},
		{"stray argument", []string{"--x", x, "extra"}, "unexpected argument"},
		{"unknown flag", []string{"--frobnicate"}, "usage"},
	}
	// A label file with a different count.
	if err := runGenerate([]string{"--out", filepath.Join(dir, "g"), "--n", "49"}); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(dir, "g", "camelyonpatch_level_2_split_train_y.h5"), filepath.Join(dir, "other_y.h5"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runClean(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("output left behind")
			}
		})
	}
}

func TestGenerateBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--n", "5"}, {"--out", t.TempDir(), "--n", "0"}, {"--out", t.TempDir(), "--split", "training"}} {
		if err := runGenerate(args); err == nil {
			t.Errorf("generate %v succeeded", args)
		}
	}
}
