// Package memstat reads the process's resident memory, as the guide's
// monitoring cell does with psutil: current and peak RSS. It has no cgo
// and no dependencies, so every package (data, training, VballNet) shares it.
package memstat

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is the process's resident memory in bytes.
type Memory struct {
	RSS     int64 `json:"rss_bytes"`      // current resident set size (VmRSS)
	PeakRSS int64 `json:"peak_rss_bytes"` // peak resident set size (VmHWM)
}

// Read reads /proc/self/status. Where that is unavailable (not Linux) it
// returns zeros.
func Read() Memory {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return Memory{}
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			m.RSS = kB(rest)
		} else if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			m.PeakRSS = kB(rest)
		}
	}
	return m
}

// Peak returns the peak resident set size in bytes.
func Peak() int64 { return Read().PeakRSS }

func kB(field string) int64 {
	fields := strings.Fields(field)
	if len(fields) == 0 {
		return 0
	}
	v, _ := strconv.ParseInt(fields[0], 10, 64)
	return v * 1024
}

// GB formats bytes as GiB with two decimals, as the guide prints them.
func GB(b int64) string { return fmt.Sprintf("%.2f GB", float64(b)/(1<<30)) }

// MinorFaults returns the number of minor page faults the process has taken
// (field minflt of /proc/self/stat), or 0 where that is unavailable. Each
// fault is a first touch of a fresh page: on some virtual machines they cost
// several microseconds each, so an allocator that returns big buffers to the
// kernel and takes them back every step pays for it in speed.
func MinorFaults() int64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may contain spaces.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	fields := strings.Fields(s)
	// After the name: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10).
	if len(fields) < 8 {
		return 0
	}
	v, _ := strconv.ParseInt(fields[7], 10, 64)
	return v
}

// Available returns the memory the kernel estimates is available for new
// allocations without swapping (MemAvailable in /proc/meminfo), in bytes, or
// 0 where that is unavailable.
func Available() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			return kB(rest)
		}
	}
	return 0
}
