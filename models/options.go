package models

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
)

// ConvImpl selects how convolutions and max-pools are computed.
type ConvImpl int

const (
	// ConvAuto uses ConvFast on the pure Go backend when the fast path is available, else ConvNative.
	ConvAuto ConvImpl = iota
	// ConvNative uses GoMLX's graph.Convolve and graph.MaxPool (best on XLA).
	ConvNative
	// ConvFast uses package models/fastconv; it panics if that package is not wired in.
	ConvFast
)

// String implements fmt.Stringer.
func (c ConvImpl) String() string {
	switch c {
	case ConvAuto:
		return "auto"
	case ConvNative:
		return "native"
	case ConvFast:
		return "fast"
	default:
		return fmt.Sprintf("ConvImpl(%d)", int(c))
	}
}

// ParseConvImpl parses "auto" (or ""), "native" or "fast".
func ParseConvImpl(s string) (ConvImpl, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return ConvAuto, nil
	case "native":
		return ConvNative, nil
	case "fast":
		return ConvFast, nil
	}
	return ConvAuto, fmt.Errorf("models: unknown convolution implementation %q: valid values are \"auto\", \"native\", \"fast\"", s)
}

// Options configures how a model graph is built. The zero value is valid (ConvAuto).
type Options struct {
	// Conv selects the convolution / max-pool implementation.
	Conv ConvImpl
}

// Fast-path hooks. They are nil until package models/fastconv is wired in (one assignment in
// this package: fastConv2D = fastconv.Conv2DBias; fastMaxPool2D = fastconv.MaxPool2D).
//
//   - fastConv2D(x, kernel, bias, stride): x NHWC, kernel [kh, kw, cin, cout], SAME padding, bias
//     [cout] or nil.
//   - fastMaxPool2D(x, window, stride): x NHWC, SAME padding.
var (
	fastConv2D    func(x, kernel, bias *graph.Node, stride int) *graph.Node
	fastMaxPool2D func(x *graph.Node, window, stride int) *graph.Node
)

// FastAvailable reports whether the models/fastconv fast path is wired in.
func FastAvailable() bool { return fastConv2D != nil && fastMaxPool2D != nil }

// useFast resolves opts.Conv for the graph g.
func (o Options) useFast(g *graph.Graph) bool {
	switch o.Conv {
	case ConvNative:
		return false
	case ConvFast:
		if !FastAvailable() {
			// Panic with an error value: GoMLX's exception handling only converts error panics.
			panic(errors.New("models: ConvFast requested but the fast convolution path (package models/fastconv) " +
				"is not wired into package models yet; use ConvNative or ConvAuto"))
		}
		return true
	default: // ConvAuto
		return FastAvailable() && isGoBackend(g)
	}
}

// isGoBackend reports whether g runs on the pure Go backend (whose Name() is "Go Backend"
// and String() is "go").
func isGoBackend(g *graph.Graph) bool {
	b := g.Backend()
	if b == nil {
		return false
	}
	return b.String() == "go" || b.Name() == "Go Backend"
}

// MarshalText implements encoding.TextMarshaler ("auto", "native", "fast").
func (c ConvImpl) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *ConvImpl) UnmarshalText(b []byte) error {
	v, err := ParseConvImpl(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Set implements flag.Value, so a ConvImpl can be used with flag.Var.
func (c *ConvImpl) Set(s string) error { return c.UnmarshalText([]byte(s)) }
