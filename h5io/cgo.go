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
