package postgis

import (
	"encoding/binary"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// SRID of every stored geometry: WGS84 longitude/latitude.
const SRID = 4326

// This file is the only place that converts between the atlas's orb
// geometries and the database's EWKB (through go-geom). Coordinates are
// copied as float64 both ways, so a round trip is exact, and the geometry
// type (Polygon or MultiPolygon) is kept.

// encodeEWKB returns the little-endian EWKB (SRID 4326) of a Polygon or
// MultiPolygon.
func encodeEWKB(g orb.Geometry) ([]byte, error) {
	var t geom.T
	switch g := g.(type) {
	case orb.Polygon:
		p, err := toGeomPolygon(g)
		if err != nil {
			return nil, err
		}
		t = p
	case orb.MultiPolygon:
		mp := geom.NewMultiPolygon(geom.XY).SetSRID(SRID)
		for _, p := range g {
			gp, err := toGeomPolygon(p)
			if err != nil {
				return nil, err
			}
			if err := mp.Push(gp); err != nil {
				return nil, err
			}
		}
		t = mp
	default:
		return nil, fmt.Errorf("postgis: want a Polygon or MultiPolygon, got %T", g)
	}
	return ewkb.Marshal(t, binary.LittleEndian)
}

func toGeomPolygon(p orb.Polygon) (*geom.Polygon, error) {
	n := 0
	for _, r := range p {
		n += len(r)
	}
	flat := make([]float64, 0, 2*n)
	ends := make([]int, 0, len(p))
	for _, r := range p {
		for _, pt := range r {
			flat = append(flat, pt[0], pt[1])
		}
		ends = append(ends, len(flat))
	}
	return geom.NewPolygonFlat(geom.XY, flat, ends).SetSRID(SRID), nil
}

// decodeEWKB parses the EWKB of a Polygon or MultiPolygon into orb.
func decodeEWKB(b []byte) (orb.Geometry, error) {
	t, err := ewkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("postgis: decode EWKB: %w", err)
	}
	switch t := t.(type) {
	case *geom.Polygon:
		return fromGeomPolygon(t.Layout().Stride(), t.FlatCoords(), t.Ends()), nil
	case *geom.MultiPolygon:
		stride := t.Layout().Stride()
		flat := t.FlatCoords()
		out := make(orb.MultiPolygon, 0, t.NumPolygons())
		start := 0
		for _, ends := range t.Endss() {
			rel := make([]int, len(ends))
			for i, e := range ends {
				rel[i] = e - start
			}
			end := start
			if len(ends) > 0 {
				end = ends[len(ends)-1]
			}
			out = append(out, fromGeomPolygon(stride, flat[start:end], rel))
			start = end
		}
		return out, nil
	default:
		return nil, fmt.Errorf("postgis: want a Polygon or MultiPolygon, got %T", t)
	}
}

func fromGeomPolygon(stride int, flat []float64, ends []int) orb.Polygon {
	out := make(orb.Polygon, 0, len(ends))
	start := 0
	for _, end := range ends {
		ring := make(orb.Ring, 0, (end-start)/stride)
		for i := start; i < end; i += stride {
			ring = append(ring, orb.Point{flat[i], flat[i+1]})
		}
		out = append(out, ring)
		start = end
	}
	return out
}
