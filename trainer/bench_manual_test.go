package trainer

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestBenchManual is an opt-in benchmark of full training steps at real PCam size:
//
//	PCAMGO_BENCH="simplecnn:2,resnet50:2" PCAMGO_BENCH_STEPS=2 PCAMGO_BENCH_SIZE=96 \
//	  GOEXPERIMENT=simd go test ./trainer -run TestBenchManual -v -timeout 2h
//
// It is skipped unless PCAMGO_BENCH is set. The backend is GOMLX_BACKEND or automatic.
func TestBenchManual(t *testing.T) {
	spec := os.Getenv("PCAMGO_BENCH")
	if spec == "" {
		t.Skip("set PCAMGO_BENCH=model:batch[,model:batch...] to run")
	}
	steps, size := 2, 96
	if v, err := strconv.Atoi(os.Getenv("PCAMGO_BENCH_STEPS")); err == nil && v > 0 {
		steps = v
	}
	if v, err := strconv.Atoi(os.Getenv("PCAMGO_BENCH_SIZE")); err == nil && v > 0 {
		size = v
	}
	for _, item := range strings.Split(spec, ",") {
		name, batchStr, _ := strings.Cut(item, ":")
		batch, err := strconv.Atoi(batchStr)
		if err != nil {
			t.Fatalf("bad PCAMGO_BENCH item %q", item)
		}
		res, err := BenchTrainSize("", name, batch, steps, size)
		if err != nil {
			t.Fatalf("%s: %v", item, err)
		}
		js, _ := json.Marshal(res)
		t.Logf("%s", js)
	}
}
