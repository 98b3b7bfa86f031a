package gonbext

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

func itoa(i int) string { return strconv.Itoa(i) }

// esc escapes text for HTML and XML (SVG) content and attributes.
func esc(s string) string { return html.EscapeString(s) }

// TableHTML renders a table with a header row. Cells are text (escaped).
func TableHTML(headers []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px">`)
	b.WriteString("<thead><tr>")
	for _, h := range headers {
		fmt.Fprintf(&b, `<th style="border-bottom:2px solid #444;padding:3px 10px;text-align:left">%s</th>`, esc(h))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, `<td style="border-bottom:1px solid #ddd;padding:3px 10px">%s</td>`, esc(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// DisplayTable shows TableHTML(headers, rows).
func DisplayTable(headers []string, rows [][]string) { DisplayHTML(TableHTML(headers, rows)) }

// Row formats values as table cells (fmt's %v, floats with 4 significant digits).
func Row(values ...any) []string {
	out := make([]string, len(values))
	for i, v := range values {
		switch x := v.(type) {
		case float64:
			out[i] = strconv.FormatFloat(x, 'g', 4, 64)
		case float32:
			out[i] = strconv.FormatFloat(float64(x), 'g', 4, 32)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// Bytes formats a byte count with a binary unit (B, KiB, MiB, GiB).
func Bytes(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < k*k:
		return fmt.Sprintf("%.1f KiB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MiB", float64(n)/(k*k))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(k*k*k))
}
