package gonbext

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"
)

// parseXML checks that s is well-formed XML (our HTML is XHTML-like) and
// returns the count of each element name.
func parseXML(t *testing.T, s string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader("<root>" + s + "</root>"))
	d.Strict = true
	counts := map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
	return counts
}

var dataURI = regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`)

// decodePNGs decodes every PNG data URI in s.
func decodePNGs(t *testing.T, s string) []image.Image {
	t.Helper()
	var out []image.Image
	for _, m := range dataURI.FindAllStringSubmatch(s, -1) {
		raw, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

// recorder is a display sink that records calls.
type recorder struct {
	html    []string
	updates map[string][]string
	pngs    [][]byte
}

func (r *recorder) HTML(h string) { r.html = append(r.html, h) }
func (r *recorder) Update(id, h string) {
	if r.updates == nil {
		r.updates = map[string][]string{}
	}
	r.updates[id] = append(r.updates[id], h)
}
func (r *recorder) PNG(p []byte) { r.pngs = append(r.pngs, p) }

// inNotebook pretends to run inside GoNB, recording what is displayed.
func inNotebook(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	oldE, oldS := enabled, sink
	enabled, sink = true, r
	t.Cleanup(func() { enabled, sink = oldE, oldS })
	return r
}

func imageOf(w, h int) image.Image { return image.NewRGBA(image.Rect(0, 0, w, h)) }
