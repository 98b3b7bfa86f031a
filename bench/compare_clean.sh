#!/usr/bin/env bash
# Cleans the same synthetic PCam split with `pcam clean` and with the numpy/h5py
# reference of the guide's cells, checks that both keep exactly the same rows,
# and prints time and peak RSS side by side.
#
#   bash bench/compare_clean.sh [N] [DIR]     (default N=262144, the full train split)
#
# Needs: the pcam binary (built by `make build`), Debian's python3-h5py and
# python3-numpy. The full split takes ~7 GB on disk plus ~14 GB for the two
# outputs, and the reference peaks at ~14 GB of RAM.
set -euo pipefail
N=${1:-262144}
DIR=${2:-data/bench-$N}
PCAM=${PCAM:-bin/pcam}
PY=${PY:-/usr/bin/python3}
X=$DIR/camelyonpatch_level_2_split_train_x.h5
Y=$DIR/camelyonpatch_level_2_split_train_y.h5
if [ ! -f "$X" ]; then
  "$PCAM" generate --out "$DIR" --n "$N" --seed 1 2>/dev/null
fi
# Warm the page cache so that both read the input from memory.
cat "$X" "$Y" > /dev/null
rm -f "$DIR/go.h5" "$DIR/py.h5"
"$PCAM" clean --x "$X" --y "$Y" --out "$DIR/go.h5" --report "$DIR/go.json" 2>/dev/null >/dev/null
"$PY" bench/clean_reference.py "$X" "$Y" "$DIR/py.h5" > "$DIR/py.json"
"$PY" - "$DIR" <<'PYEOF'
import json, sys, h5py, numpy as np
d = sys.argv[1]
go, py = json.load(open(d + "/go.json")), json.load(open(d + "/py.json"))
with h5py.File(d + "/go.h5", "r") as a, h5py.File(d + "/py.h5", "r") as b:
    same_index = np.array_equal(a["index"][:], b["index"][:])
    same_y = np.array_equal(a["y"][:], b["y"][:])
    same_x = all(np.array_equal(a["x"][i:i + 4096], b["x"][i:i + 4096]) for i in range(0, len(a["x"]), 4096))
counts = ("total", "duplicates", "too_dark", "too_bright", "kept")
print("| | pcam clean (Go) | numpy/h5py reference | ratio |")
print("|---|---:|---:|---:|")
for k in counts:
    print(f"| {k} | {go[k]:,} | {py[k]:,} | |")
print(f"| seconds | {go['seconds']:.1f} | {py['seconds']:.1f} | {py['seconds'] / go['seconds']:.1f}x faster |")
print(f"| peak RSS | {go['peak_rss_bytes'] / 2**20:,.0f} MiB | {py['peak_rss_bytes'] / 2**20:,.0f} MiB | {py['peak_rss_bytes'] / go['peak_rss_bytes']:.1f}x lower |")
print(f"same kept rows: {same_index}, same labels: {same_y}, same images: {same_x}")
ok = same_index and same_y and same_x and all(go[k] == py[k] for k in counts)
print(json.dumps({"n": go["total"], "go_seconds": go["seconds"], "py_seconds": py["seconds"],
                  "go_peak_rss_bytes": go["peak_rss_bytes"], "py_peak_rss_bytes": py["peak_rss_bytes"],
                  "speedup": py["seconds"] / go["seconds"], "rss_ratio": py["peak_rss_bytes"] / go["peak_rss_bytes"],
                  "identical": ok}))
sys.exit(0 if ok else 1)
PYEOF
