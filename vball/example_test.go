package vball_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pcamgo/pcamgo/vball"
)

// Scoring predicted heatmaps the TrackNet way: threshold 0.5, centre of the largest blob,
// 10-pixel tolerance.
func Example() {
	const h, w = 36, 64
	truth := vball.Heatmap(vball.Label{Visibility: 1, X: 20, Y: 10}, h, w, vball.DefaultSigma)
	near := vball.Heatmap(vball.Label{Visibility: 1, X: 26, Y: 12}, h, w, vball.DefaultSigma)
	far := vball.Heatmap(vball.Label{Visibility: 1, X: 50, Y: 30}, h, w, vball.DefaultSigma)
	empty := make([]uint8, h*w)
	f := func(u []uint8) []float32 {
		out := make([]float32, len(u))
		vball.ToFloat(out, u)
		return out
	}
	var c vball.Confusion
	c.Add(vball.CompareHeatmaps(f(near), f(truth), h, w, vball.EvalConfig{}))  // TP
	c.Add(vball.CompareHeatmaps(f(far), f(truth), h, w, vball.EvalConfig{}))   // FP1
	c.Add(vball.CompareHeatmaps(f(near), f(empty), h, w, vball.EvalConfig{}))  // FP2
	c.Add(vball.CompareHeatmaps(f(empty), f(empty), h, w, vball.EvalConfig{})) // TN
	c.Add(vball.CompareHeatmaps(f(empty), f(truth), h, w, vball.EvalConfig{})) // FN
	fmt.Println(c)
	// Output:
	// TP=1 FP1=1 FP2=1 TN=1 FN=1 precision=0.3333 recall=0.5000 F1=0.4000 accuracy=0.4000
}

// Generating a dataset, scanning its layout and preloading it as uint8.
func ExampleNewDataset() {
	dir, err := os.MkdirTemp("", "vball-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "data")
	if _, err := vball.Generate(vball.GenerateConfig{Out: root, Width: 64, Height: 32,
		TrainMatches: 1, RalliesPerMatch: 2, FramesPerRally: 6, Seed: 1}); err != nil {
		panic(err)
	}
	train, test, err := vball.ScanDataset(root)
	if err != nil {
		panic(err)
	}
	ds, err := vball.NewDataset("train", train, vball.DatasetConfig{Seq: 3, Grayscale: true, Preload: true})
	if err != nil {
		panic(err)
	}
	m := ds.Memory()
	fmt.Println("test split:", test != nil)
	fmt.Println("frames:", m.Frames, "sequences:", m.Sequences)
	fmt.Println("frames bytes:", m.FramesBytes, "heatmaps bytes:", m.HeatmapsBytes)
	fmt.Println("float32 equivalent:", m.Float32EquivalentBytes, "savings:", m.SavingsPercent, "%")
	x, y, err := ds.MakeBatch([]int{0, 1}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("batch:", x.Shape(), y.Shape())
	// Output:
	// test split: false
	// frames: 12 sequences: 8
	// frames bytes: 24576 heatmaps bytes: 24576
	// float32 equivalent: 196608 savings: 75 %
	// batch: (Float32)[2, 32, 64, 3] (Float32)[2, 32, 64, 3]
}
