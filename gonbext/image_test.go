package gonbext

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

func TestBatchImages(t *testing.T) {
	tests := []struct {
		name    string
		batch   []byte
		h, w, c int
		n       int
		px      color.RGBA // pixel (1,0) of the last image
		wantErr bool
	}{
		{"rgb", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 1, 2, 3, 2, color.RGBA{10, 11, 12, 255}, false},
		{"gray", []byte{0, 200}, 1, 2, 1, 1, color.RGBA{200, 200, 200, 255}, false},
		{"rgba", []byte{1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 4, 1, color.RGBA{5, 6, 7, 8}, false},
		{"ragged", []byte{1, 2, 3, 4}, 1, 1, 3, 0, color.RGBA{}, true},
		{"bad channels", []byte{1, 2}, 1, 1, 2, 0, color.RGBA{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imgs, err := BatchImages(tt.batch, tt.h, tt.w, tt.c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if len(imgs) != tt.n {
				t.Fatalf("%d images, want %d", len(imgs), tt.n)
			}
			last := imgs[len(imgs)-1]
			if b := last.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("bounds %v", b)
			}
			r, g, b, a := last.At(1, 0).RGBA()
			got := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
			if tt.c == 4 { // RGBA stores premultiplied-free bytes; compare raw
				got = last.(*image.RGBA).RGBAAt(1, 0)
			}
			if got != tt.px {
				t.Errorf("pixel = %v, want %v", got, tt.px)
			}
		})
	}
}

func TestGridHTML(t *testing.T) {
	// Three 4×6 RGB images: image i is filled with value 10·(i+1).
	const h, w, c = 4, 6, 3
	batch := make([]byte, 3*h*w*c)
	for i := range 3 {
		for k := range h * w * c {
			batch[i*h*w*c+k] = byte(10 * (i + 1))
		}
	}
	s, err := BatchGridHTML(batch, h, w, c, []string{"first", "second <dup>"}, GridOptions{Title: "Duplicates", Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	counts := parseXML(t, s)
	if counts["img"] != 3 || counts["figcaption"] != 3 {
		t.Errorf("elements %v", counts)
	}
	for _, want := range []string{"Duplicates", "first", "second &lt;dup&gt;", "repeat(2,"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q", want)
		}
	}
	imgs := decodePNGs(t, s)
	if len(imgs) != 3 {
		t.Fatalf("%d PNGs", len(imgs))
	}
	for i, img := range imgs {
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("png %d is %v", i, b)
		}
		r, _, _, _ := img.At(w-1, h-1).RGBA()
		if uint8(r>>8) != byte(10*(i+1)) {
			t.Errorf("png %d pixel = %d", i, r>>8)
		}
	}
	if _, err := BatchGridHTML(batch[:5], h, w, c, nil, GridOptions{}); err == nil {
		t.Error("ragged batch accepted")
	}
}

func TestOverlay(t *testing.T) {
	frame := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for i := range frame.Pix {
		frame.Pix[i] = 100
	}
	// 4×2 heatmap: hot in the top-left cell only, so the frame's top-left 2×2 block is hot.
	heat, err := HeatFromFloats([]float32{5, 0, 0, 0, 0, 0, 0, 0}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		alpha float64
		x, y  int
		want  color.RGBA
	}{
		{"cold pixel keeps frame", 0.6, 7, 3, color.RGBA{100, 100, 100, 255}},
		{"alpha 0 keeps frame", 0, 0, 0, color.RGBA{100, 100, 100, 255}},
		{"hot pixel is red", 1, 1, 1, Colormap(255)},
		{"half blend", 0.5, 0, 0, color.RGBA{uint8(0.5*100 + 0.5*float64(Colormap(255).R) + 0.5), 50, 50, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := OverlayPNG(frame, heat, tt.alpha)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 8 || b.Dy() != 4 {
				t.Fatalf("size %v", b)
			}
			r, g, b, a := img.At(tt.x, tt.y).RGBA()
			got := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
			if got != tt.want {
				t.Errorf("pixel = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := HeatFromFloats([]float32{1}, 2, 2); err == nil {
		t.Error("bad heatmap size accepted")
	}
	if Colormap(0).B < 100 || Colormap(255).R < 100 || Colormap(0).R != 0 {
		t.Errorf("colormap ends: %v %v", Colormap(0), Colormap(255))
	}
	// A gray frame works too.
	g := image.NewGray(image.Rect(0, 0, 3, 3))
	if o := Overlay(g, heat, 0.5); o.Bounds().Dx() != 3 {
		t.Error("gray frame")
	}
}
