package dataprep

import (
	"fmt"
	"strings"

	"github.com/pcamgo/pcamgo/h5io"
)

// SplitInfo summarises a split for `pcam info` and the notebooks.
type SplitInfo struct {
	X            string `json:"x_file"`
	Y            string `json:"y_file"`
	N            int    `json:"n"`
	Shape        []int  `json:"x_shape"`
	XDType       string `json:"x_dtype"`
	YShape       []int  `json:"y_shape"`
	YDType       string `json:"y_dtype"`
	Positive     int    `json:"positive"`
	Negative     int    `json:"negative"`
	XBytes       int64  `json:"x_bytes"`
	HasIndex     bool   `json:"has_index"`
	Float32Bytes int64  `json:"float32_bytes"`
}

// Describe opens and validates a split and summarises it.
func Describe(xPath, yPath string) (SplitInfo, error) {
	s, err := h5io.Open(xPath, yPath)
	if err != nil {
		return SplitInfo{}, err
	}
	defer s.Close()
	labels, err := s.Labels()
	if err != nil {
		return SplitInfo{}, err
	}
	neg, pos := ClassBalance(labels)
	return SplitInfo{
		X: s.XPath, Y: s.YPath, N: s.N, Shape: []int{s.N, s.H, s.W, s.C}, XDType: "uint8",
		YShape: s.YShape, YDType: s.YDType.String(), Positive: pos, Negative: neg,
		XBytes: s.XBytes(), HasIndex: s.HasIndex, Float32Bytes: 4 * s.XBytes(),
	}, nil
}

// String prints the summary as `pcam info` does.
func (i SplitInfo) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "file:    %s\n", i.X)
	if i.Y != i.X {
		fmt.Fprintf(&sb, "labels:  %s\n", i.Y)
	}
	fmt.Fprintf(&sb, "x:       %v %s (%s; %s as float32)\n", i.Shape, i.XDType, GB(i.XBytes), GB(i.Float32Bytes))
	fmt.Fprintf(&sb, "y:       %v %s\n", i.YShape, i.YDType)
	fmt.Fprintf(&sb, "classes: %d negative, %d positive (%.1f%% positive)\n", i.Negative, i.Positive, 100*float64(i.Positive)/float64(max(i.N, 1)))
	if i.HasIndex {
		fmt.Fprintf(&sb, "index:   yes (original row of each image)\n")
	}
	return sb.String()
}
