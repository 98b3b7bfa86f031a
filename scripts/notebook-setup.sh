#!/usr/bin/env bash
# Run by the first cell of every notebook as `!*"${GONB_DIR}/../scripts/notebook-setup.sh"`:
# in GoNB's temporary module directory (the current directory) it writes a
# go.work that uses this checkout (found relative to this script, so any clone
# location works) with the toolchain of its go.mod, so that `import
# "github.com/pcamgo/pcamgo/..."` compiles the local code, offline. The
# notebook then runs %goworkfix, which adds the matching replace directive.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
toolchain=$(sed -n 's/^toolchain //p' "$repo/go.mod")
gover=$(sed -n 's/^go //p' "$repo/go.mod")
rm -f go.work go.work.sum
go work init 2>&1 | grep -v "switching to" >&2 || true
go work use . "$repo"
go work edit -go="$gover" ${toolchain:+-toolchain="$toolchain"}
echo "pcamgo: using $repo ($(go version | cut -d' ' -f3), GOEXPERIMENT=${GOEXPERIMENT:-})"
