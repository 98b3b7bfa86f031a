package trainer_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/pcamgo/pcamgo/trainer"
)

// Example trains SimpleCNN for two epochs on 8 random 8×8 images with the pure Go backend.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, size = 8, 8
	images := make([]float32, n*size*size*3)
	for i := range images {
		images[i] = rng.Float32()
	}
	labels := []float32{0, 1, 0, 1, 1, 0, 1, 0}
	trainDS, _ := trainer.NewMemoryDataset("train", images, labels, n, size, size, 4, true, 1, true)
	validDS, _ := trainer.NewMemoryDataset("valid", images, labels, n, size, size, 4, false, 0, false)

	cfg := trainer.DefaultConfig()
	cfg.Backend, cfg.Epochs, cfg.BatchSize = "go", 2, 4
	rep, err := trainer.Run(context.Background(), cfg, trainDS, validDS, nil)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(rep.Model, rep.Backend, rep.Epochs, rep.Steps, rep.Params)
	fmt.Println(len(rep.History), rep.History[1].Validation.Examples)
	// Output:
	// simplecnn go 2 4 320289
	// 2 8
}
