#!/usr/bin/env bash
# Compares train-step throughput (images/s) of PyTorch CPU with ours (GoMLX's pure Go backend, the
# models' fast convolution path), back to back in the same run, on the same shapes and threads: batch
# B of random 96×96×3 images, Adam, BCE-with-logits, W untimed warm-up steps then S timed steps.
#
# Usage: bench/compare_train.sh [-m simplecnn|resnet50|all] [-b BATCH] [-s STEPS] [-w WARMUP]
#                               [-r REPEATS] [-t THREADS]
# Env: PYTHON (default /usr/bin/python3, which must have torch + torchvision: `make deps-torch`).
#
# PyTorch runs twice per repeat:
#   torch        as the guide runs it: NCHW, glibc's default malloc;
#   torch-tuned  channels_last memory format and glibc malloc told to keep freed memory
#                (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_, the effect PyTorch's CPU tuning guide
#                gets from jemalloc/tcmalloc). On VMs where page faults are expensive this is 2-3×
#                faster than the default.
# Ours: `pcam bench train` (cmd/pcam), with its defaults (Go backend with ops run sequentially,
# GOGC=400 while training). Every line is JSON; the last lines summarise the medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=all BATCH=32 STEPS=5 WARMUP=3 REPEATS=2 THREADS=2
while getopts "m:b:s:w:r:t:h" opt; do
  case $opt in
    m) MODELS=$OPTARG ;; b) BATCH=$OPTARG ;; s) STEPS=$OPTARG ;; w) WARMUP=$OPTARG ;;
    r) REPEATS=$OPTARG ;; t) THREADS=$OPTARG ;;
    *) sed -n 2,18p "$0"; exit 1 ;;
  esac
done
[[ $MODELS == all ]] && MODELS="simplecnn resnet50"
PY=${PYTHON:-/usr/bin/python3}
"$PY" -c 'import torch, torchvision' 2>/dev/null || { echo "compare_train.sh: $PY lacks torch/torchvision (make deps-torch)" >&2; exit 1; }

export GOTOOLCHAIN=auto GOEXPERIMENT=simd GOMAXPROCS=$THREADS
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/pcam" ./cmd/pcam
echo "# batch=$BATCH steps=$STEPS warmup=$WARMUP repeats=$REPEATS threads=$THREADS $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2

RESULTS=$TMP/results.jsonl
for model in $MODELS; do
  for _ in $(seq "$REPEATS"); do
    torch_args=(bench/torch_train.py --model "$model" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP" --threads "$THREADS")
    "$PY" "${torch_args[@]}" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); d["variant"]="torch"; print(json.dumps(d))' | tee -a "$RESULTS"
    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 "$PY" "${torch_args[@]}" --channels-last |
      "$PY" -c 'import json,sys; d=json.load(sys.stdin); d["variant"]="torch-tuned"; print(json.dumps(d))' | tee -a "$RESULTS"
    "$TMP/pcam" bench train --model "$model" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP" --json 2>/dev/null |
      "$PY" -c 'import json,sys; d=json.load(sys.stdin); d["variant"]="go"; print(json.dumps(d))' | tee -a "$RESULTS"
  done
done

"$PY" - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for model in dict.fromkeys(r["model"] for r in rows):
    med = {v: statistics.median(r["img_per_s"] for r in rows if r["model"] == model and r["variant"] == v)
           for v in ("go", "torch", "torch-tuned")}
    go = [r for r in rows if r["model"] == model and r["variant"] == "go"]
    torch = [r for r in rows if r["model"] == model and r["variant"] == "torch"]
    # Ratio within each repeat (Go and PyTorch measured back to back): their spread shows the noise.
    per_repeat = [g["img_per_s"] / t["img_per_s"] for g, t in zip(go, torch)]
    print(json.dumps({"model": model, "go_img_per_s": round(med["go"], 2),
                      "torch_img_per_s": round(med["torch"], 2), "torch_tuned_img_per_s": round(med["torch-tuned"], 2),
                      "go_over_torch": round(med["go"] / med["torch"], 2),
                      "go_over_torch_repeats": [round(x, 2) for x in per_repeat],
                      "go_over_torch_tuned": round(med["go"] / med["torch-tuned"], 2),
                      "go_peak_rss_gb": round(max(r["peak_rss_bytes"] for r in go) / 2**30, 2),
                      "torch_peak_rss_gb": round(max(r["peak_rss_bytes"] for r in rows
                                                     if r["model"] == model and r["variant"] == "torch") / 2**30, 2),
                      "go_page_faults_per_step": round(statistics.median(r["page_faults_per_step"] for r in go))}))
PY
