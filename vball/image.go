package vball

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
)

var (
	colorModelGray   = color.GrayModel
	colorModelGray16 = color.Gray16Model
)

// DecodeImage reads a JPEG or PNG file into interleaved uint8 pixels [h, w, channels]:
// channels 1 gives grayscale (ITU-R 601 luma, as OpenCV's COLOR_BGR2GRAY), channels 3 gives RGB.
// When h and w are > 0 and differ from the file's size, the image is resized bilinearly
// (half-pixel centres, as OpenCV's INTER_LINEAR). Errors name the file.
func DecodeImage(path string, channels, h, w int) ([]uint8, int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: not a readable JPEG/PNG image: %w", path, err)
	}
	pix, ih, iw := toPixels(img, channels)
	if h > 0 && w > 0 && (h != ih || w != iw) {
		return ResizeBilinear(pix, ih, iw, channels, h, w), h, w, nil
	}
	return pix, ih, iw, nil
}

// toPixels converts any image to interleaved uint8 pixels with 1 or 3 channels.
func toPixels(img image.Image, channels int) ([]uint8, int, int) {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	out := make([]uint8, h*w*channels)
	gray := func(r, g, bl uint32) uint8 { // 16-bit inputs.
		return uint8((19595*r + 38470*g + 7471*bl + 1<<15) >> 24)
	}
	switch m := img.(type) {
	case *image.Gray:
		if channels == 1 && m.Stride == w && b.Min == (image.Point{}) {
			return m.Pix[:h*w], h, w // Already the layout we keep: no copy.
		}
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				if channels == 1 {
					out[y*w+x] = v
				} else {
					o := (y*w + x) * 3
					out[o], out[o+1], out[o+2] = v, v, v
				}
			}
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yi := m.YOffset(x+b.Min.X, y+b.Min.Y)
				ci := m.COffset(x+b.Min.X, y+b.Min.Y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				if channels == 1 {
					out[y*w+x] = gray(uint32(r)*0x101, uint32(g)*0x101, uint32(bl)*0x101)
				} else {
					o := (y*w + x) * 3
					out[o], out[o+1], out[o+2] = r, g, bl
				}
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl, _ := img.At(x+b.Min.X, y+b.Min.Y).RGBA()
				if channels == 1 {
					out[y*w+x] = gray(r, g, bl)
				} else {
					o := (y*w + x) * 3
					out[o], out[o+1], out[o+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
				}
			}
		}
	}
	return out, h, w
}

// ResizeBilinear resizes interleaved uint8 pixels [h, w, c] to [oh, ow, c] with bilinear
// interpolation and half-pixel centres.
func ResizeBilinear(src []uint8, h, w, c, oh, ow int) []uint8 {
	out := make([]uint8, oh*ow*c)
	sy, sx := float64(h)/float64(oh), float64(w)/float64(ow)
	for y := 0; y < oh; y++ {
		fy := (float64(y)+0.5)*sy - 0.5
		y0 := int(math.Floor(fy))
		dy := fy - float64(y0)
		y1 := min(max(y0+1, 0), h-1)
		y0 = min(max(y0, 0), h-1)
		for x := 0; x < ow; x++ {
			fx := (float64(x)+0.5)*sx - 0.5
			x0 := int(math.Floor(fx))
			dx := fx - float64(x0)
			x1 := min(max(x0+1, 0), w-1)
			x0 = min(max(x0, 0), w-1)
			for k := 0; k < c; k++ {
				v00 := float64(src[(y0*w+x0)*c+k])
				v01 := float64(src[(y0*w+x1)*c+k])
				v10 := float64(src[(y1*w+x0)*c+k])
				v11 := float64(src[(y1*w+x1)*c+k])
				v := (v00*(1-dx)+v01*dx)*(1-dy) + (v10*(1-dx)+v11*dx)*dy
				out[(y*ow+x)*c+k] = uint8(min(max(math.Round(v), 0), 255))
			}
		}
	}
	return out
}

// WriteImage writes interleaved uint8 pixels [h, w, c] (c = 1 or 3) as JPEG (quality 95) or PNG,
// chosen by the extension of path.
func WriteImage(path string, pix []uint8, h, w, c int) error {
	var img image.Image
	if c == 1 {
		img = &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < h*w; i++ {
			rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = pix[3*i], pix[3*i+1], pix[3*i+2], 255
		}
		img = rgba
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		err = png.Encode(f, img)
	default:
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
