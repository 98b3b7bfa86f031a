package dataprep

import (
	"encoding/binary"
	"math/bits"
)

// Fingerprint is a 64-bit content hash of an image's bytes. Equal images have
// equal fingerprints; unequal images collide with probability about 2⁻⁶⁴,
// and FindDuplicates confirms every match byte by byte anyway.
type Fingerprint uint64

const (
	p1 = 0x9E3779B185EBCA87
	p2 = 0xC2B2AE3D27D4EB4F
	p3 = 0x165667B19E3779F9
	p4 = 0x85EBCA77C2B2AE63
	p5 = 0x27D4EB2F165667C5
)

func round(acc, v uint64) uint64 {
	acc += v * p2
	acc = bits.RotateLeft64(acc, 31)
	return acc * p1
}

// HashImage returns the fingerprint of img. It is the xxHash64 mixing scheme
// over four independent lanes, so it runs at several GB/s, and it is stable
// across runs and machines (use it as a key in notebooks and reports).
func HashImage(img []byte) Fingerprint {
	n := len(img)
	var one, two uint64 = p1, p2
	v1, v2, v3, v4 := one+two, two, uint64(0), -one
	i := 0
	for ; i+32 <= n; i += 32 {
		v1 = round(v1, binary.LittleEndian.Uint64(img[i:]))
		v2 = round(v2, binary.LittleEndian.Uint64(img[i+8:]))
		v3 = round(v3, binary.LittleEndian.Uint64(img[i+16:]))
		v4 = round(v4, binary.LittleEndian.Uint64(img[i+24:]))
	}
	h := bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
	h += uint64(n)
	for ; i+8 <= n; i += 8 {
		h ^= round(0, binary.LittleEndian.Uint64(img[i:]))
		h = bits.RotateLeft64(h, 27)*p1 + p4
	}
	for ; i < n; i++ {
		h ^= uint64(img[i]) * p5
		h = bits.RotateLeft64(h, 11) * p1
	}
	h ^= h >> 33
	h *= p2
	h ^= h >> 29
	h *= p3
	h ^= h >> 32
	return Fingerprint(h)
}

// PixelSum returns the sum of all bytes of img (every pixel and channel).
// The mean intensity on the 0–255 scale is PixelSum/len(img), exactly what
// numpy's img.mean() computes for uint8 data.
func PixelSum(img []byte) uint64 {
	const lo = 0x00FF00FF00FF00FF
	var total uint64
	i := 0
	// SWAR: add eight bytes at a time into four 16-bit lanes. Each lane
	// gains at most 2×255 per word, so flush before 128 words.
	for i+8 <= len(img) {
		var acc uint64
		end := min(len(img)-(len(img)-i)%8, i+8*120)
		for ; i < end; i += 8 {
			w := binary.LittleEndian.Uint64(img[i:])
			acc += (w & lo) + ((w >> 8) & lo)
		}
		acc = (acc & 0x0000FFFF0000FFFF) + ((acc >> 16) & 0x0000FFFF0000FFFF)
		total += (acc & 0xFFFFFFFF) + (acc >> 32)
	}
	for ; i < len(img); i++ {
		total += uint64(img[i])
	}
	return total
}

// MeanIntensity returns the mean of img's bytes on the 0–255 scale.
func MeanIntensity(img []byte) float64 {
	if len(img) == 0 {
		return 0
	}
	return float64(PixelSum(img)) / float64(len(img))
}

// HashAndSum returns HashImage(img) and PixelSum(img) from one pass over
// the bytes, which is what the cleaning scan needs for every image.
func HashAndSum(img []byte) (Fingerprint, uint64) {
	const lo = 0x00FF00FF00FF00FF
	n := len(img)
	var one, two uint64 = p1, p2
	v1, v2, v3, v4 := one+two, two, uint64(0), -one
	var total uint64
	i := 0
	for i+32 <= n {
		// Each 16-bit lane of acc gains at most 4×2×255 per 32 bytes:
		// flush before 32 iterations.
		var acc uint64
		end := min(n-(n-i)%32, i+32*32)
		for ; i < end; i += 32 {
			b := img[i : i+32 : i+32]
			w0 := binary.LittleEndian.Uint64(b[0:8])
			w1 := binary.LittleEndian.Uint64(b[8:16])
			w2 := binary.LittleEndian.Uint64(b[16:24])
			w3 := binary.LittleEndian.Uint64(b[24:32])
			v1 = round(v1, w0)
			v2 = round(v2, w1)
			v3 = round(v3, w2)
			v4 = round(v4, w3)
			acc += (w0 & lo) + ((w0 >> 8) & lo) + (w1 & lo) + ((w1 >> 8) & lo) +
				(w2 & lo) + ((w2 >> 8) & lo) + (w3 & lo) + ((w3 >> 8) & lo)
		}
		acc = (acc & 0x0000FFFF0000FFFF) + ((acc >> 16) & 0x0000FFFF0000FFFF)
		total += (acc & 0xFFFFFFFF) + (acc >> 32)
	}
	h := bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
	h += uint64(n)
	for ; i+8 <= n; i += 8 {
		w := binary.LittleEndian.Uint64(img[i:])
		h ^= round(0, w)
		h = bits.RotateLeft64(h, 27)*p1 + p4
		total += PixelSum(img[i : i+8])
	}
	for ; i < n; i++ {
		h ^= uint64(img[i]) * p5
		h = bits.RotateLeft64(h, 11) * p1
		total += uint64(img[i])
	}
	h ^= h >> 33
	h *= p2
	h ^= h >> 29
	h *= p3
	h ^= h >> 32
	return Fingerprint(h), total
}
