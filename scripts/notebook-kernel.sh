#!/usr/bin/env bash
# Installs the GoNB Jupyter kernel pinned in go.mod (`go tool gonb`), plus
# goimports which GoNB runs on every cell, and writes the kernel's environment
# into its kernel.json: GOTOOLCHAIN=auto (go.mod needs Go 1.27, fetched once
# through the module proxy), GOEXPERIMENT=simd (fast Go backend) and a PATH
# that finds go and goimports. Idempotent; honours $JUPYTER_DATA_DIR (the
# notebook tests install into a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
PY=${PY:-/usr/bin/python3}
GOIMPORTS_VERSION=v0.52.0
export GOTOOLCHAIN=auto GOEXPERIMENT=simd

command -v "$GO" >/dev/null || { echo "Go is required: https://go.dev/dl" >&2; exit 1; }
gobin=$($GO env GOBIN)
[ -n "$gobin" ] || gobin="$($GO env GOPATH)/bin"
if ! command -v goimports >/dev/null && [ ! -x "$gobin/goimports" ]; then
  echo "installing goimports $GOIMPORTS_VERSION into $gobin" >&2
  GOEXPERIMENT= $GO install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
fi
# gopls (auto-complete only) is optional: --force_deps installs without it.
$GO tool gonb --install --force_deps 2>&1 | grep -v -e '^$' -e goimports -e gopls -e 'required dependencies' -e 'standard Go toolkit' >&2 || true

datadir=${JUPYTER_DATA_DIR:-$(jupyter --data-dir)}
kernel_json="$datadir/kernels/gonb/kernel.json"
[ -f "$kernel_json" ] || { echo "GoNB install did not write $kernel_json" >&2; exit 1; }
godir=$(dirname "$(command -v "$GO")")
"$PY" - "$kernel_json" "$godir:$gobin:$PATH" <<'PYEOF'
import json, sys
path, kpath = sys.argv[1], sys.argv[2]
with open(path) as f:
    spec = json.load(f)
spec.setdefault("env", {}).update({"GOTOOLCHAIN": "auto", "GOEXPERIMENT": "simd", "PATH": kpath})
spec["display_name"] = "Go (gonb)"
with open(path, "w") as f:
    json.dump(spec, f, indent=1)
PYEOF
echo "GoNB kernel installed: $kernel_json" >&2
