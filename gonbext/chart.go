package gonbext

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ChartOptions are the common options of the SVG charts. Zero values take
// defaults (640×320 pixels, no title).
type ChartOptions struct {
	Title          string
	XLabel, YLabel string
	Width, Height  int
	// YMin and YMax fix the y range when YMax > YMin (e.g. 0–1 for accuracy).
	YMin, YMax float64
	// Markers are vertical lines drawn at x positions (thresholds).
	Markers []Marker
}

// Marker is a labelled vertical line.
type Marker struct {
	X     float64
	Label string
	Color string
}

// Series is one line of a LineChartSVG.
type Series struct {
	Name  string
	X, Y  []float64
	Color string // default: a palette colour
	Dash  bool   // dashed line
	Dots  bool   // draw a dot at each point
}

// Palette is the default colour cycle of the charts.
var Palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

const (
	padLeft, padRight, padTop, padBottom = 60, 20, 30, 45
)

func (o ChartOptions) size() (w, h int) {
	w, h = o.Width, o.Height
	if w <= 0 {
		w = 640
	}
	if h <= 0 {
		h = 320
	}
	return w, h
}

// frame maps data coordinates to pixels inside the plot area.
type frame struct {
	w, h                   int
	x0, x1, y0, y1         float64
	xticks, yticks         []float64
	left, right, top, bott float64
}

func newFrame(o ChartOptions, x0, x1, y0, y1 float64) *frame {
	w, h := o.size()
	if o.YMax > o.YMin {
		y0, y1 = o.YMin, o.YMax
	}
	if !(x1 > x0) {
		x0, x1 = x0-0.5, x0+0.5
	}
	if !(y1 > y0) {
		y0, y1 = y0-0.5, y0+0.5
	}
	f := &frame{w: w, h: h, left: padLeft, right: float64(w - padRight), top: padTop, bott: float64(h - padBottom)}
	f.xticks, f.x0, f.x1 = niceTicks(x0, x1, 6)
	f.yticks, f.y0, f.y1 = niceTicks(y0, y1, 5)
	if o.YMax > o.YMin { // keep the requested range exactly
		f.y0, f.y1 = o.YMin, o.YMax
	}
	return f
}

func (f *frame) px(x float64) float64 {
	return f.left + (x-f.x0)/(f.x1-f.x0)*(f.right-f.left)
}

func (f *frame) py(y float64) float64 {
	return f.bott - (y-f.y0)/(f.y1-f.y0)*(f.bott-f.top)
}

// niceTicks returns about n round tick values covering [lo, hi] and the
// widened range.
func niceTicks(lo, hi float64, n int) (ticks []float64, a, b float64) {
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span/float64(n))))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if span/(step*m) <= float64(n) {
			step *= m
			break
		}
	}
	a = math.Floor(lo/step) * step
	b = math.Ceil(hi/step) * step
	for v := a; v <= b+step/2; v += step {
		ticks = append(ticks, math.Round(v/step)*step)
	}
	return ticks, a, b
}

func fmtNum(v float64) string {
	if v == 0 {
		return "0"
	}
	av := math.Abs(v)
	switch {
	case av >= 1e6 || av < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case av >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// open writes the SVG header, title, axes, ticks and labels.
func (f *frame) open(b *strings.Builder, o ChartOptions) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`, f.w, f.h, f.w, f.h)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`, f.w, f.h)
	if o.Title != "" {
		fmt.Fprintf(b, `<text x="%d" y="18" text-anchor="middle" font-size="14" font-weight="bold">%s</text>`, f.w/2, esc(o.Title))
	}
	for _, t := range f.yticks {
		if t < f.y0-1e-9 || t > f.y1+1e-9 {
			continue
		}
		y := f.py(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`, f.left, y, f.right, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, f.left-5, y+4, fmtNum(t))
	}
	for _, t := range f.xticks {
		x := f.px(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/>`, x, f.bott, x, f.bott+4)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, f.bott+16, fmtNum(t))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, f.left, f.bott, f.right, f.bott)
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, f.left, f.top, f.left, f.bott)
	if o.XLabel != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, (f.left+f.right)/2, f.h-8, esc(o.XLabel))
	}
	if o.YLabel != "" {
		fmt.Fprintf(b, `<text x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">%s</text>`, (f.top+f.bott)/2, (f.top+f.bott)/2, esc(o.YLabel))
	}
}

func (f *frame) markers(b *strings.Builder, ms []Marker) {
	for i, m := range ms {
		if m.X < f.x0 || m.X > f.x1 {
			continue
		}
		c := m.Color
		if c == "" {
			c = "#d62728"
		}
		x := f.px(m.X)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-dasharray="4 3"/>`, x, f.top, x, f.bott, esc(c))
		if m.Label != "" {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s" text-anchor="middle">%s</text>`, x, f.top+10+float64(i%2)*12, esc(c), esc(m.Label))
		}
	}
}

