# pcamgo — `make demo` runs the guide end to end on synthetic data,
# `make test` runs every test. Both install what is missing first.

# go.mod asks for Go 1.27 (GoMLX v0.28): an older go downloads it through the
# module proxy. The Go backend's fast matmul needs the simd experiment.
export GOTOOLCHAIN := auto
export GOEXPERIMENT := simd
# Pure Go backend unless the user chose otherwise (XLA needs its PJRT plugin).
GO ?= go
PY ?= /usr/bin/python3

DEBS_BUILD   := libhdf5-dev pkg-config hdf5-tools
DEBS_PY      := python3-h5py python3-numpy
DEBS_TORCH   := python3-torch python3-torchvision
DEBS_JUPYTER := jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel

DEMO_DIR ?= data/demo
DEMO_N   ?= 6000
# Training steps of the demo (batch 32); `make demo DEMO_STEPS=360` trains 2 full epochs.
DEMO_STEPS ?= 80

.PHONY: all deps deps-py deps-torch deps-jupyter build test vet demo bench bench-clean bench-train clean-data help

all: build

help:
	@echo "make demo        generate a synthetic PCam split, clean it, train SimpleCNN briefly"
	@echo "make test        vet and run every test"
	@echo "make build       build bin/pcam"
	@echo "make bench-clean Go vs numpy/h5py cleaning benchmark on the full 262,144-image split"
	@echo "make bench-train Go backend vs PyTorch CPU training-step benchmark"

deps:
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/dl (any Go >= 1.21 fetches 1.27 itself)"; exit 1; }
	@scripts/ensure-debs.sh $(DEBS_BUILD)

deps-py:
	@scripts/ensure-debs.sh $(DEBS_PY)

deps-torch: deps-py
	@scripts/ensure-debs.sh $(DEBS_TORCH)

deps-jupyter:
	@scripts/ensure-debs.sh $(DEBS_JUPYTER)

build: deps
	$(GO) build -o bin/pcam ./cmd/pcam

vet: deps
	$(GO) vet ./...

test: deps deps-py vet
	$(GO) test -count=1 -timeout 40m ./...
	$(MAKE) test-notebooks

demo: build
	rm -rf $(DEMO_DIR)/checkpoints
	bin/pcam generate --out $(DEMO_DIR) --n $(DEMO_N) --seed 1 --split train
	bin/pcam generate --out $(DEMO_DIR) --n 1000 --seed 1 --split valid
	bin/pcam clean --x $(DEMO_DIR)/camelyonpatch_level_2_split_train_x.h5 \
	               --y $(DEMO_DIR)/camelyonpatch_level_2_split_train_y.h5 \
	               --out $(DEMO_DIR)/train_clean.h5 --report $(DEMO_DIR)/clean_report.json
	@cat $(DEMO_DIR)/clean_report.json
	bin/pcam info $(DEMO_DIR)/train_clean.h5
	bin/pcam train --data $(DEMO_DIR)/train_clean.h5 \
	               --valid $(DEMO_DIR)/camelyonpatch_level_2_split_valid_x.h5 \
	               --valid-y $(DEMO_DIR)/camelyonpatch_level_2_split_valid_y.h5 \
	               --model simplecnn --epochs 1 --batch 32 --max-steps $(DEMO_STEPS) \
	               --checkpoint $(DEMO_DIR)/checkpoints --report $(DEMO_DIR)/train_report.json

bench: bench-clean bench-train

bench-clean: build deps-py
	bash bench/compare_clean.sh

bench-train: build deps-torch
	bash bench/compare_train.sh -r 3

clean-data:
	rm -rf data bin

# --- Notebooks (GoNB kernel, pinned in go.mod as a tool) ---------------------
# make notebook         install what is missing, start Jupyter on localhost:$(NB_PORT) in notebooks/
# make test-notebooks   execute every notebook headless in quick mode and check its outputs
# make notebooks-html   executed HTML copies in notebooks/html/ (quick mode unless PCAMGO_QUICK=0)
NOTEBOOKS ?= $(sort $(wildcard notebooks/*.ipynb))
NB_PORT   ?= 8888
NB_HTML   ?= notebooks/html

.PHONY: notebook notebook-kernel notebooks-html test-notebooks

notebook-kernel: deps deps-jupyter
	@GO=$(GO) PY=$(PY) scripts/notebook-kernel.sh

notebook: notebook-kernel
	jupyter notebook --notebook-dir=notebooks --ip=127.0.0.1 --port=$(NB_PORT) --no-browser \
		$(if $(filter 0,$(shell id -u)),--allow-root)

notebooks-html: deps deps-jupyter
	GO=$(GO) PY=$(PY) scripts/notebook-test.sh --html $(NB_HTML) $(NOTEBOOKS)

test-notebooks: deps deps-jupyter
	GO=$(GO) PY=$(PY) scripts/notebook-test.sh $(NOTEBOOKS)
