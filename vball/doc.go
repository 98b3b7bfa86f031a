// Package vball reproduces VballNet's train_v3.py (volleyball tracking) in Go on GoMLX, with
// its memory work: frames and heatmaps held as uint8, sequences of Seq consecutive frames, a
// memory-efficient dataset that preloads everything or reads from disk on demand, and detailed
// memory statistics.
//
// # Steps (one exported function each, as notebook 05 uses them)
//
//  1. Data: [Generate] writes a synthetic dataset (ball flights on a textured court, occluded
//     frames); [ReadLabels] + [WriteHeatmaps] render heatmaps from Frame,Visibility,X,Y CSVs
//     (Gaussian, sigma 3, black when the ball is hidden).
//  2. Layout: [ScanDataset] / [ScanSplit] read <root>/train_preprocessed/<match>/inputs/<rally>/<i>.jpg
//     and .../heatmaps/<rally>/<i>.jpg (also PNG; test data under <root>/test), numeric order;
//     [Windows] lists the Seq-frame windows within each rally.
//  3. Dataset: [NewDataset] (uint8 storage; Preload decodes everything once, otherwise a bounded
//     LRU cache plus a background prefetch goroutine), [Dataset.Memory] (total, frames vs
//     heatmaps, float32 equivalent, savings), [Dataset.Sequence] (uint8, optional joint
//     left-right flip), [Dataset.MakeBatch] (normalisation to float32 at batch time).
//  4. Models: [NewModel] builds VballNetV1 (motion prompt from frame differences → U-Net of
//     separable convolutions → motion-attention-weighted logits) or VballNetFastV1 (light
//     separable encoder/decoder with bilinear upsampling); inputs [N,H,W,Seq] (grayscale) or
//     [N,H,W,3·Seq], outputs Seq heatmap logits (sigmoid gives the heatmaps). Loss:
//     [WeightedBCELogits], TrackNet's −[(1−p)²·y·log p + p²·(1−y)·log(1−p)].
//  5. Metrics: [BallPosition] (threshold 0.5, centre of the largest blob), [CompareHeatmaps] /
//     [CompareBatch] (TP within 10 px, FP1 too far, FP2 ball predicted but none present, TN,
//     FN) and [Confusion]'s precision, recall, F1, accuracy.
//  6. Training: [NewSession] (backend via engine.New, Adam, checkpoints and resume),
//     [Session.TrainEpoch], [Session.Evaluate], [Session.Predict], [Session.Save]; or [Train]
//     for the whole of `vball train`, returning the [Report].
//
// # Resolution
//
// train_v3.py trains at the files' 288×512. On the pure Go backend on a laptop that is slow, so
// TrainConfig.Height/Width (--height/--width) resize frames and heatmaps when they are loaded:
// the uint8 storage, the model and the batches then use that size, and the metrics convert
// positions back to the files' pixels before applying the 10-pixel tolerance.
//
// # Convolutions
//
// Full convolutions use models/fastconv on the Go backend (im2col + GEMM) and GoMLX's Convolve
// elsewhere; depthwise 3×3 convolutions are nine shifted multiply-adds (element-wise ops, fast
// everywhere); batch norm uses the graph implementation (the Go backend has no fused op).
package vball
