package dataprep

import (
	"strings"
	"testing"
)

func TestReadMemory(t *testing.T) {
	m := ReadMemory()
	if m.RSS <= 0 || m.PeakRSS < m.RSS {
		t.Fatalf("ReadMemory() = %+v: want 0 < RSS <= peak", m)
	}
	// Touching 64 MiB must show up in the peak.
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if after := ReadMemory(); after.PeakRSS < m.RSS+32<<20 {
		t.Errorf("peak RSS %d did not grow by at least 32 MiB from %d", after.PeakRSS, m.RSS)
	}
	_ = buf[len(buf)-1]
}

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
