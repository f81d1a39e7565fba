package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"

	"github.com/atlas-cooperation/atlas/internal/dataset"
	wire "github.com/atlas-cooperation/atlas/internal/encoding/geojson"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

// boundarySource is a raw boundary file, under "boundaries/" in the sources.
type boundarySource struct {
	name      string  // file name, in the sources' boundaries/ and in the dataset
	idProp    string  // property holding the id
	nameProp  string  // property holding the name
	tolerance float64 // Douglas-Peucker tolerance in degrees, 0 keeps every vertex
}

// boundarySources returns the raw boundary files, by output name.
func boundarySources() []boundarySource {
	return []boundarySource{
		{dataset.CountryShapes, "iso2", "name_fr", 0}, // Natural Earth 1:50m is already generalised
		{dataset.RegionShapes, "code", "nom", 0.001},  // IGN: ≈ 100 m, below a pixel up to zoom 10
		{dataset.DepartementShape, "code", "nom", 0.001},
	}
}

// coordDecimals is the precision of written boundary coordinates (≈ 1 m).
const coordDecimals = 5

// WriteBoundaries writes the three boundary GeoJSON files of a dataset into
// dir from the raw files in src ("boundaries/<name>"): coordinates rounded to
// 5 decimals, French boundaries simplified (Douglas-Peucker, 0.001°) ring by
// ring (a ring that would collapse keeps its vertices), properties reduced to
// the id and name the atlas reads. The output is deterministic.
func WriteBoundaries(dir string, src fs.FS) error {
	for _, b := range boundarySources() {
		data, err := fs.ReadFile(src, "boundaries/"+b.name)
		if err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(data)
		if err != nil {
			return fmt.Errorf("dataset: boundaries/%s: %w", b.name, err)
		}
		var buf bytes.Buffer
		buf.WriteString(`{"type":"FeatureCollection","features":[`)
		for i, f := range fc.Features {
			id, _ := f.Properties[b.idProp].(string)
			nm, _ := f.Properties[b.nameProp].(string)
			if id == "" || nm == "" {
				return fmt.Errorf("dataset: boundaries/%s: feature %d lacks %q or %q", b.name, i, b.idProp, b.nameProp)
			}
			g, err := generalise(f.Geometry, b.tolerance)
			if err != nil {
				return fmt.Errorf("dataset: boundaries/%s: feature %q: %w", b.name, id, err)
			}
			if i > 0 {
				buf.WriteString(",\n")
			}
			props, _ := json.Marshal(map[string]string{b.idProp: id, b.nameProp: nm})
			idj, _ := json.Marshal(id)
			fmt.Fprintf(&buf, `{"type":"Feature","id":%s,"properties":%s,"geometry":`, idj, props)
			buf.Write(wire.AppendGeometry(nil, g))
			buf.WriteByte('}')
		}
		buf.WriteString("]}\n")
		if err := dataset.WriteFile(filepath.Join(dir, b.name), func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
			return fmt.Errorf("dataset: write %s: %w", b.name, err)
		}
	}
	return nil
}

func generalise(g orb.Geometry, tolerance float64) (orb.Geometry, error) {
	poly := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, 0, len(p))
		for _, r := range p {
			r2 := roundRing(r)
			if tolerance > 0 {
				if s := simplify.DouglasPeucker(tolerance).Ring(r2.Clone()); len(s) >= 4 {
					r2 = s
				}
			}
			if len(r2) >= 4 {
				out = append(out, r2)
			}
		}
		return out
	}
	switch g := g.(type) {
	case orb.Polygon:
		return poly(g), nil
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, 0, len(g))
		for _, p := range g {
			if q := poly(p); len(q) > 0 {
				out = append(out, q)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("want Polygon or MultiPolygon, got %s", g.GeoJSONType())
}

// roundRing rounds a ring's coordinates and drops repeated vertices.
func roundRing(r orb.Ring) orb.Ring {
	scale := math.Pow10(coordDecimals)
	out := make(orb.Ring, 0, len(r))
	for _, p := range r {
		q := orb.Point{math.Round(p[0]*scale) / scale, math.Round(p[1]*scale) / scale}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}
