package dataprep

import (
	"strings"
	"testing"
)

func TestMemoryReportString(t *testing.T) {
	r := MemoryReport{Memory: Memory{RSS: 3 << 29, PeakRSS: 1 << 31}, Datasets: []DatasetSize{
		SplitSize("Train", &MemSource{Images: make([]byte, 4*27648), ImageSize: 27648}),
		{Name: "Valid", Bytes: 1 << 30, HeldBytes: 1 << 30},
	}}
	got := r.String()
	for _, want := range []string{
		"Current memory usage: 1.50 GB (peak 2.00 GB)",
		"Train data size: 0.00 GB (held in memory: 0.00 GB)",
		"Valid data size: 1.00 GB (held in memory: 1.00 GB)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}
