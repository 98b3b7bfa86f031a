package dataprep_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pcamgo/pcamgo/dataprep"
)

// Generate a small synthetic split and clean it: what is dropped is exactly
// what the generator planted.
func ExampleClean() {
	dir, _ := os.MkdirTemp("", "pcam-example")
	defer os.RemoveAll(dir)
	plan, err := dataprep.Generate(dir, dataprep.DefaultGenerateOptions(500, 1, "train"))
	if err != nil {
		panic(err)
	}
	x, y := dataprep.FileNames("train")
	rep, err := dataprep.Clean(filepath.Join(dir, x), filepath.Join(dir, y), filepath.Join(dir, "clean.h5"), dataprep.DefaultCleanOptions())
	if err != nil {
		panic(err)
	}
	fmt.Printf("planted: %d duplicates, %d dark, %d bright\n", plan.Duplicates, plan.Dark, plan.Bright)
	fmt.Printf("cleaned: %d duplicates, %d dark, %d bright, kept %d of %d\n", rep.Duplicates, rep.TooDark, rep.TooBright, rep.Kept, rep.Total)
	// Output:
	// planted: 10 duplicates, 7 dark, 4 bright
	// cleaned: 10 duplicates, 7 dark, 4 bright, kept 479 of 500
}
