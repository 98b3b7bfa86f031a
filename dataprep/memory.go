package dataprep

import (
	"fmt"
	"strings"

	"github.com/pcamgo/pcamgo/memstat"
)

// Memory is the process's resident memory, as the guide's monitoring cell
// prints it (psutil's rss), plus the peak.
type Memory = memstat.Memory

// ReadMemory reads the process's current and peak RSS.
func ReadMemory() Memory { return memstat.Read() }

// GB formats bytes as GiB with two decimals, as the guide prints them.
func GB(b int64) string { return memstat.GB(b) }

// MemoryReport is the guide's monitoring cell: current and peak memory, and
// the size of each dataset, both as stored and as held in memory.
type MemoryReport struct {
	Memory
	Datasets []DatasetSize
}

// DatasetSize is one dataset's size.
type DatasetSize struct {
	Name      string
	Bytes     int64 // uint8 bytes of the whole image array
	HeldBytes int64 // bytes this process holds for it (0 when streamed)
}

// String prints the report the way the guide's cell does.
func (r MemoryReport) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Current memory usage: %s (peak %s)\n", GB(r.RSS), GB(r.PeakRSS))
	for _, d := range r.Datasets {
		fmt.Fprintf(&sb, "%s data size: %s (held in memory: %s)\n", d.Name, GB(d.Bytes), GB(d.HeldBytes))
	}
	return sb.String()
}

// MonitorMemory is the guide's monitoring cell: it reads the process's
// memory now and lists the given datasets' sizes.
func MonitorMemory(ds ...DatasetSize) MemoryReport {
	return MemoryReport{Memory: ReadMemory(), Datasets: ds}
}

// SplitSize describes a split that is read from disk on demand (nothing
// held) under the given name, e.g. "Train".
func SplitSize(name string, s Source) DatasetSize {
	return DatasetSize{Name: name, Bytes: int64(s.Len()) * int64(s.ImageBytes())}
}
