// Package engine selects the GoMLX compute backend used by pcamgo.
//
// [New] is the single entry point. With an empty name it picks, in order:
//
//  1. the configuration in $GOMLX_BACKEND, when set (e.g. "go", "xla:cpu", "xla:cuda");
//  2. XLA, when a PJRT plugin is already installed locally (CUDA preferred over CPU);
//  3. the pure Go backend ("go"), printing one line to stderr that says why XLA was not used.
//
// In automatic mode (2) the XLA auto-installer is disabled: engine never starts a network
// download implicitly, so it returns promptly on offline machines. Naming XLA explicitly
// (name "xla", "xla:cpu", or GOMLX_BACKEND=xla...) keeps GoMLX's usual behaviour of
// auto-installing a missing plugin, unless GOMLX_NO_AUTO_INSTALL is set; that attempt is
// bounded by [ExplicitXLATimeout].
//
// Backend constructors that panic are recovered and reported as errors: New never panics.
//
// The pure Go backend is only fast when the program is built with GOEXPERIMENT=simd
// (Go >= 1.27); its convolutions remain slow (see package models for the fast-path switch).
package engine
