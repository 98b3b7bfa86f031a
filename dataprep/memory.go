package dataprep

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is the process's resident memory, as the guide's monitoring cell
// prints it (psutil's rss), plus the peak.
type Memory struct {
	RSS     int64 // current resident set size in bytes (VmRSS)
	PeakRSS int64 // peak resident set size in bytes (VmHWM)
}

// ReadMemory reads /proc/self/status. Where that is unavailable (not Linux)
// it returns zeros.
func ReadMemory() Memory {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return Memory{}
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			m.RSS = kbField(line)
		case strings.HasPrefix(line, "VmHWM:"):
			m.PeakRSS = kbField(line)
		}
	}
	return m
}

func kbField(line string) int64 {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return 0
	}
	v, _ := strconv.ParseInt(fields[1], 10, 64)
	return v * 1024
}

// GB formats bytes as GiB with two decimals, as the guide prints them.
func GB(b int64) string { return fmt.Sprintf("%.2f GB", float64(b)/(1<<30)) }

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
