package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"

	// Registers the XLA auto-installer: only used when XLA is explicitly requested.
	_ "github.com/gomlx/go-xla/compute/xla/autoinstall"
)

// Info describes the backend chosen by [New].
type Info struct {
	// Name is the canonical backend name: "go", "xla:cpu", "xla:cuda" (or "xla:<plugin>").
	Name string `json:"name"`
	// Config is the configuration string given to the GoMLX backend constructor
	// (the GOMLX_BACKEND format, e.g. "xla:cpu").
	Config string `json:"config"`
	// Reason explains why this backend was selected (and, on fallback, why XLA was not).
	Reason string `json:"reason"`
	// Fallback is true when automatic selection wanted XLA but had to use the Go backend.
	Fallback bool `json:"fallback"`
}

// EnvVar is the environment variable honoured by New when name is empty (GoMLX's own).
const EnvVar = compute.ConfigEnvVar // "GOMLX_BACKEND"

var (
	// ExplicitXLATimeout bounds how long New waits for an explicitly requested XLA backend
	// (which may auto-install its plugin from the network) before giving up with an error.
	ExplicitXLATimeout = 5 * time.Minute

	// AutoXLATimeout bounds how long New waits for a locally installed PJRT plugin to load
	// during automatic selection before falling back to the Go backend.
	AutoXLATimeout = 60 * time.Second

	// Stderr receives the one-line fallback notice. Tests may replace it.
	Stderr io.Writer = os.Stderr
)

// localPluginsFn is replaceable in tests.
var localPluginsFn = localPlugins

// xlaMu serialises changes to XLA's global auto-install flag.
var xlaMu sync.Mutex

// New creates the compute backend named by name.
//
// Accepted names: "" or "auto" (automatic selection, see the package documentation),
// "go" (pure Go backend), "xla" (XLA with its default plugin), "xla:cpu", "xla:cuda",
// or any "<backend>:<config>" string understood by GoMLX.
//
// It never panics: constructor panics are converted to errors.
func New(name string) (compute.Backend, Info, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "auto" {
		if env, ok := os.LookupEnv(EnvVar); ok && strings.TrimSpace(env) != "" && strings.TrimSpace(env) != "auto" {
			env = strings.TrimSpace(env)
			b, info, err := newExplicit(env)
			if err != nil {
				return nil, Info{}, fmt.Errorf("engine: backend %q from $%s: %w", env, EnvVar, err)
			}
			info.Reason = fmt.Sprintf("selected by $%s=%q", EnvVar, env)
			return b, info, nil
		}
		return newAuto()
	}
	b, info, err := newExplicit(name)
	if err != nil {
		return nil, Info{}, fmt.Errorf("engine: backend %q: %w", name, err)
	}
	info.Reason = fmt.Sprintf("requested explicitly (%q)", name)
	return b, info, nil
}

// Names lists the backend names that New accepts besides "" / "auto".
func Names() []string {
	return []string{"go", "xla", "xla:cpu", "xla:cuda"}
}

// GoConfig is the Go backend configuration used when none is given ("go" or the automatic
// fallback): "ops_sequential" runs the graph's ops one at a time, each op using every core
// (GOMAXPROCS) inside. GoMLX's default ("dynamic") also runs independent ops concurrently; for the
// convolutional training steps of this project that oversubscribes the two pools of workers, keeps
// more intermediate buffers alive at once and was measured 20-40% slower (SimpleCNN 24-32 vs
// 23-27 img/s, ResNet50 22-24 vs 17-19 img/s, batch 32, 2 cores: see README). Any explicit
// config ("go:ops_parallel", "go:parallelism=4", ...) is passed through unchanged.
const GoConfig = "ops_sequential"

// goConfig returns the Go backend configuration for the part after "go:" (may be empty).
func goConfig(cfg string) string {
	if strings.TrimSpace(cfg) == "" {
		return GoConfig
	}
	return cfg
}

// newExplicit builds exactly the requested backend, or fails.
func newExplicit(config string) (compute.Backend, Info, error) {
	backendName, pluginCfg, _ := strings.Cut(config, ":")
	switch backendName {
	case gobackend.BackendName:
		cfg := goConfig(pluginCfg)
		b, err := safeConstruct(func() (compute.Backend, error) { return gobackend.New(cfg) })
		if err != nil {
			return nil, Info{}, err
		}
		return b, Info{Name: "go", Config: "go:" + cfg}, nil
	case xla.BackendName, "stablehlo", "hlo", "shlo":
		autoInstall := os.Getenv(xla.NoAutoInstallEnv) == ""
		b, err := newXLA(pluginCfg, autoInstall, ExplicitXLATimeout)
		if err != nil {
			return nil, Info{}, fmt.Errorf("%w (install the PJRT plugin, or use the pure Go backend with %s=go)", err, EnvVar)
		}
		return b, Info{Name: xlaName(b, pluginCfg), Config: config}, nil
	default:
		if !slices.Contains(compute.List(), backendName) {
			return nil, Info{}, fmt.Errorf("unknown backend %q: valid names are %q (or \"\"/\"auto\" for automatic selection)",
				backendName, Names())
		}
		b, err := safeConstruct(func() (compute.Backend, error) { return compute.NewWithConfig(config) })
		if err != nil {
			return nil, Info{}, err
		}
		return b, Info{Name: b.String(), Config: config}, nil
	}
}

