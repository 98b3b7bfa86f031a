package gonbext

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
)

// BatchImages converts a uint8 N×H×W×C batch (C = 1 gray, 3 RGB or 4 RGBA;
// the layout of PCam's "x" and of h5io.Split.ReadX) into images.
func BatchImages(batch []byte, h, w, c int) ([]image.Image, error) {
	if h <= 0 || w <= 0 || (c != 1 && c != 3 && c != 4) {
		return nil, fmt.Errorf("gonbext: bad image shape %d×%d×%d (want C = 1, 3 or 4)", h, w, c)
	}
	ib := h * w * c
	if len(batch)%ib != 0 {
		return nil, fmt.Errorf("gonbext: batch of %d bytes is not a whole number of %d×%d×%d images", len(batch), h, w, c)
	}
	n := len(batch) / ib
	out := make([]image.Image, n)
	for i := range n {
		src := batch[i*ib : (i+1)*ib]
		switch c {
		case 1:
			g := image.NewGray(image.Rect(0, 0, w, h))
			copy(g.Pix, src)
			out[i] = g
		default:
			m := image.NewRGBA(image.Rect(0, 0, w, h))
			for p := range h * w {
				m.Pix[4*p], m.Pix[4*p+1], m.Pix[4*p+2], m.Pix[4*p+3] = src[c*p], src[c*p+1], src[c*p+2], 255
				if c == 4 {
					m.Pix[4*p+3] = src[c*p+3]
				}
			}
			out[i] = m
		}
	}
	return out, nil
}

// EncodePNG encodes img as PNG.
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PNGDataURI returns img as a data:image/png;base64 URI for an <img> tag.
func PNGDataURI(img image.Image) (string, error) {
	p, err := EncodePNG(img)
	if err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(p), nil
}

// Tile is one image of a grid with its caption.
type Tile struct {
	Image   image.Image
	Caption string
	// Border, if set, is a CSS colour framing the tile (e.g. red for dropped).
	Border string
}

// GridOptions configures GridHTML.
type GridOptions struct {
	Title string
	Cols  int // tiles per row (default 8)
	Px    int // displayed tile width in pixels (default 2× the image width, at most 192)
}

// GridHTML lays tiles out in rows of Cols, each an <img> (PNG data URI, drawn
// pixelated) over its caption.
func GridHTML(tiles []Tile, o GridOptions) (string, error) {
	if o.Cols <= 0 {
		o.Cols = 8
	}
	var b strings.Builder
	b.WriteString(`<div class="gonbext-grid" style="font-family:sans-serif;font-size:11px">`)
	if o.Title != "" {
		fmt.Fprintf(&b, `<div style="font-weight:bold;font-size:13px;margin:4px 0">%s</div>`, esc(o.Title))
	}
	fmt.Fprintf(&b, `<div style="display:grid;grid-template-columns:repeat(%d,max-content);gap:6px">`, o.Cols)
	for _, t := range tiles {
		uri, err := PNGDataURI(t.Image)
		if err != nil {
			return "", err
		}
		px := o.Px
		if px <= 0 {
			px = min(2*t.Image.Bounds().Dx(), 192)
		}
		border := "1px solid #ccc"
		if t.Border != "" {
			border = "3px solid " + esc(t.Border)
		}
		fmt.Fprintf(&b, `<figure style="margin:0;text-align:center"><img src="%s" width="%d" style="image-rendering:pixelated;border:%s"/><figcaption>%s</figcaption></figure>`,
			uri, px, border, esc(t.Caption))
	}
	b.WriteString("</div></div>")
	return b.String(), nil
}

// BatchGridHTML is GridHTML over a uint8 N×H×W×C batch with one caption per
// image (captions may be shorter than the batch).
func BatchGridHTML(batch []byte, h, w, c int, captions []string, o GridOptions) (string, error) {
	imgs, err := BatchImages(batch, h, w, c)
	if err != nil {
		return "", err
	}
	tiles := make([]Tile, len(imgs))
	for i, m := range imgs {
		tiles[i].Image = m
		if i < len(captions) {
			tiles[i].Caption = captions[i]
		}
	}
	return GridHTML(tiles, o)
}

