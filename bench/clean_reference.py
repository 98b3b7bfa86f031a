#!/usr/bin/env python3
"""Reference implementation of the guide's cleaning cells with numpy and h5py.

It follows the guide (shared seeds, pcam_memory_guide.md) cell by cell:
load the split, fingerprint the images in batches of 50,000, keep the first
occurrence of each, compute the mean intensity of the kept images in batches,
drop mean < 10 and mean > 245, filter with fancy indexing and write the
cleaned split (x, y, index) to HDF5. Prints one JSON line with the same
counts as `pcam clean --report`, plus seconds and peak RSS.

Usage: clean_reference.py X.h5 Y.h5 OUT.h5 [--batch 50000] [--dark 10] [--bright 245]
Needs Debian's python3-h5py and python3-numpy (run with /usr/bin/python3).
"""
import argparse
import gc
import json
import resource
import time

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("x")
    ap.add_argument("y")
    ap.add_argument("out")
    ap.add_argument("--batch", type=int, default=50000)
    ap.add_argument("--dark", type=float, default=10)
    ap.add_argument("--bright", type=float, default=245)
    a = ap.parse_args()
    t0 = time.perf_counter()

    # Cells 1-5: load the training split.
    with h5py.File(a.x, "r") as f:
        train_x = f["x"][:]
    with h5py.File(a.y, "r") as f:
        train_y = f["y"][:]
    total = len(train_x)

    # Cell 6: batched fingerprints; the first occurrence of each is kept.
    fingerprints = []
    for i in range(0, total, a.batch):
        batch = train_x[i:i + a.batch]
        fingerprints.extend(hash(img.tobytes()) for img in batch)
        del batch
        gc.collect()
    seen = set()
    keep = []
    for idx, fp in enumerate(fingerprints):
        if fp not in seen:
            seen.add(fp)
            keep.append(idx)
    keep_indices = np.array(keep, dtype=np.int64)
    duplicates = total - len(keep_indices)

    # Cell 7: batched mean intensity over the first occurrences.
    means = np.empty(len(keep_indices), dtype=np.float64)
    for i in range(0, len(keep_indices), a.batch):
        batch_keep_idx = keep_indices[i:i + a.batch]
        means[i:i + len(batch_keep_idx)] = train_x[batch_keep_idx].mean(axis=(1, 2, 3))
        gc.collect()
    too_dark = int((means < a.dark).sum())
    too_bright = int((means > a.bright).sum())
    final_keep_indices = keep_indices[(means >= a.dark) & (means <= a.bright)]

    # Cell 8: filtering.
    train_x = train_x[final_keep_indices]
    train_y = train_y[final_keep_indices]
    gc.collect()

    with h5py.File(a.out, "w") as f:
        f.create_dataset("x", data=train_x, chunks=(min(64, len(train_x)),) + train_x.shape[1:])
        f.create_dataset("y", data=train_y)
        f.create_dataset("index", data=final_keep_indices)

    print(json.dumps({
        "implementation": "numpy/h5py reference",
        "total": total, "duplicates": duplicates, "too_dark": too_dark,
        "too_bright": too_bright, "kept": len(final_keep_indices),
        "seconds": time.perf_counter() - t0,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