func legend(b *strings.Builder, f *frame, names []string, colors []string) {
	y := f.top + 4
	for i, n := range names {
		if n == "" {
			continue
		}
		x := f.right - 150
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="12" height="3" fill="%s"/>`, x, y+float64(i)*14, esc(colors[i]))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`, x+16, y+4+float64(i)*14, esc(n))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// HistogramSVG draws a histogram of values in bins equal-width bins between
// their minimum and maximum (or [lo, hi] when hi > lo).
func HistogramSVG(values []float64, bins int, lo, hi float64, o ChartOptions) string {
	counts, edges := Histogram(values, bins, lo, hi)
	var ymax float64
	for _, c := range counts {
		ymax = math.Max(ymax, float64(c))
	}
	f := newFrame(o, edges[0], edges[len(edges)-1], 0, math.Max(ymax, 1))
	var b strings.Builder
	f.open(&b, o)
	for i, c := range counts {
		x0, x1 := f.px(edges[i]), f.px(edges[i+1])
		y := f.py(float64(c))
		fmt.Fprintf(&b, `<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>[%s, %s): %d</title></rect>`,
			x0, y, math.Max(x1-x0-0.5, 0.5), f.bott-y, Palette[0], fmtNum(edges[i]), fmtNum(edges[i+1]), c)
	}
	f.markers(&b, o.Markers)
	b.WriteString("</svg>")
	return b.String()
}

// Histogram counts values (NaN and ±Inf ignored) into bins equal-width bins
// over [lo, hi] (values outside are clamped), or over the values' range when
// hi ≤ lo. It returns the counts and the bins+1 edges.
func Histogram(values []float64, bins int, lo, hi float64) (counts []int, edges []float64) {
	if bins <= 0 {
		bins = 30
	}
	if !(hi > lo) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range values {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if lo > hi {
			lo, hi = 0, 1
		}
		if lo == hi {
			lo, hi = lo-0.5, hi+0.5
		}
	}
	counts = make([]int, bins)
	edges = make([]float64, bins+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(bins)
	}
	for _, v := range values {
		if !finite(v) {
			continue
		}
		k := int((v - lo) / (hi - lo) * float64(bins))
		counts[min(max(k, 0), bins-1)]++
	}
	return counts, edges
}

// BarChartSVG draws one bar per label, with its value written above it.
// Colors (optional) colour the bars in turn.
func BarChartSVG(labels []string, values []float64, colors []string, o ChartOptions) string {
	ymax := 0.0
	for _, v := range values {
		if finite(v) {
			ymax = math.Max(ymax, v)
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	n := len(values)
	f := newFrame(o, 0, float64(max(n, 1)), 0, ymax*1.1)
	f.xticks = nil
	var b strings.Builder
	f.open(&b, o)
	slot := (f.right - f.left) / float64(max(n, 1))
	for i, v := range values {
		if !finite(v) {
			v = 0
		}
		c := Palette[i%len(Palette)]
		if len(colors) > 0 {
			c = colors[i%len(colors)]
		}
		x := f.left + slot*float64(i) + slot*0.15
		y := f.py(v)
		lab := ""
		if i < len(labels) {
			lab = labels[i]
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s: %s</title></rect>`,
			x, y, slot*0.7, f.bott-y, esc(c), esc(lab), fmtNum(v))
		fmt.Fprintf(&b, `<text x="%.2f" y="%.2f" text-anchor="middle">%s</text>`, x+slot*0.35, y-4, fmtNum(v))
		fmt.Fprintf(&b, `<text x="%.2f" y="%.2f" text-anchor="middle">%s</text>`, x+slot*0.35, f.bott+16, esc(lab))
	}
	b.WriteString("</svg>")
	return b.String()
}

// LineChartSVG draws series as lines (points with a non-finite Y are
// skipped). With no points it draws empty axes.
func LineChartSVG(series []Series, o ChartOptions) string {
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for i := range min(len(s.X), len(s.Y)) {
			if finite(s.X[i]) && finite(s.Y[i]) {
				x0, x1 = math.Min(x0, s.X[i]), math.Max(x1, s.X[i])
				y0, y1 = math.Min(y0, s.Y[i]), math.Max(y1, s.Y[i])
			}
		}
	}
	if x0 > x1 {
		x0, x1, y0, y1 = 0, 1, 0, 1
	}
	f := newFrame(o, x0, x1, y0, y1)
	var b strings.Builder
	f.open(&b, o)
	names := make([]string, len(series))
	colors := make([]string, len(series))
	for si, s := range series {
		c := s.Color
		if c == "" {
			c = Palette[si%len(Palette)]
		}
		names[si], colors[si] = s.Name, c
		var pts []string
		for i := range min(len(s.X), len(s.Y)) {
			if finite(s.X[i]) && finite(s.Y[i]) {
				pts = append(pts, fmt.Sprintf("%.2f,%.2f", f.px(s.X[i]), f.py(s.Y[i])))
			}
		}
		dash := ""
		if s.Dash {
			dash = ` stroke-dasharray="6 4"`
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="2"%s points="%s"><title>%s</title></polyline>`,
				esc(c), dash, strings.Join(pts, " "), esc(s.Name))
		}
		if s.Dots || len(pts) == 1 {
			for _, p := range pts {
				xy := strings.SplitN(p, ",", 2)
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, xy[0], xy[1], esc(c))
			}
		}
	}
	f.markers(&b, o.Markers)
	legend(&b, f, names, colors)
	b.WriteString("</svg>")
	return b.String()
}

// DisplayHistogram shows HistogramSVG.
func DisplayHistogram(values []float64, bins int, lo, hi float64, o ChartOptions) {
	DisplaySVG(HistogramSVG(values, bins, lo, hi, o))
}

// DisplayBarChart shows BarChartSVG.
func DisplayBarChart(labels []string, values []float64, colors []string, o ChartOptions) {
	DisplaySVG(BarChartSVG(labels, values, colors, o))
}

// DisplayLineChart shows LineChartSVG.
func DisplayLineChart(series []Series, o ChartOptions) { DisplaySVG(LineChartSVG(series, o)) }
