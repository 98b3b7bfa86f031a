package models

import "github.com/pcamgo/pcamgo/models/fastconv"

// The fast im2col + matmul path for the pure Go backend (see ConvImpl).
func init() { fastConv2D, fastMaxPool2D = fastconv.Conv2DBias, fastconv.MaxPool2D }
