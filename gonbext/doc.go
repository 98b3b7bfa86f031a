// Package gonbext holds the display helpers of the pcamgo notebooks (GoNB, the Go
// Jupyter kernel): a live memory gauge, image grids from uint8 N×H×W×C batches,
// histograms and bar charts, training curves updated in place, ROC curves and
// confusion matrices, heatmap overlays, a progress bar and HTML tables.
//
// Every picture is built by a pure function that returns HTML, SVG or PNG bytes
// (GaugeHTML, GridHTML, HistogramSVG, BarChartSVG, LineChartSVG, ROCSVG,
// ConfusionHTML, OverlayPNG, ProgressHTML, TableHTML): they are what the unit
// tests check, and they work anywhere. The Display* functions and the live
// widgets (Gauge, Progress, Curves) send those pictures to the notebook with
// package github.com/janpfeifer/gonb/gonbui; outside a notebook (a test, the
// CLI) they do nothing, so library code may call them freely.
//
// Charts are inline SVG and images are PNG data URIs: no JavaScript, so a
// notebook exported to HTML (make notebooks-html) renders offline.
//
// The notebooks also use Data (PCam files from $PCAM_DIR, or the synthetic
// generator), Quick ($PCAMGO_QUICK), Save/Load (every GoNB cell is a new
// program), Record (memory of a dataset configuration) and Predict (a
// checkpoint's scores, a stop-gap until package trainer exports one) so that
// each cell stays one short call.
//
// Dependencies point one way: gonbext imports dataprep and trainer; dataprep,
// datasets, models and trainer never import gonbext.
package gonbext
