#!/usr/bin/env bash
# Executes notebooks headless with `jupyter nbconvert --execute` and checks them.
#
#   scripts/notebook-test.sh [NOTEBOOK...]            (default: every notebooks/*.ipynb)
#       quick mode (PCAMGO_QUICK=1, unless set), into a temporary directory; fails on any
#       cell error, on a committed notebook with outputs, or on a missing rich output
#       (scripts/notebook-check.py); prints each notebook's run time.
#   scripts/notebook-test.sh --html DIR [NOTEBOOK...]
#       the same, then writes executed HTML copies into DIR (make notebooks-html).
#
# The GoNB kernel is installed into a temporary $JUPYTER_DATA_DIR, so the user's
# Jupyter set-up is neither needed nor changed. Environment: PCAM_DIR (real data),
# PCAMGO_QUICK (default 1), NB_TIMEOUT (seconds per cell, default 1200).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
html_dir=""
if [ "${1:-}" = "--html" ]; then
  html_dir=$2
  shift 2
fi
if [ $# -eq 0 ]; then
  set -- notebooks/*.ipynb
fi
[ -e "$1" ] || { echo "no notebooks found" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcamgo-nbtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export JUPYTER_DATA_DIR="$tmp/jupyter"
export PCAMGO_QUICK=${PCAMGO_QUICK:-1}
export PCAMGO_WORK=${PCAMGO_WORK:-$tmp/work}
scripts/notebook-kernel.sh 2>/dev/null

"$PY" scripts/notebook-check.py --clean "$@"

status=0
times=()
for nb in "$@"; do
  name=$(basename "$nb")
  echo "== $name (PCAMGO_QUICK=$PCAMGO_QUICK)" >&2
  start=$(date +%s)
  if ! jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout="${NB_TIMEOUT:-1200}" \
      --ExecutePreprocessor.kernel_name=gonb --output-dir "$tmp/out" "$nb" >"$tmp/$name.log" 2>&1; then
    grep -v -e '^[IWE][0-9]\{4\} ' "$tmp/$name.log" | tail -40 >&2
    echo "FAIL $nb: a cell failed (log above)" >&2
    status=1
    times+=("$name FAILED after $(( $(date +%s) - start ))s")
    continue
  fi
  times+=("$name $(( $(date +%s) - start ))s")
  "$PY" scripts/notebook-check.py "$tmp/out/$name" || status=1
  if [ -n "$html_dir" ]; then
    mkdir -p "$html_dir"
    jupyter nbconvert --to html --output-dir "$html_dir" "$tmp/out/$name" 2>/dev/null
    echo "wrote $html_dir/${name%.ipynb}.html" >&2
  fi
done
printf 'notebook run times:\n'
printf '  %s\n' "${times[@]}"
exit $status
