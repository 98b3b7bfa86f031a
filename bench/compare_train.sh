#!/usr/bin/env bash
# Compares train-step throughput (images/s) of PyTorch CPU vs our GoMLX Go-backend implementation,
# running them back to back (the machine is shared and noisy: compare ratios, not absolute numbers).
#
# Usage: bench/compare_train.sh [-m simplecnn|resnet50|all] [-b BATCH] [-s STEPS] [-r REPEATS] [-t THREADS]
#                               [-g auto|pcam|micro]
# Env: PYTHON (default /usr/bin/python3, which must have torch + torchvision).
#
# Go side (-g): "pcam" runs `pcam bench train --model M --batch B --steps S --json` (cmd/pcam, built once
# up front: the real models); "micro" runs the models/fastconv micro-benchmark
# (BenchmarkTrainStep{SimpleCNN,ResNet50}Fast: same architectures and parameter counts, Adam,
# BCE-with-logits, NHWC, fastconv.Conv2D/MaxPool2D, simplified BatchNorm); "auto" (default) uses pcam
# only if the subcommand exists and package models has fastconv wired in (otherwise pcam would run
# GoMLX's native convolutions, ~0.15 img/s), else micro.
# Both sides use THREADS threads (GOMAXPROCS / torch.set_num_threads).
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=all BATCH=32 STEPS=3 REPEATS=2 THREADS=2 GO_SIDE=auto
while getopts "m:b:s:r:t:g:h" opt; do
  case $opt in
    m) MODELS=$OPTARG ;; b) BATCH=$OPTARG ;; s) STEPS=$OPTARG ;; r) REPEATS=$OPTARG ;; t) THREADS=$OPTARG ;;
    g) GO_SIDE=$OPTARG ;;
    *) sed -n 2,14p "$0"; exit 1 ;;
  esac
done
[[ $MODELS == all ]] && MODELS="simplecnn resnet50"
# PyTorch comes from Debian's python3-torch (the pyenv python3 on PATH does not have it).
PY=${PYTHON:-/usr/bin/python3}

export GOTOOLCHAIN=auto GOEXPERIMENT=simd GOMAXPROCS=$THREADS
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

GO_MODE=micro
if [[ $GO_SIDE != micro ]]; then
  wired=0
  grep -qs "fastconv.Conv2D" models/*.go && wired=1
  if go build -o "$TMP/pcam" ./cmd/pcam 2>/dev/null && grep -q '"bench"' cmd/pcam/*.go &&
     { [[ $wired == 1 ]] || [[ $GO_SIDE == pcam ]]; }; then
    GO_MODE=pcam
  elif [[ $GO_SIDE == pcam ]]; then
    echo "cannot build cmd/pcam with a bench subcommand" >&2; exit 1
  fi
fi
if [[ $GO_MODE == micro ]]; then
  go test -c -o "$TMP/fastconv.test" ./models/fastconv
fi
echo "# go mode: $GO_MODE; batch=$BATCH steps=$STEPS repeats=$REPEATS threads=$THREADS" >&2

go_json() { # model
  local model=$1
  if [[ $GO_MODE == pcam ]]; then
    # pcam prints indented JSON (and log lines on stderr): re-emit it on one line.
    "$TMP/pcam" bench train --model "$model" --batch "$BATCH" --steps "$STEPS" --json |
      "$PY" -c 'import json,sys; d=json.load(sys.stdin); d.setdefault("framework","gomlx-pcam-"+str(d.get("backend"))); print(json.dumps(d))'
    return
  fi
  local name
  case $model in
    simplecnn) name=TrainStepSimpleCNNFast ;;
    resnet50) name=TrainStepResNet50Fast ;;
    *) echo "unknown model $model" >&2; exit 1 ;;
  esac
  local out
  out=$(PCAM_BENCH_BATCH=$BATCH "$TMP/fastconv.test" -test.run '^$' -test.bench "^Benchmark${name}\$" \
    -test.benchtime "${STEPS}x" -test.cpu "$THREADS" | grep "^Benchmark${name}")
  python3 - "$model" "$BATCH" "$out" <<'PY'
import json, re, sys
model, batch, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ips = float(re.search(r"([\d.]+) img/s", line).group(1))
cpu = re.search(r"([\d.]+) img/cpu-s", line)
params = int(float(re.search(r"([\d.]+) params", line).group(1)))
print(json.dumps({"model": model, "framework": "gomlx-go-backend-fastconv-microbench", "batch": batch,
                  "img_per_s": ips, "img_per_cpu_s": float(cpu.group(1)) if cpu else None, "params": params}))
PY
}

for model in $MODELS; do
  for r in $(seq "$REPEATS"); do
    tj=$("$PY" bench/torch_train.py --model "$model" --batch "$BATCH" --steps "$STEPS" --threads "$THREADS")
    gj=$(go_json "$model")
    echo "$tj"
    echo "$gj"
    python3 - "$tj" "$gj" <<'PY'
import json, sys
t, g = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = {"model": t["model"], "torch_img_per_s": round(t["img_per_s"], 3),
       "go_img_per_s": round(g["img_per_s"], 3),
       "go_over_torch": round(g["img_per_s"] / t["img_per_s"], 3)}
if t.get("img_per_cpu_s") and g.get("img_per_cpu_s"):
    # Images per CPU-second: less sensitive to other processes on a shared machine.
    out["go_over_torch_cpu"] = round(g["img_per_cpu_s"] / t["img_per_cpu_s"], 3)
print(json.dumps(out))
PY
  done
done
