package h5io

// #cgo pkg-config: hdf5
// #include <stdint.h>
// #include "hdf5.h"
//
// static herr_t pcam_read_i64(hid_t dset, hid_t memspace, hid_t filespace, int64_t *buf) {
//   return H5Dread(dset, H5T_NATIVE_INT64, memspace, filespace, H5P_DEFAULT, buf);
// }
// static herr_t pcam_write_i64(hid_t dset, hid_t memspace, hid_t filespace, const int64_t *buf) {
//   return H5Dwrite(dset, H5T_NATIVE_INT64, memspace, filespace, H5P_DEFAULT, buf);
// }
// static herr_t pcam_read_u8(hid_t dset, hid_t memspace, hid_t filespace, uint8_t *buf) {
//   return H5Dread(dset, H5T_NATIVE_UINT8, memspace, filespace, H5P_DEFAULT, buf);
// }
// static herr_t pcam_write_u8(hid_t dset, hid_t memspace, hid_t filespace, const uint8_t *buf) {
//   return H5Dwrite(dset, H5T_NATIVE_UINT8, memspace, filespace, H5P_DEFAULT, buf);
// }
// static int pcam_type_signed(hid_t dset) {
//   hid_t t = H5Dget_type(dset);
//   if (t < 0) return -1;
//   int s = (H5Tget_class(t) == H5T_INTEGER) ? (H5Tget_sign(t) == H5T_SGN_2) : 0;
//   H5Tclose(t);
//   return s;
// }
//
// // pcam_layout reports a dataset's storage: 0 contiguous, 1 chunked, -1 other;
// // for chunked storage it fills chunk[0..rank) and the number of filters.
// static int pcam_layout(hid_t dset, int rank, hsize_t *chunk, int *nfilters) {
//   hid_t dcpl = H5Dget_create_plist(dset);
//   if (dcpl < 0) return -1;
//   int kind = -1;
//   H5D_layout_t l = H5Pget_layout(dcpl);
//   *nfilters = H5Pget_nfilters(dcpl);
//   if (l == H5D_CONTIGUOUS) kind = 0;
//   if (l == H5D_CHUNKED && H5Pget_chunk(dcpl, rank, chunk) == rank) kind = 1;
//   H5Pclose(dcpl);
//   return kind;
// }
// static int64_t pcam_offset(hid_t dset) {
//   haddr_t a = H5Dget_offset(dset);
//   return a == HADDR_UNDEF ? -1 : (int64_t)a;
// }
// static int64_t pcam_num_chunks(hid_t dset) {
//   hsize_t n = 0;
//   hid_t space = H5Dget_space(dset);
//   if (space < 0) return -1;
//   herr_t rc = H5Dget_num_chunks(dset, space, &n);
//   H5Sclose(space);
//   return rc < 0 ? -1 : (int64_t)n;
// }
// static herr_t pcam_chunk_info(hid_t dset, hsize_t idx, hsize_t *coord, int64_t *addr, int64_t *size) {
//   unsigned mask = 0; haddr_t a = 0; hsize_t sz = 0;
//   hid_t space = H5Dget_space(dset);
//   if (space < 0) return -1;
//   herr_t rc = H5Dget_chunk_info(dset, space, idx, coord, &mask, &a, &sz);
//   H5Sclose(space);
//   *addr = (a == HADDR_UNDEF) ? -1 : (int64_t)a;
//   *size = (int64_t)sz;
//   return rc;
// }
// static herr_t pcam_write_chunk(hid_t dset, const hsize_t *coord, size_t size, const void *buf) {
//   return H5Dwrite_chunk(dset, H5P_DEFAULT, 0, coord, size, buf);
// }
// static herr_t pcam_early_nofill(hid_t dcpl) {
//   if (H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0) return -1;
//   return H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
// }
import "C"

import (
	"fmt"
	"unsafe"

	"gonum.org/v1/hdf5"
)

// readInt64 reads the selection of dset into buf, converting whatever integer
// or float type the file holds to int64.
func readInt64(dset *hdf5.Dataset, mem, file *hdf5.Dataspace, buf []int64) error {
	if len(buf) == 0 {
		return nil
	}
	rc := C.pcam_read_i64(C.hid_t(dset.ID()), spaceID(mem), spaceID(file), (*C.int64_t)(unsafe.Pointer(&buf[0])))
	if rc < 0 {
		return fmt.Errorf("H5Dread failed")
	}
	return nil
}

