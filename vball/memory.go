package vball

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/pcamgo/pcamgo/memstat"
	"strings"
)

// MemoryReport is the memory breakdown train_v3.py logs after preloading.
type MemoryReport struct {
	Preloaded bool `json:"preloaded"`
	// Frames is the number of distinct frames (and heatmaps) held; sequences share frames.
	Frames    int `json:"frames"`
	Sequences int `json:"sequences"`
	// FrameBytes and HeatmapBytes are the uint8 sizes of one frame (H·W·C) and one heatmap (H·W).
	FrameBytes   int64 `json:"frame_bytes"`
	HeatmapBytes int64 `json:"heatmap_bytes"`
	// FramesBytes and HeatmapsBytes are exactly what is held as uint8 (in disk mode: the cache bound).
	FramesBytes   int64 `json:"frames_bytes"`
	HeatmapsBytes int64 `json:"heatmaps_bytes"`
	TotalBytes    int64 `json:"total_bytes"`
	// Float32EquivalentBytes is what the same data would take as float32 (4·TotalBytes).
	Float32EquivalentBytes int64   `json:"float32_equivalent_bytes"`
	SavingsBytes           int64   `json:"savings_bytes"`
	SavingsPercent         float64 `json:"savings_percent"`
	// PerSequenceFloat32Bytes is one sequence materialised as float32 (frames + heatmaps),
	// the figure train_v3.py's summary quotes (7.08 MB at 288×512 RGB, seq 3).
	PerSequenceFloat32Bytes int64 `json:"per_sequence_float32_bytes"`
	PerSequenceUint8Bytes   int64 `json:"per_sequence_uint8_bytes"`
	// CacheFrames is the disk-mode cache bound (0 when preloaded).
	CacheFrames int `json:"cache_frames,omitempty"`
}

// Memory returns the dataset's memory breakdown. Preloaded: the bytes held are exactly
// Frames·H·W·C + Frames·H·W. Disk mode: the cache holds at most CacheFrames pairs.
func (d *Dataset) Memory() MemoryReport {
	fb, hb := int64(d.h*d.w*d.c), int64(d.h*d.w)
	held := int64(d.nFrames)
	r := MemoryReport{Preloaded: d.frames != nil, Frames: d.nFrames, Sequences: len(d.windows),
		FrameBytes: fb, HeatmapBytes: hb}
	if d.frames == nil {
		held = int64(min(d.cfg.CacheFrames, d.nFrames))
		r.CacheFrames = d.cfg.CacheFrames
	}
	r.FramesBytes, r.HeatmapsBytes = held*fb, held*hb
	r.TotalBytes = r.FramesBytes + r.HeatmapsBytes
	r.Float32EquivalentBytes = 4 * r.TotalBytes
	r.SavingsBytes = r.Float32EquivalentBytes - r.TotalBytes
	if r.Float32EquivalentBytes > 0 {
		r.SavingsPercent = 100 * float64(r.SavingsBytes) / float64(r.Float32EquivalentBytes)
	}
	seq := int64(d.cfg.Seq)
	r.PerSequenceUint8Bytes = seq * (fb + hb)
	r.PerSequenceFloat32Bytes = 4 * r.PerSequenceUint8Bytes
	return r
}

// HeldBytes sums the lengths of the uint8 buffers actually held (preload mode), to check Memory.
func (d *Dataset) HeldBytes() (frames, heatmaps int64) {
	for i := range d.frames {
		frames += int64(len(d.frames[i]))
		heatmaps += int64(len(d.heatmaps[i]))
	}
	return frames, heatmaps
}

// String formats the report like train_v3.py's log.
func (r MemoryReport) String() string {
	var b strings.Builder
	mode := "preloaded"
	if !r.Preloaded {
		mode = fmt.Sprintf("disk mode, cache bound %d frames", r.CacheFrames)
	}
	fmt.Fprintf(&b, "Dataset memory (uint8, %s): %d frames, %d sequences\n", mode, r.Frames, r.Sequences)
	fmt.Fprintf(&b, "  frames:    %s (%s each)\n", MB(r.FramesBytes), MB(r.FrameBytes))
	fmt.Fprintf(&b, "  heatmaps:  %s (%s each)\n", MB(r.HeatmapsBytes), MB(r.HeatmapBytes))
	fmt.Fprintf(&b, "  total:     %s\n", MB(r.TotalBytes))
	fmt.Fprintf(&b, "  float32 equivalent: %s, saved %s (%.1f%%)\n", MB(r.Float32EquivalentBytes), MB(r.SavingsBytes), r.SavingsPercent)
	fmt.Fprintf(&b, "  per sequence: %s uint8 vs %s float32", MB(r.PerSequenceUint8Bytes), MB(r.PerSequenceFloat32Bytes))
	return b.String()
}

// MB formats a byte count in MB (10^6 bytes, as train_v3.py's summary).
func MB(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// RSS returns the process's current resident set size in bytes, or 0 when unavailable.
func RSS() int64 { return memstat.Read().RSS }

// PeakRSS returns the process's peak resident set size, or 0 when unavailable.
func PeakRSS() int64 { return memstat.Peak() }

// SettledRSS runs the garbage collector, returns freed memory to the OS and then reads RSS.
func SettledRSS() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	return RSS()
}
