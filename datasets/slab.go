package datasets

import "syscall"

// allocSlab returns n zeroed bytes for the preloaded images, mapped outside
// the Go heap when the system allows it. A multi-gigabyte []byte on the heap
// makes the garbage collector (GOGC=100) wait for as much garbage again
// before it runs, so batch buffers would pile up by gigabytes; an anonymous
// mapping keeps the heap small and the collector prompt. free releases it.
func allocSlab(n int) (buf []byte, free func()) {
	if n >= slabMmapMin && n > 0 {
		if b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE); err == nil {
			return b, func() { syscall.Munmap(b) }
		}
	}
	return make([]byte, n), func() {}
}

// slabMmapMin is the size from which allocSlab maps memory (tests lower it).
var slabMmapMin = 64 << 20
