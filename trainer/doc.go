// Package trainer trains the PCam models of package models with GoMLX: Adam, sigmoid binary
// cross-entropy on the logits, per-epoch validation (loss, accuracy, ROC AUC), checkpoints
// (GoMLX ml/model/checkpoint) with exact resume, Ctrl-C handling and a JSON report.
//
// # Datasets
//
// Run accepts any GoMLX train.Dataset whose batches are
//
//	Batch{Inputs: [images [N, H, W, 3]], Labels: [labels [N, 1] (or [N]) float32 0/1]}
//
// Images may be float32 (normalised to [0, 1]), float16/bfloat16, or raw uint8 (the model
// divides by 255). Keep N constant (drop the last partial training batch): every new shape
// compiles a new graph.
//
// # Exact resume: the Positionable contract (for dataset authors)
//
// A checkpoint records the training position: the epoch (0-based) and the number of batches
// already consumed in it. For an interrupted-then-resumed run to end with exactly the same
// weights as an uninterrupted run with the same seed, the training dataset must reproduce the
// same batches. Implement [Positionable]:
//
//	SetPosition(epoch, batch int) error
//
// Run calls SetPosition(epoch, 0) before every epoch's Iter() and SetPosition(epoch, k) when
// resuming in the middle of an epoch. The following Iter() must then yield epoch `epoch`'s
// batches starting at batch k. The usual way: derive the epoch's shuffle permutation from
// (seed, epoch) only, e.g. rand.New(rand.NewPCG(uint64(seed), uint64(epoch))), never from
// state carried over from previous Iter() calls. [MemoryDataset] is a reference implementation.
//
// Datasets that do not implement Positionable still work: on resume Run skips (reads and
// discards) the already-consumed batches of the current epoch, which is exact only if the
// dataset yields the same order on every Iter() call.
//
// Optionally a dataset may implement [Sized] (NumBatches) so that progress reports know the
// epoch length.
//
// # Cancellation
//
// When ctx is cancelled (e.g. signal.NotifyContext on os.Interrupt), Run finishes the current
// step, saves a checkpoint (if a checkpoint directory is configured) and returns the partial
// Report with Interrupted set, together with an error wrapping ctx.Err() (test it with
// errors.Is(err, context.Canceled)).
package trainer
