package trainer

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/pcamgo/pcamgo/memstat"
)

// unsetEnv unsets key for the duration of the test.
func unsetEnv(t *testing.T, key string) {
	t.Helper()
	if v, ok := os.LookupEnv(key); ok {
		t.Cleanup(func() { os.Setenv(key, v) })
		os.Unsetenv(key)
	}
}

func TestWithTrainingGC(t *testing.T) {
	unsetEnv(t, "GOGC")
	unsetEnv(t, "GOMEMLIMIT")
	prevPercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prevPercent)
	prevLimit := debug.SetMemoryLimit(-1)

	restore := withTrainingGC()
	percent := debug.SetGCPercent(-1) // reads (and keeps) the current value
	limit := debug.SetMemoryLimit(-1)
	if memstat.Available() > 0 {
		if percent != -1 {
			t.Errorf("GOGC while training = %d, want -1 (off, memory-limit driven)", percent)
		}
		if limit <= 0 || limit > TrainMemoryLimit || limit > memstat.Available() {
			t.Errorf("memory limit while training = %d, want in (0, min(available, %d)]", limit, TrainMemoryLimit)
		}
	} else if percent != TrainGCPercent {
		t.Errorf("GOGC while training = %d, want %d", percent, TrainGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after restore = %d, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != prevLimit {
		t.Errorf("memory limit after restore = %d, want %d", got, prevLimit)
	}
}

func TestWithTrainingGCRespectsUserSetting(t *testing.T) {
	t.Setenv("GOGC", "150")
	prev := debug.SetGCPercent(150)
	defer debug.SetGCPercent(prev)
	restore := withTrainingGC()
	defer restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GOGC = %d with $GOGC=150 set by the user, want it untouched", got)
	}
}
