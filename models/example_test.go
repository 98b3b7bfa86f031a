package models_test

import (
	"fmt"

	"github.com/pcamgo/pcamgo/models"
)

func Example() {
	for _, name := range models.Names() {
		spec, _ := models.Lookup(name)
		fmt.Printf("%s: %d trainable parameters\n", spec.Name, spec.TrainableParams)
	}
	_, err := models.Lookup("vgg16")
	fmt.Println(err)
	hp := models.DefaultHyperparams()
	fmt.Println(hp.BatchSize, hp.Epochs, hp.LearningRate, hp.Optimizer)
	// Output:
	// resnet50: 23510081 trainable parameters
	// simplecnn: 5006113 trainable parameters
	// models: unknown model "vgg16": valid names are resnet50, simplecnn
	// 64 20 0.001 adam
}
