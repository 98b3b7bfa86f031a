package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the CLI in-process.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// tinyDataset generates a 32×16 dataset with one train and one test match.
func tinyDataset(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "data")
	code, _, stderr := runCLI("generate", "--out", root, "--width", "32", "--height", "16",
		"--train_matches", "1", "--test_matches", "1", "--rallies", "1", "--frames", "5", "--ext", ".png")
	if code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	return root
}

func TestBadInputs(t *testing.T) {
	root := tinyDataset(t)
	missing := filepath.Join(root, "train_preprocessed", "match1", "heatmaps", "rally1", "3.png")
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	badCSV := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badCSV, []byte("Frame,Visibility,X,Y\n0,1,x,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "r.json")
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
		noFile  string // Must not exist afterwards.
	}{
		{"missing heatmap", []string{"train", "--dataset_root", root, "--epochs", "1", "--report", report}, 1, missing, report},
		{"missing root", []string{"train", "--dataset_root", filepath.Join(dir, "nope"), "--report", report}, 1, "nope", report},
		{"unknown model", []string{"train", "--dataset_root", root, "--model_name", "X", "--report", report}, 1, "unknown model", report},
		{"bad csv", []string{"heatmaps", "--csv", badCSV, "--out", filepath.Join(dir, "hm")}, 1, "bad.csv:2", filepath.Join(dir, "hm")},
		{"missing csv", []string{"heatmaps", "--csv", filepath.Join(dir, "none.csv"), "--out", filepath.Join(dir, "hm")}, 1, "none.csv", filepath.Join(dir, "hm")},
		{"generate into non-empty dir", []string{"generate", "--out", root}, 1, root, ""},
		{"usage", []string{"train"}, 2, "--dataset_root is required", ""},
		{"unknown flag", []string{"train", "--nope"}, 2, "nope", ""},
		{"unknown command", []string{"fly"}, 2, "unknown command", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.wantErr)
			}
			if tc.code == 1 && strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
			if tc.noFile != "" {
				if _, err := os.Stat(tc.noFile); err == nil {
					t.Errorf("%s was written", tc.noFile)
				}
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestTrainSmokeAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny model")
	}
	root := tinyDataset(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "ckpt")
	report := filepath.Join(dir, "r.json")
	args := []string{"train", "--dataset_root", root, "--seq", "3", "--grayscale", "--model_name", "VballNetFastV1",
		"--batch", "2", "--width_multiplier", "0.25", "--preload_memory", "--checkpoint_dir", ckpt, "--report", report}
	if code, _, stderr := runCLI(append(args, "--epochs", "1")...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	var rep map[string]any
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"frames_bytes", "heatmaps_bytes", "float32_equivalent_bytes", "sequences",
		"rss_after_load_bytes", "precision", "recall", "f1", "accuracy"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	// 5 grayscale frames of 32×16 and their heatmaps, 3 windows of 3.
	if rep["frames_bytes"].(float64) != 5*32*16 || rep["heatmaps_bytes"].(float64) != 5*32*16 || rep["sequences"].(float64) != 3 {
		t.Errorf("bytes/sequences: %v %v %v", rep["frames_bytes"], rep["heatmaps_bytes"], rep["sequences"])
	}
	// A second run without --resume refuses the used directory; with it, continues to epoch 2.
	if code, _, stderr := runCLI(append(args, "--epochs", "2")...); code != 1 || !strings.Contains(stderr, "already holds checkpoints") {
		t.Fatalf("reuse without --resume: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(append(args, "--epochs", "2", "--resume")...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "resuming from") || !strings.Contains(stdout, "epoch 2/2") || strings.Contains(stdout, "epoch 1/2") {
		t.Errorf("resume output:\n%s", stdout)
	}
}
