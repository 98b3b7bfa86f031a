#!/usr/bin/python3
"""PyTorch CPU train-step throughput for the PCam models (reference for issue #4).

Trains SimpleCNN or torchvision resnet50(num_classes=1) on random 96x96x3 inputs with Adam and
BCEWithLogitsLoss, torch.set_num_threads(THREADS), WARMUP untimed steps, then times STEPS steps.
Prints one JSON line: {"model","framework","batch","img_per_s","params",...}.

Usage: bench/torch_train.py --model simplecnn|resnet50 [--batch 32] [--steps 5] [--warmup 3] [--threads 2]
                            [--size 96] [--channels-last]
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn


class SimpleCNN(nn.Module):
    """3 blocks [3x3 conv -> ReLU -> 3x3 conv -> ReLU -> 2x2 maxpool] with 32/64/128 channels,
    flatten, dense 256, ReLU, dense 1: 5,006,113 parameters at 96x96."""

    def __init__(self, size=96):
        super().__init__()
        layers = []
        cin = 3
        for c in (32, 64, 128):
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.ReLU(inplace=True),
                       nn.Conv2d(c, c, 3, padding=1), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            cin = c
        self.features = nn.Sequential(*layers)
        s = size // 8
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(128 * s * s, 256), nn.ReLU(inplace=True),
                                  nn.Linear(256, 1))

    def forward(self, x):
        return self.head(self.features(x))


def build(model, size):
    if model == "simplecnn":
        return SimpleCNN(size)
    if model == "resnet50":
        import torchvision
        return torchvision.models.resnet50(num_classes=1)
    raise SystemExit(f"unknown model {model!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="simplecnn")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first (allocator steady state)")
    ap.add_argument("--channels-last", action="store_true", help="use torch.channels_last memory format")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = build(args.model, args.size)
    net.train()
    x = torch.randn(args.batch, 3, args.size, args.size)
    y = (torch.arange(args.batch) % 2).float().unsqueeze(1)
    if args.channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(max(1, args.warmup)):
        step()  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "model": args.model,
        "framework": "pytorch-" + torch.__version__,
        "batch": args.batch,
        "img_per_s": args.batch * args.steps / elapsed,
        "img_per_cpu_s": args.batch * args.steps / cpu,
        "params": sum(p.numel() for p in net.parameters()),
        "steps": args.steps,
        "warmup_steps": max(1, args.warmup),
        "channels_last": args.channels_last,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "seconds": elapsed,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
