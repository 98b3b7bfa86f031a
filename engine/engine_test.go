package engine

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name       string
		arg        string
		env        string // value of GOMLX_BACKEND ("" = unset)
		plugins    []string
		wantName   string
		wantErr    string
		wantStderr string
	}{
		{name: "explicit go", arg: "go", wantName: "go"},
		{name: "env go", arg: "", env: "go", wantName: "go"},
		{name: "auto with env go", arg: "auto", env: "go", wantName: "go"},
		{name: "auto fallback, no plugin", arg: "", plugins: []string{}, wantName: "go",
			wantStderr: "pcamgo: XLA PJRT plugin not installed"},
		{name: "auto fallback, broken plugin", arg: "", plugins: []string{"/nonexistent/pjrt_c_api_cpu_plugin.so"},
			wantName: "go", wantStderr: "unusable"},
		{name: "unknown", arg: "tpu-magic", wantErr: `unknown backend "tpu-magic"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(EnvVar, tc.env)
			} else {
				t.Setenv(EnvVar, "")
			}
			if tc.plugins != nil {
				old := localPluginsFn
				localPluginsFn = func() []string { return tc.plugins }
				t.Cleanup(func() { localPluginsFn = old })
			}
			var stderr bytes.Buffer
			oldStderr := Stderr
			Stderr = &stderr
			t.Cleanup(func() { Stderr = oldStderr })

			start := time.Now()
			b, info, err := New(tc.arg)
			elapsed := time.Since(start)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New(%q) error = %v, want containing %q", tc.arg, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tc.arg, err)
			}
			defer b.Finalize()
			if info.Name != tc.wantName || (tc.wantName == "go") != IsGo(b) {
				t.Errorf("New(%q) = %q (backend %q), want %q", tc.arg, info.Name, b.Name(), tc.wantName)
			}
			if info.Reason == "" {
				t.Errorf("empty Reason")
			}
			if elapsed > 10*time.Second {
				t.Errorf("New(%q) took %s", tc.arg, elapsed)
			}
			out := stderr.String()
			if tc.wantStderr != "" {
				if !strings.Contains(out, tc.wantStderr) || strings.Count(out, "\n") != 1 {
					t.Errorf("stderr = %q, want exactly one line containing %q", out, tc.wantStderr)
				}
			} else if out != "" {
				t.Errorf("unexpected stderr %q", out)
			}
		})
	}
}

// TestNewDefaultOffline runs the real plugin search: on a machine without PJRT plugins it must
// fall back to Go quickly; on one with plugins it must return an XLA backend. Never panic.
func TestNewDefaultOffline(t *testing.T) {
	t.Setenv(EnvVar, "")
	var stderr bytes.Buffer
	oldStderr := Stderr
	Stderr = &stderr
	t.Cleanup(func() { Stderr = oldStderr })
	start := time.Now()
	b, info, err := New("")
	if err != nil {
		t.Fatalf("New(\"\"): %v", err)
	}
	defer b.Finalize()
	t.Logf("selected %+v in %s; stderr=%q", info, time.Since(start), stderr.String())
	if info.Fallback && !strings.HasPrefix(stderr.String(), "pcamgo: ") {
		t.Errorf("fallback without the stderr notice: %q", stderr.String())
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("automatic selection too slow: %s", time.Since(start))
	}
}
