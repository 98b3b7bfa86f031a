package trainer

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/pcamgo/pcamgo/memstat"
)

// Float is a float64 that encodes NaN and ±Inf as JSON null (encoding/json rejects them).
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler (null becomes NaN).
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("trainer: bad float %q: %w", b, err)
	}
	*f = Float(v)
	return nil
}

// EvalMetrics are validation metrics computed over a whole dataset.
type EvalMetrics struct {
	// Loss is the mean sigmoid binary cross-entropy.
	Loss Float `json:"loss"`
	// Accuracy uses the threshold logit > 0 (probability > 0.5).
	Accuracy Float `json:"accuracy"`
	// AUC is the ROC AUC (null when the set has a single class).
	AUC Float `json:"auc"`
	// Examples is the number of images evaluated.
	Examples int `json:"examples"`
}

// EpochRecord summarises one completed epoch.
type EpochRecord struct {
	Epoch      int          `json:"epoch"` // 1-based.
	TrainLoss  Float        `json:"train_loss"`
	Steps      int          `json:"steps"`
	Seconds    float64      `json:"seconds"`
	Validation *EvalMetrics `json:"validation,omitempty"`
}

// Report is the result of Run; it marshals to the JSON documented in the project.
type Report struct {
	Model           string        `json:"model"`
	Backend         string        `json:"backend"`
	Params          int           `json:"params"`
	Steps           int64         `json:"steps"`  // Global step at the end (including resumed steps).
	Epochs          int           `json:"epochs"` // Completed epochs.
	BatchSize       int           `json:"batch_size"`
	ImagesPerSecond Float         `json:"images_per_second"` // Training throughput of this process.
	ValidLoss       Float         `json:"valid_loss"`
	ValidAccuracy   Float         `json:"valid_accuracy"`
	ValidAUC        Float         `json:"valid_auc"`
	PeakRSSBytes    int64         `json:"peak_rss_bytes"`
	Seconds         float64       `json:"seconds"`
	Resumed         bool          `json:"resumed"`
	ResumedAtStep   int64         `json:"resumed_at_step,omitempty"`
	Interrupted     bool          `json:"interrupted"`
	CheckpointDir   string        `json:"checkpoint_dir,omitempty"`
	History         []EpochRecord `json:"history"`
}

// PeakRSS returns the process's peak resident set size in bytes (VmHWM in /proc/self/status),
// or 0 where that is unavailable (non-Linux).
func PeakRSS() int64 { return memstat.Peak() }

func seconds(d time.Duration) float64 { return d.Seconds() }
