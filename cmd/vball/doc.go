// Command vball is the Go port of VballNet's train_v3.py: a volleyball-tracking trainer whose
// frames and heatmaps are held as uint8 (preloaded or read from disk on demand).
//
//	vball train --dataset_root DIR --seq 3 [--grayscale] [--model_name VballNetV1|VballNetFastV1]
//	            [--epochs N] [--batch 4] [--alpha -1] [--preload_memory] [--use_memory_efficient]
//	            [--width W --height H] [--checkpoint_dir D [--resume]] [--report r.json]
//	vball generate --out DIR [--width 512 --height 288] [--train_matches 2] [--test_matches 1]
//	            [--rallies 3] [--frames 30] [--seed 1]
//	vball heatmaps --csv labels.csv --out DIR --width 512 --height 288 [--sigma 3] [--ext .jpg]
//	vball memory --dataset_root DIR --seq 3 [--grayscale] [--preload_memory] [--report r.json]
//
// Errors are reported on one line naming the file at fault; the exit status is 1 (2 for usage
// errors) and no partial output is left behind.
package main
