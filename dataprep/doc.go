// Package dataprep holds the data cells of the PCam memory guide (cells
// 1–8 and Option 1), one exported function per cell:
//
//   - Generate writes a deterministic synthetic split in PCam's layout and
//     file names (Fetch downloads the real one);
//   - Fingerprints hashes every image, batch by batch (cell 6), and
//     FindDuplicates marks exact byte-equal repeats, keeping the first;
//   - MeanIntensities and IntensityFilter drop too dark (mean < 10) and too
//     bright (mean > 245) patches among the first occurrences (cell 7);
//   - WriteFiltered streams the kept rows into a new HDF5 file (cell 8);
//   - MonitorMemory is the monitoring cell (current and peak RSS, dataset
//     sizes); StratifiedSubsample is Option 1.
//
// Clean runs them all with one read of the split for cells 6 and 7
// (Analyze) and gives exactly the same kept rows as the cells one by one,
// and as the guide's numpy code (bench/clean_reference.py checks it).
// Memory stays at a few blocks of images whatever the split's size.
package dataprep
