package trainer

import (
	"strings"
	"testing"
)

func TestLoadPredictorErrors(t *testing.T) {
	for _, tc := range []struct {
		dir, want string
	}{{"", "needs a checkpoint directory"}, {t.TempDir() + "/none", "no checkpoint to predict with"}, {t.TempDir(), "no checkpoint to predict with"}} {
		cfg := DefaultConfig()
		cfg.Backend, cfg.CheckpointDir = "go", tc.dir
		if _, err := LoadPredictor(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("dir %q: error %v, want %q", tc.dir, err, tc.want)
		}
	}
}
