package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
)

// htmlPage is what the OGC HTML views show: links, an optional table and an
// optional JSON document.
type htmlPage struct {
	Title   string
	Summary string
	Links   []ogcapi.Link
	Headers []string
	Rows    [][]string
	RowLink []string
	JSON    string
}

var ogcTemplate = template.Must(template.New("ogc").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:13px;width:100%}td,th{border:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:12px}a{color:#0b5cad}</style></head>
<body><p><a href="{{.Base}}?f=html">OGC API</a> · <a href="{{.Base}}/collections?f=html">Collections</a> · <a href="{{.Base}}/conformance?f=html">Conformité</a> · <a href="{{.Base}}/api?f=html">API</a></p>
<h1>{{.Title}}</h1>{{if .Summary}}<p>{{.Summary}}</p>{{end}}
{{if .Links}}<h2>Liens</h2><ul>{{range .Links}}<li><a href="{{.Href}}">{{if .Title}}{{.Title}}{{else}}{{.Href}}{{end}}</a> <small>({{.Rel}}{{if .Type}}, {{.Type}}{{end}})</small></li>{{end}}</ul>{{end}}
{{if .Headers}}<table><tr>{{range .Headers}}<th>{{.}}</th>{{end}}</tr>{{range $i, $r := .Rows}}<tr>{{range $j, $c := $r}}<td>{{if and (eq $j 0) (index $.RowLink $i)}}<a href="{{index $.RowLink $i}}">{{$c}}</a>{{else}}{{$c}}{{end}}</td>{{end}}</tr>{{end}}</table>{{end}}
{{if .JSON}}<h2>Document</h2><pre>{{.JSON}}</pre>{{end}}
</body></html>
`))

func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, tag string, p htmlPage) error {
	if tag != "" && s.notModified(w, r, tag) {
		return nil
	}
	var buf bytes.Buffer
	err := ogcTemplate.Execute(&buf, struct {
		htmlPage
		Base string
	}{p, s.ogcBase(r)})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodHead {
		return nil
	}
	out, _, done := body(w, r)
	if _, err := out.Write(buf.Bytes()); err != nil {
		return err
	}
	return done()
}

// docPage shows an OGC API document: its links and the document itself.
func docPage(title string, doc any) htmlPage {
	p := htmlPage{Title: title}
	data, _ := json.MarshalIndent(doc, "", "  ")
	p.JSON = string(data)
	var probe struct {
		Links       []ogcapi.Link `json:"links"`
		Collections []struct {
			ID          string        `json:"id"`
			Title       string        `json:"title"`
			Description string        `json:"description"`
			Links       []ogcapi.Link `json:"links"`
		} `json:"collections"`
		ConformsTo []string `json:"conformsTo"`
	}
	_ = json.Unmarshal(data, &probe)
	p.Links = probe.Links
	if len(probe.Collections) > 0 {
		p.Headers = []string{"collection", "titre", "description"}
		for _, c := range probe.Collections {
			p.Rows = append(p.Rows, []string{c.ID, c.Title, c.Description})
			href := ""
			for _, l := range c.Links {
				if l.Rel == "self" {
					href = l.Href + "?f=html"
				}
			}
			p.RowLink = append(p.RowLink, href)
		}
		p.JSON = ""
	}
	if len(probe.ConformsTo) > 0 {
		p.Headers = []string{"classe de conformité"}
		for _, c := range probe.ConformsTo {
			p.Rows = append(p.Rows, []string{c})
			p.RowLink = append(p.RowLink, c)
		}
		p.JSON = ""
	}
	return p
}

// itemsPage shows features as a table of their properties.
func itemsPage(snap *index.Snapshot, sel *index.Selection, l index.Layer, ids []int32, total int, links []ogcapi.Link) htmlPage {
	p := htmlPage{Title: l.Title, Summary: fmt.Sprintf("%d entités correspondent ; %d affichées.", total, len(ids)), Links: links}
	p.Headers = []string{"id"}
	for _, f := range l.Fields {
		if f.Name != "id" {
			p.Headers = append(p.Headers, f.Name)
		}
	}
	base := ""
	for _, lk := range links {
		if lk.Rel == "collection" {
			base = lk.Href + "/items/"
		}
	}
	for _, i := range ids {
		props := snap.Properties(l.ID, i, sel)
		id := snap.FeatureID(l.ID, i)
		row := []string{id}
		for _, h := range p.Headers[1:] {
			v, ok := props[h]
			switch {
			case !ok:
				row = append(row, "")
			case h == "themes":
				data, _ := json.Marshal(v)
				row = append(row, string(data))
			default:
				row = append(row, fmt.Sprint(v))
			}
		}
		p.Rows = append(p.Rows, row)
		p.RowLink = append(p.RowLink, base+id+"?f=html")
	}
	return p
}

// apiPage is the service-doc: the operations of the OpenAPI document.
func apiPage(serverBase string) htmlPage {
	p := htmlPage{Title: "API de l'atlas", Summary: "Description OpenAPI 3.0 : " + serverBase + "/api",
		Links: []ogcapi.Link{{Href: serverBase + "/api", Rel: "service-desc", Type: ogcapi.TypeOpenAPI, Title: "OpenAPI 3.0 (JSON)"}}}
	p.Headers = []string{"chemin", "méthode", "groupe", "résumé"}
	ops := ogcapi.Operations()
	sort.SliceStable(ops, func(a, b int) bool { return ops[a].Path < ops[b].Path })
	for _, op := range ops {
		p.Rows = append(p.Rows, []string{op.Path, op.Method, op.Tag, op.Summary})
		p.RowLink = append(p.RowLink, "")
	}
	return p
}