// writeInt64 writes buf into the selection of dset, converting int64 to the
// dataset's type.
func writeInt64(dset *hdf5.Dataset, mem, file *hdf5.Dataspace, buf []int64) error {
	if len(buf) == 0 {
		return nil
	}
	rc := C.pcam_write_i64(C.hid_t(dset.ID()), spaceID(mem), spaceID(file), (*C.int64_t)(unsafe.Pointer(&buf[0])))
	if rc < 0 {
		return fmt.Errorf("H5Dwrite failed")
	}
	return nil
}

// readUint8 reads the selection of dset into buf as uint8.
func readUint8(dset *hdf5.Dataset, mem, file *hdf5.Dataspace, buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	rc := C.pcam_read_u8(C.hid_t(dset.ID()), spaceID(mem), spaceID(file), (*C.uint8_t)(unsafe.Pointer(&buf[0])))
	if rc < 0 {
		return fmt.Errorf("H5Dread failed")
	}
	return nil
}

// writeUint8 writes buf into the selection of dset.
func writeUint8(dset *hdf5.Dataset, mem, file *hdf5.Dataspace, buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	rc := C.pcam_write_u8(C.hid_t(dset.ID()), spaceID(mem), spaceID(file), (*C.uint8_t)(unsafe.Pointer(&buf[0])))
	if rc < 0 {
		return fmt.Errorf("H5Dwrite failed")
	}
	return nil
}

// isSigned reports whether dset holds a signed integer type.
func isSigned(dset *hdf5.Dataset) bool {
	return C.pcam_type_signed(C.hid_t(dset.ID())) == 1
}

func spaceID(s *hdf5.Dataspace) C.hid_t {
	if s == nil {
		return C.H5S_ALL
	}
	return C.hid_t(s.ID())
}

// layoutInfo describes how a dataset's rows sit in its file.
type layoutInfo struct {
	kind     int   // 0 contiguous, 1 chunked, -1 other
	chunk    []int // chunk shape when chunked
	nfilters int
}

func layoutOf(dset *hdf5.Dataset, rank int) layoutInfo {
	chunk := make([]C.hsize_t, rank)
	var nf C.int
	kind := C.pcam_layout(C.hid_t(dset.ID()), C.int(rank), &chunk[0], &nf)
	li := layoutInfo{kind: int(kind), nfilters: int(nf)}
	for _, c := range chunk {
		li.chunk = append(li.chunk, int(c))
	}
	return li
}

// contiguousOffset returns the file offset of a contiguous dataset's data,
// or -1 when it has no storage yet.
func contiguousOffset(dset *hdf5.Dataset) int64 {
	return int64(C.pcam_offset(C.hid_t(dset.ID())))
}

// chunkAddrs returns, for a dataset chunked along its first axis only, the
// file offset of each chunk indexed by its first coordinate / chunk rows
// (-1 where a chunk is not allocated), or nil when that fails.
func chunkAddrs(dset *hdf5.Dataset, rank, chunkRows, nChunks int) []int64 {
	n := int64(C.pcam_num_chunks(C.hid_t(dset.ID())))
	if n < 0 {
		return nil
	}
	addrs := make([]int64, nChunks)
	for i := range addrs {
		addrs[i] = -1
	}
	coord := make([]C.hsize_t, rank)
	for i := int64(0); i < n; i++ {
		var addr, size C.int64_t
		if C.pcam_chunk_info(C.hid_t(dset.ID()), C.hsize_t(i), &coord[0], &addr, &size) < 0 {
			return nil
		}
		k := int(coord[0]) / chunkRows
		if k >= nChunks || int(coord[0])%chunkRows != 0 {
			return nil
		}
		addrs[k] = int64(addr)
	}
	return addrs
}

// writeChunk writes one whole raw chunk whose first row is row.
func writeChunk(dset *hdf5.Dataset, rank, row int, buf []byte) error {
	coord := make([]C.hsize_t, rank)
	coord[0] = C.hsize_t(row)
	if C.pcam_write_chunk(C.hid_t(dset.ID()), &coord[0], C.size_t(len(buf)), unsafe.Pointer(&buf[0])) < 0 {
		return fmt.Errorf("H5Dwrite_chunk failed")
	}
	return nil
}

// allocateEarlyNoFill makes a dataset's storage allocated at creation and
// never filled, so raw bytes can be written into it afterwards.
func allocateEarlyNoFill(dcpl *hdf5.PropList) error {
	if C.pcam_early_nofill(C.hid_t(dcpl.ID())) < 0 {
		return fmt.Errorf("H5Pset_alloc_time/H5Pset_fill_time failed")
	}
	return nil
}
