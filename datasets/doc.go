// Package datasets feeds PCam splits to GoMLX training: it implements
// train.Dataset (and the trainer's Positionable and Sized interfaces) over a
// cleaned file or an x/y pair.
//
// Two modes, one result: preload keeps the split in memory as uint8 (a
// quarter of what float32 would take) and streaming (the guide's Option 4)
// reads each batch from the HDF5 file on demand, with a background goroutine
// preparing the next batches, so memory does not grow with the split. Both
// yield byte-identical batches for the same seed: each epoch's order is a
// permutation drawn from (seed, epoch) and each batch's augmentation from
// (seed, epoch, batch), which is also what makes training resumable.
//
// Images are converted to float (float32, float16 or bfloat16: Option 2) at
// batch time, after optional augmentation: random flips, 90° rotations,
// small shifts and brightness/contrast jitter.
package datasets
