// Package docker holds the Dockerfiles; this test keeps them in step with the
// Makefile (no Docker engine needed).
package docker

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// extras are packages a Dockerfile may install beyond the Makefile's: what an
// image needs to fetch Go, build with cgo and install the PJRT plugin.
var extras = []string{"ca-certificates", "curl", "git", "gcc", "libc6-dev", "make", "python3-venv", "python3-pip"}

// makefileDebs returns the Debian packages named by `scripts/ensure-debs.sh`
// in the recipes of target and of every target it depends on.
func makefileDebs(t *testing.T, makefile, target string) []string {
	t.Helper()
	vars := map[string]string{}
	deps := map[string][]string{}
	recipes := map[string][]string{}
	varRe := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(:=|\?=|=)\s*(.*)$`)
	ruleRe := regexp.MustCompile(`^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?:[^=]|$)(.*)$`)
	var current []string
	for _, line := range strings.Split(makefile, "\n") {
		if strings.HasPrefix(line, "\t") {
			for _, c := range current {
				recipes[c] = append(recipes[c], line)
			}
			continue
		}
		current = nil
		if m := varRe.FindStringSubmatch(line); m != nil && !strings.Contains(m[1], ".") {
			vars[m[1]] = m[3]
			continue
		}
		if m := ruleRe.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, ".") {
			current = strings.Fields(m[1])
			for _, c := range current {
				deps[c] = append(deps[c], strings.Fields(m[2])...)
			}
		}
	}
	expand := func(s string) string {
		for range 5 {
			s = regexp.MustCompile(`\$\((\w+)\)`).ReplaceAllStringFunc(s, func(v string) string { return vars[v[2:len(v)-1]] })
		}
		return s
	}
	seen := map[string]bool{}
	var pkgs []string
	var visit func(string)
	visit = func(tg string) {
		if seen[tg] {
			return
		}
		seen[tg] = true
		for _, d := range deps[tg] {
			visit(d)
		}
		for _, r := range recipes[tg] {
			if _, after, ok := strings.Cut(r, "scripts/ensure-debs.sh"); ok {
				pkgs = append(pkgs, strings.Fields(expand(after))...)
			}
		}
	}
	visit(target)
	if _, ok := deps[target]; !ok {
		t.Fatalf("Makefile has no target %q", target)
	}
	sort.Strings(pkgs)
	return slices.Compact(pkgs)
}

// dockerDebs returns the packages of every `apt-get install` in a Dockerfile.
func dockerDebs(dockerfile string) []string {
	joined := strings.ReplaceAll(dockerfile, "\\\n", " ")
	var pkgs []string
	for _, line := range strings.Split(joined, "\n") {
		rest := line
		for {
			_, after, ok := strings.Cut(rest, "apt-get install")
			if !ok {
				break
			}
			rest = after
			for _, f := range strings.Fields(after) {
				if f == "&&" || f == ";" || f == "|" || f == "||" {
					break
				}
				end := strings.HasSuffix(f, ";")
				if f = strings.TrimSuffix(f, ";"); f != "" && !strings.HasPrefix(f, "-") {
					pkgs = append(pkgs, f)
				}
				if end {
					break
				}
			}
		}
	}
	sort.Strings(pkgs)
	return slices.Compact(pkgs)
}

func TestParsers(t *testing.T) {
	mk := "A := x y\nB ?= $(A) z\n.PHONY: t u\nt: u\n\t@scripts/ensure-debs.sh $(B)\nu:\n\tscripts/ensure-debs.sh w\nv:\n\tscripts/ensure-debs.sh never\n"
	if got := makefileDebs(t, mk, "t"); !slices.Equal(got, []string{"w", "x", "y", "z"}) {
		t.Errorf("makefileDebs = %v", got)
	}
	df := "RUN apt-get update && apt-get install -y --no-install-recommends \\\n  b a \\\n  c && rm -rf x\nRUN apt-get install -y d; echo e\n"
	if got := dockerDebs(df); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("dockerDebs = %v", got)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDockerfilesMatchMakefile(t *testing.T) {
	mk := read(t, "../Makefile")
	want := makefileDebs(t, mk, "notebook") // what `make notebook` installs
	for _, p := range []string{"deps", "deps-jupyter"} {
		for _, pkg := range makefileDebs(t, mk, p) {
			if !slices.Contains(want, pkg) {
				t.Errorf("make notebook does not install %s from %s", pkg, p)
			}
		}
	}
	if len(want) < 5 {
		t.Fatalf("found only %v in the Makefile's install targets", want)
	}
	gomod := read(t, "../go.mod")
	toolchain := regexp.MustCompile(`(?m)^toolchain go(\S+)`).FindStringSubmatch(gomod)
	for _, name := range []string{"Dockerfile", "Dockerfile.cuda"} {
		t.Run(name, func(t *testing.T) {
			df := read(t, name)
			got := dockerDebs(df)
			for _, p := range want {
				if !slices.Contains(got, p) {
					t.Errorf("does not install %s (named by the Makefile's install targets)", p)
				}
			}
			for _, p := range got {
				if !slices.Contains(want, p) && !slices.Contains(extras, p) {
					t.Errorf("installs %s, which the Makefile does not (add it there, or to extras in this test)", p)
				}
			}
			if toolchain != nil && !strings.Contains(df, "ARG GO_VERSION="+toolchain[1]+"\n") {
				t.Errorf("GO_VERSION differs from go.mod's toolchain go%s", toolchain[1])
			}
			for _, step := range []string{"scripts/notebook-kernel.sh", "EXPOSE 8888", "--notebook-dir=/pcamgo/notebooks", "GOEXPERIMENT=simd", "GOTOOLCHAIN=auto"} {
				if !strings.Contains(df, step) {
					t.Errorf("lacks %q", step)
				}
			}
		})
	}
	if cuda := read(t, "Dockerfile.cuda"); !strings.Contains(cuda, "PJRT_PLUGIN_LIBRARY_PATH=") || !strings.Contains(cuda, "jax-cuda13-pjrt") {
		t.Error("Dockerfile.cuda does not set up the PJRT CUDA plugin")
	}
}
