package gonbext

import (
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
)

// enabled says whether Display* functions talk to a GoNB kernel. It is
// gonbui.IsNotebook (set when the program runs inside GoNB); tests leave it
// false, so nothing is sent anywhere.
var enabled = gonbui.IsNotebook

// sink receives what would be displayed; tests replace it to observe calls.
var sink displaySink = gonbSink{}

type displaySink interface {
	HTML(html string)
	Update(id, html string)
	PNG(png []byte)
}

type gonbSink struct{}

func (gonbSink) HTML(h string)       { gonbui.DisplayHTML(h) }
func (gonbSink) Update(id, h string) { gonbui.UpdateHTML(id, h) }
func (gonbSink) PNG(p []byte)        { gonbui.DisplayPNG(p) }

var idMu sync.Mutex
var idSeq int

// newID returns an identifier for a display updated in place.
func newID(prefix string) string {
	if enabled {
		return prefix + "-" + gonbui.UniqueID()
	}
	idMu.Lock()
	defer idMu.Unlock()
	idSeq++
	return prefix + "-" + itoa(idSeq)
}

// IsNotebook reports whether the program runs inside a GoNB notebook.
func IsNotebook() bool { return enabled }

// DisplayHTML shows html in the notebook (no-op outside one).
func DisplayHTML(html string) {
	if enabled {
		sink.HTML(html)
	}
}

// UpdateHTML replaces the content of the display with the given id, creating
// it on first use (no-op outside a notebook).
func UpdateHTML(id, html string) {
	if enabled {
		sink.Update(id, html)
	}
}

// DisplayPNG shows a PNG image in the notebook (no-op outside one).
func DisplayPNG(png []byte) {
	if enabled {
		sink.PNG(png)
	}
}

// DisplaySVG shows an SVG picture (as HTML, so exported notebooks keep it).
func DisplaySVG(svg string) { DisplayHTML(svg) }
