// Package h5io reads and writes PatchCamelyon (PCam) splits stored as HDF5.
//
// It is the only package of pcamgo that uses cgo (through gonum.org/v1/hdf5
// and a few direct calls into libhdf5), so that models and training build
// and run without it.
//
// A PCam split is an image array under key "x" (N×96×96×3 uint8) and a label
// array under key "y" (N×1×1×1, values 0 or 1). The official release ships
// them as two files, camelyonpatch_level_2_split_{train,valid,test}_{x,y}.h5;
// a cleaned split written by this package holds "x", "y" and "index" (the
// int64 row of each image in the original split) in one file.
//
// Open validates a split up front (file type, keys, rank, dtype, row counts,
// label values) and returns errors that name the file and the problem. Rows
// are read on demand, so a 7 GB split is never loaded whole. Writer writes a
// split chunk by chunk into a temporary file that Commit renames into place,
// so a failed run never leaves a partial output behind.
//
// libhdf5 (the serial build Debian ships) is not thread-safe; every call in
// this package holds one process-wide lock.
package h5io