// newAuto implements automatic selection: local XLA plugin if usable, else Go.
func newAuto() (compute.Backend, Info, error) {
	plugins := localPluginsFn()
	var reasons []string
	if len(plugins) == 0 {
		reasons = append(reasons, "XLA PJRT plugin not installed (none found in PJRT_PLUGIN_LIBRARY_PATH, "+
			"~/.local/lib/go-xla, /usr/local/lib/go-xla or the system library paths)")
	}
	for _, p := range plugins {
		b, err := newXLA(p, false, AutoXLATimeout)
		if err == nil {
			name := xlaName(b, p)
			return b, Info{Name: name, Config: "xla:" + p,
				Reason: fmt.Sprintf("automatic: local PJRT plugin %q found", p)}, nil
		}
		reasons = append(reasons, fmt.Sprintf("XLA plugin %q unusable: %s", p, firstLine(err.Error())))
	}
	b, err := safeConstruct(func() (compute.Backend, error) { return gobackend.New(GoConfig) })
	if err != nil {
		return nil, Info{}, fmt.Errorf("engine: no usable backend (%s); Go backend failed: %w",
			strings.Join(reasons, "; "), err)
	}
	reason := strings.Join(reasons, "; ")
	_, _ = fmt.Fprintf(Stderr, "pcamgo: %s; using the pure Go backend (%s=go)\n", reason, EnvVar)
	return b, Info{Name: "go", Config: "go:" + GoConfig, Reason: "automatic fallback: " + reason, Fallback: true}, nil
}

// localPlugins lists installed PJRT plugins without triggering any download, preferred order first.
func localPlugins() (names []string) {
	defer func() {
		if r := recover(); r != nil {
			names = nil
		}
	}()
	found := pjrt.AvailablePlugins()
	for _, pref := range []string{"cuda", "rocm", "cpu"} {
		for n := range found {
			if n == pref || strings.HasPrefix(n, pref+"_") {
				names = append(names, n)
			}
		}
	}
	var others []string
	for n := range found {
		if !slices.Contains(names, n) {
			others = append(others, n)
		}
	}
	slices.Sort(others)
	return append(names, others...)
}

// newXLA creates an XLA backend for plugin (may be ""), with the auto-installer enabled or not,
// waiting at most timeout.
func newXLA(plugin string, autoInstall bool, timeout time.Duration) (compute.Backend, error) {
	type result struct {
		b   compute.Backend
		err error
	}
	done := make(chan result, 1)
	go func() {
		xlaMu.Lock()
		defer xlaMu.Unlock()
		xla.EnableAutoInstall(autoInstall)
		defer xla.EnableAutoInstall(os.Getenv(xla.NoAutoInstallEnv) == "")
		b, err := safeConstruct(func() (compute.Backend, error) { return xla.New(plugin) })
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-time.After(timeout):
		return nil, fmt.Errorf("XLA backend (plugin %q) did not initialise within %s", plugin, timeout)
	}
}

// safeConstruct calls fn converting panics into errors.
func safeConstruct(fn func() (compute.Backend, error)) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b = nil
			if e, ok := r.(error); ok {
				err = fmt.Errorf("backend constructor panicked: %w", e)
			} else {
				err = fmt.Errorf("backend constructor panicked: %v", r)
			}
		}
	}()
	b, err = fn()
	if err == nil && b == nil {
		err = errors.New("backend constructor returned nil")
	}
	return b, err
}

// xlaName returns "xla:cuda", "xla:cpu" or "xla:<plugin>".
func xlaName(b compute.Backend, requested string) string {
	plugin := requested
	if xb, ok := b.(*xla.Backend); ok && xb.PluginName() != "" {
		plugin = xb.PluginName()
	}
	plugin, _, _ = strings.Cut(plugin, ",")
	switch {
	case pjrt.IsCUDAName(plugin):
		return "xla:cuda"
	case plugin == "cpu" || strings.HasPrefix(plugin, "cpu_"):
		return "xla:cpu"
	case plugin == "":
		return "xla"
	default:
		return "xla:" + plugin
	}
}

// IsGo reports whether b is the pure Go backend. Note that the Go backend's Name() is
// "Go Backend" while its String() is "go"; both are accepted.
func IsGo(b compute.Backend) bool {
	if b == nil {
		return false
	}
	return b.String() == gobackend.BackendName || b.Name() == "Go Backend"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
