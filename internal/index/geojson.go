package index

import (
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/encoding/geojson"
)

// GeoJSONDecimals is the number of decimals of coordinates in GeoJSON output.
const GeoJSONDecimals = geojson.Decimals

// AppendFeature appends feature i of layer under sel to dst as a GeoJSON
// Feature (RFC 7946) and returns the extended slice. It writes the same
// members as json.Marshal(s.Feature(layer, i, sel)), with coordinates rounded
// to GeoJSONDecimals, without reflection: it is the fast path for streaming
// large collections.
func (s *Snapshot) AppendFeature(dst []byte, layer string, i int32, sel *Selection) []byte {
	ds := s.ds
	dst = append(dst, `{"type":"Feature","id":`...)
	dst = geojson.AppendString(dst, s.FeatureID(layer, i))
	dst = append(dst, `,"geometry":`...)
	dst = geojson.AppendGeometry(dst, s.Geometry(layer, i))
	dst = append(dst, `,"properties":{`...)
	w := propWriter{dst: dst}
	switch layer {
	case LayerPartnerships:
		p := ds.Partnerships[i]
		a := ds.Authorities[s.pAuth[i]]
		pt := ds.Partners[s.pPartner[i]]
		w.str("id", p.ID)
		w.str("authority_id", a.ID)
		w.str("authority_name", a.Name)
		w.str("authority_type", string(a.Type))
		w.str("partner_id", pt.ID)
		w.str("partner_name", pt.Name)
		w.str("country", pt.Country)
		w.str("country_name", ds.Countries[s.pCountry[i]].NameFR)
		w.str("kind", string(p.Kind))
		w.bool("active", p.Active)
		w.str("provenance", string(p.Provenance))
		if len(p.Sources) > 0 {
			w.key("sources")
			w.dst = append(w.dst, '[')
			for k, src := range sourceList(p.Sources).items {
				if k > 0 {
					w.dst = append(w.dst, ',')
				}
				w.dst = geojson.AppendString(w.dst, src)
			}
			w.dst = append(w.dst, ']')
		}
		w.key("themes")
		w.dst = append(w.dst, '[')
		n := 0
		for t, th := range themeBits {
			if s.pThemes[i]&(1<<t) != 0 {
				if n > 0 {
					w.dst = append(w.dst, ',')
				}
				w.dst = geojson.AppendString(w.dst, th.Slug)
				n++
			}
		}
		w.dst = append(w.dst, ']')
		w.key("projects")
		w.dst = append(w.dst, '[')
		for k, pr := range s.pProjects[i] {
			if k > 0 {
				w.dst = append(w.dst, ',')
			}
			w.dst = appendProject(w.dst, ds.Projects[pr].ID, ds.Projects[pr].Title, ds.Projects[pr].Themes, ds.Projects[pr].StartYear, string(ds.Projects[pr].Provenance))
		}
		w.dst = append(w.dst, ']')
		if p.StartYear != 0 {
			w.int("start_year", p.StartYear)
		}
	case LayerAuthorities:
		a := ds.Authorities[i]
		w.str("id", a.ID)
		w.str("name", a.Name)
		w.str("type", string(a.Type))
		w.str("code", a.Code)
		w.str("departement", a.Departement)
		w.str("region", a.Region)
		w.int("partnerships", sel.AuthorityCount(i))
		if a.Population != 0 {
			w.int("population", a.Population)
		}
	case LayerPartners:
		p := ds.Partners[i]
		w.str("id", p.ID)
		w.str("name", p.Name)
		w.str("country", p.Country)
		w.str("country_name", ds.Countries[s.countryByID[p.Country]].NameFR)
		w.int("partnerships", sel.PartnerCount(i))
		if p.Subdivision != "" {
			w.str("subdivision", p.Subdivision)
		}
		if p.Population != 0 {
			w.int("population", p.Population)
		}
	default:
		// Boundary layers are few and small: reuse Properties.
		for _, k := range boundaryKeys(layer) {
			switch v := s.Properties(layer, i, sel)[k].(type) {
			case string:
				w.str(k, v)
			case int:
				w.int(k, v)
			}
		}
	}
	return append(w.dst, "}}"...)
}

func boundaryKeys(layer string) []string {
	if layer == LayerCountries {
		return []string{"iso2", "name", "name_en", "partnerships", "projects"}
	}
	return []string{"code", "name", "partnerships", "projects"}
}

type propWriter struct {
	dst []byte
	n   int
}

func (w *propWriter) key(k string) {
	if w.n > 0 {
		w.dst = append(w.dst, ',')
	}
	w.n++
	w.dst = geojson.AppendString(w.dst, k)
	w.dst = append(w.dst, ':')
}

func (w *propWriter) str(k, v string) { w.key(k); w.dst = geojson.AppendString(w.dst, v) }
func (w *propWriter) int(k string, v int) {
	w.key(k)
	w.dst = strconv.AppendInt(w.dst, int64(v), 10)
}
func (w *propWriter) bool(k string, v bool) { w.key(k); w.dst = strconv.AppendBool(w.dst, v) }

func appendProject(dst []byte, id, title string, themes []string, year int, prov string) []byte {
	dst = append(dst, `{"id":`...)
	dst = geojson.AppendString(dst, id)
	dst = append(dst, `,"title":`...)
	dst = geojson.AppendString(dst, title)
	dst = append(dst, `,"themes":[`...)
	for k, t := range themes {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = geojson.AppendString(dst, t)
	}
	dst = append(dst, ']')
	if year != 0 {
		dst = append(dst, `,"start_year":`...)
		dst = strconv.AppendInt(dst, int64(year), 10)
	}
	dst = append(dst, `,"provenance":`...)
	dst = geojson.AppendString(dst, prov)
	return append(dst, '}')
}
