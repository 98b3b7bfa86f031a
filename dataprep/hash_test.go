package dataprep

import (
	"math/rand/v2"
	"testing"
)

func TestHashImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 100, 27648} {
		a := make([]byte, n)
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		b := append([]byte(nil), a...)
		if HashImage(a) != HashImage(b) {
			t.Fatalf("n=%d: equal bytes, different fingerprints", n)
		}
		for _, pos := range []int{0, n / 2, n - 1} {
			if n == 0 {
				continue
			}
			b[pos] ^= 1
			if HashImage(a) == HashImage(b) {
				t.Errorf("n=%d: flipping bit 0 of byte %d kept the fingerprint", n, pos)
			}
			b[pos] ^= 1
		}
	}
	// Same bytes at different lengths must differ (length is mixed in).
	if HashImage(make([]byte, 64)) == HashImage(make([]byte, 65)) {
		t.Error("zero images of different sizes collide")
	}
}

func TestPixelSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 959, 960, 961, 5000, 27648} {
		for _, fill := range []string{"random", "255"} {
			img := make([]byte, n)
			var want uint64
			for i := range img {
				img[i] = 255
				if fill == "random" {
					img[i] = byte(rng.Uint32())
				}
				want += uint64(img[i])
			}
			if got := PixelSum(img); got != want {
				t.Errorf("n=%d %s: PixelSum = %d, want %d", n, fill, got, want)
			}
		}
	}
}

func TestHashAndSumMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 1023, 1024, 1025, 32 * 32 * 2, 27648} {
		img := make([]byte, n)
		for i := range img {
			img[i] = byte(rng.Uint32()) | 0xF0 // high bytes stress the SWAR lanes
		}
		h, s := HashAndSum(img)
		if h != HashImage(img) || s != PixelSum(img) {
			t.Errorf("n=%d: HashAndSum = (%x, %d), want (%x, %d)", n, h, s, HashImage(img), PixelSum(img))
		}
	}
}

func BenchmarkHashAndSum(b *testing.B) {
	img := make([]byte, 96*96*3)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		HashAndSum(img)
	}
}

func BenchmarkHashImage(b *testing.B) {
	img := make([]byte, 96*96*3)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		HashImage(img)
	}
}

func BenchmarkPixelSum(b *testing.B) {
	img := make([]byte, 96*96*3)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		PixelSum(img)
	}
}
