package gonbext

import (
	"math"
	"strings"
	"testing"
)

func TestHistogram(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		bins   int
		lo, hi float64
		want   []int
	}{
		{"auto range", []float64{0, 1, 2, 3}, 2, 0, 0, []int{2, 2}},
		{"fixed range clamps", []float64{-5, 0, 127, 255, 300}, 2, 0, 255, []int{3, 2}},
		{"ignores NaN and Inf", []float64{1, math.NaN(), math.Inf(1), 1}, 1, 0, 0, []int{2}},
		{"empty", nil, 3, 0, 0, []int{0, 0, 0}},
		{"default bins", []float64{1}, 0, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts, edges := Histogram(tt.values, tt.bins, tt.lo, tt.hi)
			if len(edges) != len(counts)+1 {
				t.Fatalf("%d edges for %d bins", len(edges), len(counts))
			}
			if tt.want == nil {
				if len(counts) != 30 {
					t.Errorf("default bins = %d, want 30", len(counts))
				}
				return
			}
			for i := range tt.want {
				if counts[i] != tt.want[i] {
					t.Fatalf("counts = %v, want %v", counts, tt.want)
				}
			}
		})
	}
}

func TestChartsSVG(t *testing.T) {
	tests := []struct {
		name   string
		svg    string
		elems  map[string]int // minimum count per element
		labels []string
	}{
		{"histogram", HistogramSVG([]float64{1, 2, 2, 3, 250}, 16, 0, 255,
			ChartOptions{Title: "Mean intensity", XLabel: "mean", YLabel: "images", Markers: []Marker{{X: 10, Label: "dark"}, {X: 245, Label: "bright"}}}),
			map[string]int{"svg": 1, "rect": 17, "title": 16}, []string{"Mean intensity", "mean", "images", "dark", "bright"}},
		{"bars", BarChartSVG([]string{"normal", "tumour"}, []float64{120, 80}, nil, ChartOptions{Title: "Class balance"}),
			map[string]int{"rect": 3}, []string{"Class balance", "normal", "tumour", "120", ">80<"}},
		{"bars with NaN", BarChartSVG([]string{"a"}, []float64{math.NaN()}, []string{"red"}, ChartOptions{}),
			map[string]int{"rect": 2}, []string{">a<"}},
		{"lines", LineChartSVG([]Series{{Name: "train", X: []float64{1, 2, 3}, Y: []float64{0.7, 0.5, math.NaN()}}, {Name: "valid", X: []float64{3}, Y: []float64{0.4}}},
			ChartOptions{Title: "loss", YMin: 0, YMax: 1}),
			map[string]int{"polyline": 2, "circle": 1}, []string{"train", "valid", "loss"}},
		{"empty lines", LineChartSVG(nil, ChartOptions{}), map[string]int{"svg": 1}, nil},
		{"escapes", BarChartSVG([]string{"<a&b>"}, []float64{1}, nil, ChartOptions{Title: `"q"`}), map[string]int{"svg": 1}, []string{"&lt;a&amp;b&gt;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts := parseXML(t, tt.svg)
			for el, n := range tt.elems {
				if counts[el] < n {
					t.Errorf("%d <%s>, want ≥ %d", counts[el], el, n)
				}
			}
			for _, l := range tt.labels {
				if !strings.Contains(tt.svg, l) {
					t.Errorf("missing %q", l)
				}
			}
			if strings.Contains(tt.svg, "NaN") {
				t.Error("NaN written into the SVG")
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	for _, r := range [][2]float64{{0, 1}, {0.3, 0.7}, {0, 255}, {1, 1000}, {-3, 7}} {
		ticks, a, b := niceTicks(r[0], r[1], 5)
		if a > r[0] || b < r[1] || len(ticks) < 2 || len(ticks) > 12 {
			t.Errorf("niceTicks(%v) = %v [%g,%g]", r, ticks, a, b)
		}
	}
}

func TestTableAndBytes(t *testing.T) {
	h := TableHTML([]string{"option", "memory"}, [][]string{Row("float16", 0.5), Row("<x>", int64(3))})
	c := parseXML(t, h)
	if c["tr"] != 3 || c["td"] != 4 || !strings.Contains(h, "&lt;x&gt;") || !strings.Contains(h, "0.5") {
		t.Errorf("table: %v\n%s", c, h)
	}
	for n, want := range map[int64]string{12: "12 B", 2048: "2.0 KiB", 3 << 20: "3.0 MiB", 7 << 30: "7.00 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
