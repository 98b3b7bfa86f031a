package datasets

import (
	"math/rand/v2"
)

// Augment says which random augmentations a training dataset applies.
type Augment struct {
	Flips      bool    // random horizontal and vertical flips
	Rotations  bool    // random multiples of 90° (square images only)
	MaxShift   int     // random shift of up to ±MaxShift pixels, edges replicated
	Brightness float64 // add a uniform offset in ±Brightness (on the 0–1 scale)
	Contrast   float64 // scale around 0.5 by a factor in 1±Contrast
}

// DefaultAugment returns the augmentation used for training: flips,
// rotations, shifts of up to 4 pixels, ±0.1 brightness and ±10% contrast.
// Pathology patches have no canonical orientation, so all eight
// flip/rotation combinations are equally valid.
func DefaultAugment() Augment {
	return Augment{Flips: true, Rotations: true, MaxShift: 4, Brightness: 0.1, Contrast: 0.1}
}

// Enabled reports whether any augmentation is on.
func (a Augment) Enabled() bool {
	return a.Flips || a.Rotations || a.MaxShift > 0 || a.Brightness > 0 || a.Contrast > 0
}

// imageAug is the augmentation drawn for one image.
type imageAug struct {
	flipX, flipY bool
	rot          int // quarter turns
	dx, dy       int
	scale, shift float32 // v' = (v/255 - 0.5)*scale + 0.5 + shift
}

func (a Augment) draw(rng *rand.Rand, square bool) imageAug {
	ia := imageAug{scale: 1}
	if a.Flips {
		ia.flipX, ia.flipY = rng.IntN(2) == 1, rng.IntN(2) == 1
	}
	if a.Rotations && square {
		ia.rot = rng.IntN(4)
	}
	if a.MaxShift > 0 {
		ia.dx, ia.dy = rng.IntN(2*a.MaxShift+1)-a.MaxShift, rng.IntN(2*a.MaxShift+1)-a.MaxShift
	}
	if a.Contrast > 0 {
		ia.scale = float32(1 + a.Contrast*(2*rng.Float64()-1))
	}
	if a.Brightness > 0 {
		ia.shift = float32(a.Brightness * (2*rng.Float64() - 1))
	}
	return ia
}

func (ia imageAug) geometric() bool {
	return ia.flipX || ia.flipY || ia.rot != 0 || ia.dx != 0 || ia.dy != 0
}

// apply writes the augmented src (h×w×c uint8) into dst.
func (ia imageAug) apply(dst, src []byte, h, w, c int) {
	if !ia.geometric() {
		copy(dst, src)
		return
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Undo the shift (edges replicated), then the rotation and flips.
			sy, sx := clamp(y-ia.dy, h), clamp(x-ia.dx, w)
			for r := 0; r < ia.rot; r++ {
				sy, sx = sx, w-1-sy // a quarter turn (square images)
			}
			if ia.flipY {
				sy = h - 1 - sy
			}
			if ia.flipX {
				sx = w - 1 - sx
			}
			copy(dst[(y*w+x)*c:(y*w+x+1)*c], src[(sy*w+sx)*c:(sy*w+sx+1)*c])
		}
	}
}

func clamp(v, n int) int {
	if v < 0 {
		return 0
	}
	if v >= n {
		return n - 1
	}
	return v
}