// DisplayGrid shows BatchGridHTML; errors are shown in the notebook.
func DisplayGrid(batch []byte, h, w, c int, captions []string, o GridOptions) {
	if !enabled {
		return
	}
	s, err := BatchGridHTML(batch, h, w, c, captions, o)
	if err != nil {
		s = "<pre>" + esc(err.Error()) + "</pre>"
	}
	DisplayHTML(s)
}

// DisplayTiles shows GridHTML.
func DisplayTiles(tiles []Tile, o GridOptions) {
	if !enabled {
		return
	}
	s, err := GridHTML(tiles, o)
	if err != nil {
		s = "<pre>" + esc(err.Error()) + "</pre>"
	}
	DisplayHTML(s)
}

// HeatFromFloats turns a row-major w×h map of scores into a grayscale image,
// scaled so that the minimum is black and the maximum white (all equal: black).
func HeatFromFloats(v []float32, w, h int) (*image.Gray, error) {
	if len(v) != w*h {
		return nil, fmt.Errorf("gonbext: heatmap of %d values is not %d×%d", len(v), w, h)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	if hi > lo {
		for i, x := range v {
			g.Pix[i] = uint8(math.Round((float64(x) - lo) / (hi - lo) * 255))
		}
	}
	return g, nil
}

// Colormap maps an intensity 0–255 to a blue→cyan→yellow→red colour ("jet").
func Colormap(t uint8) color.RGBA {
	x := float64(t) / 255
	clamp := func(v float64) uint8 { return uint8(math.Round(255 * math.Min(math.Max(v, 0), 1))) }
	return color.RGBA{clamp(1.5 - math.Abs(4*x-3)), clamp(1.5 - math.Abs(4*x-2)), clamp(1.5 - math.Abs(4*x-1)), 255}
}

// Overlay blends a grayscale heatmap (any image; its luminance is used,
// resized to the frame by nearest neighbour) over frame: each output pixel is
// (1−a)·frame + a·Colormap(heat), where a = alpha·heat/255, so cold areas
// show the frame unchanged.
func Overlay(frame, heat image.Image, alpha float64) *image.RGBA {
	fb, hb := frame.Bounds(), heat.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, fb.Dx(), fb.Dy()))
	for y := range fb.Dy() {
		hy := hb.Min.Y + y*hb.Dy()/fb.Dy()
		for x := range fb.Dx() {
			hx := hb.Min.X + x*hb.Dx()/fb.Dx()
			hv := color.GrayModel.Convert(heat.At(hx, hy)).(color.Gray).Y
			fr, fg, fbb, _ := frame.At(fb.Min.X+x, fb.Min.Y+y).RGBA()
			cm := Colormap(hv)
			a := alpha * float64(hv) / 255
			mix := func(f uint32, c uint8) uint8 {
				return uint8(math.Round((1-a)*float64(f>>8) + a*float64(c)))
			}
			o := out.PixOffset(x, y)
			out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = mix(fr, cm.R), mix(fg, cm.G), mix(fbb, cm.B), 255
		}
	}
	return out
}

// OverlayPNG is Overlay encoded as PNG.
func OverlayPNG(frame, heat image.Image, alpha float64) ([]byte, error) {
	return EncodePNG(Overlay(frame, heat, alpha))
}

// DisplayOverlay shows Overlay(frame, heat, alpha) as a PNG.
func DisplayOverlay(frame, heat image.Image, alpha float64) {
	if !enabled {
		return
	}
	p, err := OverlayPNG(frame, heat, alpha)
	if err != nil {
		DisplayHTML("<pre>" + esc(err.Error()) + "</pre>")
		return
	}
	DisplayPNG(p)
}
