package trainer

import (
	"os"
	"runtime/debug"
)

// TrainGCPercent is the GOGC value used while training (see withTrainingGC).
//
// A training step on the Go backend frees and reallocates the same few hundred MB of
// activations and im2col patches every step. With Go's default GOGC=100 the collector runs
// several times per step, the backend's buffer pool (a sync.Pool) is emptied each time, and the
// freed memory goes back to the kernel only to be page-faulted in again: measured on a 2-core VM,
// SimpleCNN went from 24 to 32 img/s and from 16,000 to 4,000 page faults per step with 400,
// for the same peak RSS (2.4-2.5 GB: the live set, not garbage, dominates it).
const TrainGCPercent = 400

// withTrainingGC sets GOGC to TrainGCPercent unless the user chose one ($GOGC set), and returns
// the function that restores the previous value.
func withTrainingGC() (restore func()) {
	if _, userSet := os.LookupEnv("GOGC"); userSet {
		return func() {}
	}
	prev := debug.SetGCPercent(TrainGCPercent)
	return func() { debug.SetGCPercent(prev) }
}
