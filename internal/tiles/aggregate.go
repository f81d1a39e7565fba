package tiles

import (
	"cmp"
	"context"
	"encoding/binary"
	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"math"
	"reflect"
	"slices"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// memo returns the value of key in c, built with build on first use and
// charged to the budget at its size once built (see cache.SizeOf): what it
// shares with the snapshot, the selection and the other cached structures
// is not counted. Values must not change once built. The structures of the
// unfiltered view, which most requests draw from and which warming builds,
// are pinned (pin): a burst of filtered requests does not evict them.
func memo[V any](c *cache.Cache[any], key string, pin bool, build func() V) V {
	return c.Memo(key, pin, func() (any, int64) {
		v := build()
		return v, cache.SizeOf(v, shared)
	}, nil).(V)
}

// shared reports the pointer types whose targets a cached structure shares
// with others (see memo). A *mvt.Dict is the base a property table extends:
// a point layer's pointTable, cached and charged on its own.
func shared(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[*index.Snapshot](), reflect.TypeFor[*index.Selection](),
		reflect.TypeFor[*pointTable](), reflect.TypeFor[*arcAggregates](), reflect.TypeFor[*mvt.Dict]():
		return true
	}
	return false
}

// ---------------------------------------------------------------------------
// Point clusters

// clusterSet is the grid clustering of one point layer's selected features
// at one zoom: cells of ClusterCellUnits in the global world grid, grouped by
// the tile that holds them.
type clusterSet struct {
	tiles    map[uint64][2]int32 // tile key → [lo, hi) in clusters
	clusters []cluster
	props    *mvt.PropTable // of the clusters of more than one member
	points   *pointTable    // the point layer's, which props extends
}

type cluster struct {
	lon, lat float64 // members' mean, WGS84
	x, y     float64 // the same in world units of the set's zoom
	n        int32   // members
	first    int32   // the member when n == 1
	pships   int32   // sum of the members' matching partnerships
	byType   [4]int32
	country  int32 // dominant country (index in Dataset().Countries), partners
	cell     uint64
	tile     uint64
}

func tileKey(x, y uint64) uint64 { return x<<32 | y }

func (r *Renderer) clusters(j *job, layer string) *clusterSet {
	key := j.fkey + "/clusters/" + layer + "/" + strconv.Itoa(j.fr.z)
	return memo(r.aggs, key, j.pin, func() *clusterSet { return buildClusters(j.snap, j.sel, j.f, layer, j.fr.z, j.pprops) })
}

func buildClusters(snap *index.Snapshot, sel *index.Selection, f atlas.Filter, layer string, z int, points *pointTable) *clusterSet {
	ds := snap.Dataset()
	var members []int32
	if layer == index.LayerAuthorities {
		members = sel.Authorities()
	} else {
		members = sel.Partners()
	}
	ws := worldSize(z)
	byCell := map[uint64]int32{}
	var cs []cluster
	type cc struct{ cl, country int32 }
	countries := map[cc]int32{}
	for _, i := range members {
		p := snap.Point(layer, i)
		if f.BBox != nil && !f.BBox.Contains(p) {
			continue
		}
		x, y := toWorld(p, ws)
		cx := uint64(math.Max(0, math.Min(ws-1, x)) / ClusterCellUnits)
		cy := uint64(math.Max(0, math.Min(ws-1, y)) / ClusterCellUnits)
		cell := cx<<32 | cy
		k, ok := byCell[cell]
		if !ok {
			k = int32(len(cs))
			byCell[cell] = k
			cs = append(cs, cluster{first: i, cell: cell, tile: tileKey(cx*ClusterCellUnits/Extent, cy*ClusterCellUnits/Extent)})
		}
		c := &cs[k]
		c.n++
		c.lon += p[0]
		c.lat += p[1]
		if layer == index.LayerAuthorities {
			c.pships += int32(sel.AuthorityCount(i))
			switch snap.AuthorityTypeOf(i) {
			case atlas.Region:
				c.byType[0]++
			case atlas.Departement:
				c.byType[1]++
			case atlas.Groupement:
				c.byType[2]++
			default:
				c.byType[3]++
			}
		} else {
			c.pships += int32(sel.PartnerCount(i))
			countries[cc{k, snap.CountryIndex(ds.Partners[i].Country)}]++
		}
	}
	if layer == index.LayerPartners {
		best := make([]int32, len(cs))
		for k := range cs {
			cs[k].country = -1
		}
		for k, n := range countries {
			c := &cs[k.cl]
			if n > best[k.cl] || (n == best[k.cl] && k.country < c.country) {
				best[k.cl], c.country = n, k.country
			}
		}
	}
	for k := range cs {
		c := &cs[k]
		c.lon /= float64(c.n)
		c.lat /= float64(c.n)
		c.x, c.y = toWorld(orb.Point{c.lon, c.lat}, ws)
	}
	slices.SortFunc(cs, func(a, b cluster) int {
		if c := cmp.Compare(a.tile, b.tile); c != 0 {
			return c
		}
		return cmp.Compare(a.cell, b.cell)
	})
	set := &clusterSet{tiles: map[uint64][2]int32{}, clusters: cs}
	// The clusters' dictionary extends the points', so that a tile's
	// clusters and single points are written from one dictionary.
	set.points = points
	set.props = mvt.NewPropTableOn(&points.Dict, len(cs), func(k int, sink mvt.Sink) {
		c := &cs[k]
		if c.n == 1 {
			return // drawn as its member
		}
		sink.Bool("cluster", true)
		sink.Int("count", int(c.n))
		sink.Int("partnerships", int(c.pships))
		if layer == index.LayerAuthorities {
			for t, k := range typeCountKeys {
				sink.Int(k, int(c.byType[t]))
			}
		} else if c.country >= 0 {
			sink.String("country", ds.Countries[c.country].ISO2)
			sink.String("country_name", ds.Countries[c.country].NameFR)
		}
	})
	for lo := 0; lo < len(cs); {
		hi := lo + 1
		for hi < len(cs) && cs[hi].tile == cs[lo].tile {
			hi++
		}
		set.tiles[cs[lo].tile] = [2]int32{int32(lo), int32(hi)}
		lo = hi
	}
	return set
}

var typeCountKeys = [4]string{"count_region", "count_departement", "count_groupement", "count_commune"}

func (j *job) drawClusters(layer string, cs *clusterSet) error {
	fr := &j.fr
	n := int64(1) << fr.z
	for dy := int64(-1); dy <= 1; dy++ {
		for dx := int64(-1); dx <= 1; dx++ {
			tx, ty := int64(j.t.X)+dx, int64(j.t.Y)+dy
			if tx < 0 || ty < 0 || tx >= n || ty >= n {
				continue
			}
			span, ok := cs.tiles[tileKey(uint64(tx), uint64(ty))]
			if !ok {
				continue
			}
			if err := j.ctx.Err(); err != nil {
				return err
			}
			for k := span[0]; k < span[1]; k++ {
				c := &cs.clusters[k]
				// (For a cluster of one, its position is its member's.)
				p := orb.Point{c.x - fr.ox, c.y - fr.oy}
				if !fr.inBox(p[0], p[1]) {
					continue
				}
				if c.n == 1 {
					j.pointFeature(cs.points, &cs.props.Dict, layer, c.first, p)
					continue
				}
				e := &j.enc
				e.Begin()
				e.DictTags(&cs.props.Dict, cs.props.Of(int(k)))
				e.Point(p[0], p[1])
				e.End()
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Arc aggregates

// Aggregation levels of arcs, finest first.
var aggLevelNames = [3]string{"authority", "departement", "region"}

// arcAggregates groups a filter's selected partnerships by (French
// authority, country), (département, country) and (région, country).
type arcAggregates struct {
	levels [3]aggLevel
}

type aggLevel struct {
	groups []aggGroup
	// The groups' properties: groupTags pairs of ids into dict per group;
	// and the same as the payload of a packed tags field, for a layer whose
	// dictionary is dict whole (see mvt.Layer.UseWhole): group k's is
	// raw[rawOff[k]:rawOff[k+1]].
	dict   mvt.Dict
	tags   []uint32
	raw    []byte
	rawOff []int32
}

// rawTags returns group k's tags in the ids of its level's dictionary.
func (lv *aggLevel) rawTags(k int) []byte { return lv.raw[lv.rawOff[k]:lv.rawOff[k+1]] }

// groupTags is the number of property ids of a group: cluster, count,
// country, country_name, level, key, name.
const groupTags = 14

type aggGroup struct {
	key, name string
	country   int32     // index in Dataset().Countries
	from, to  orb.Point // members' mean French point, country label point
	n         int32
}

func (r *Renderer) aggregates(j *job) *arcAggregates {
	return memo(r.aggs, j.fkey+"/arcs", j.pin, func() *arcAggregates { return buildAggregates(j.snap, j.sel, j.f) })
}

func buildAggregates(snap *index.Snapshot, sel *index.Selection, f atlas.Filter) *arcAggregates {
	ds := snap.Dataset()
	agg := &arcAggregates{}
	type acc struct {
		lon, lat float64
		n        int32
		key      int64
		country  int32
	}
	// Group keys: the authority index (level 0), the département or région
	// index (levels 1 and 2; -2-r for a région without départements at
	// level 1), or, for an area without a boundary (an overseas
	// collectivity), unbounded-idx where idx numbers its code in codes.
	const unbounded = -1 << 40
	type gk struct {
		key     int64
		country int32
	}
	var codes []string
	codeIdx := map[string]int64{}
	byCode := func(code string) int64 {
		k, ok := codeIdx[code]
		if !ok {
			k = unbounded - int64(len(codes))
			codeIdx[code] = k
			codes = append(codes, code)
		}
		return k
	}
	var maps [3]map[gk]int32
	var accs [3][]acc
	for l := range maps {
		maps[l] = map[gk]int32{}
	}
	for _, i := range sel.Partnerships() {
		if f.BBox != nil && !snap.Intersects(index.LayerPartnerships, i, *f.BBox) {
			continue
		}
		a, _ := snap.PartnershipEnds(i)
		c := snap.PartnershipCountry(i)
		reg, dep := snap.AuthorityAreas(a)
		keys := [3]int64{int64(a), int64(dep), int64(reg)}
		switch {
		case dep >= 0:
		case reg >= 0:
			keys[1] = -2 - int64(reg) // a région stands for itself at the département level
		default:
			keys[1] = byCode(cmp.Or(ds.Authorities[a].Departement, ds.Authorities[a].Region))
		}
		if reg < 0 {
			keys[2] = byCode(ds.Authorities[a].Region)
		}
		p := ds.Authorities[a].Point
		for l, k := range keys {
			mk := gk{k, c}
			g, ok := maps[l][mk]
			if !ok {
				g = int32(len(accs[l]))
				maps[l][mk] = g
				accs[l] = append(accs[l], acc{key: k, country: c})
			}
			ac := &accs[l][g]
			ac.lon += p[0]
			ac.lat += p[1]
			ac.n++
		}
	}
	for l := range accs {
		lv := &agg.levels[l]
		for _, ac := range accs[l] {
			g := aggGroup{country: ac.country, n: ac.n,
				from: orb.Point{ac.lon / float64(ac.n), ac.lat / float64(ac.n)},
				to:   ds.Countries[ac.country].Label}
			switch {
			case l == 0:
				g.key, g.name = ds.Authorities[ac.key].ID, ds.Authorities[ac.key].Name
			case ac.key <= unbounded && l == 1:
				g.key = codes[unbounded-ac.key]
				g.name = snap.DepartementName(g.key)
			case ac.key <= unbounded:
				g.key = codes[unbounded-ac.key]
				g.name = snap.RegionName(g.key)
			case ac.key >= 0 && l == 1:
				g.key, g.name = ds.DepartementShapes[ac.key].ID, ds.DepartementShapes[ac.key].Name
			case ac.key >= 0:
				g.key, g.name = ds.RegionShapes[ac.key].ID, ds.RegionShapes[ac.key].Name
			default:
				r := -2 - ac.key
				g.key, g.name = ds.RegionShapes[r].ID, ds.RegionShapes[r].Name
			}
			lv.groups = append(lv.groups, g)
		}
		// One order whatever the selection's: by key, country, then name
		// and French point, since a région standing for itself at the
		// département level may have a département's code (Guadeloupe's
		// 01 is Ain's). A write then moves only the groups it changes.
		slices.SortFunc(lv.groups, func(a, b aggGroup) int {
			return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.country, b.country), cmp.Compare(a.name, b.name),
				cmp.Compare(a.from[0], b.from[0]), cmp.Compare(a.from[1], b.from[1]))
		})
		d, tags := &lv.dict, make([]uint32, 0, groupTags*len(lv.groups))
		for _, g := range lv.groups {
			tags = d.AppendBool(tags, "cluster", true)
			tags = d.AppendInt(tags, "count", int64(g.n))
			tags = d.AppendString(tags, "country", ds.Countries[g.country].ISO2)
			tags = d.AppendString(tags, "country_name", ds.Countries[g.country].NameFR)
			tags = d.AppendString(tags, "level", aggLevelNames[l])
			tags = d.AppendString(tags, "key", g.key)
			tags = d.AppendString(tags, "name", g.name)
		}
		lv.tags = tags
		d.Seal(false)
		lv.rawOff = make([]int32, 0, len(lv.groups)+1)
		for k := range lv.groups {
			lv.rawOff = append(lv.rawOff, int32(len(lv.raw)))
			for _, id := range tags[groupTags*k : groupTags*(k+1)] {
				lv.raw = binary.AppendUvarint(lv.raw, uint64(id))
			}
		}
		lv.rawOff = append(lv.rawOff, int32(len(lv.raw)))
	}
	return agg
}

// ---------------------------------------------------------------------------
// Boundaries

// ShapeMaxZoom is the zoom whose simplification serves every higher zoom:
// at z10, 3 tile units are about 20 m over France, finer than the
// generalisation of the embedded boundaries (0.001°, about 80 m; Natural
// Earth 1:50m for countries), so higher zooms would add no detail.
const ShapeMaxZoom = 10

// shapeSet is one boundary layer projected to world units at zoom z and
// simplified for it.
type shapeSet struct {
	z      int
	shapes []shape
	cut    *shapeCut // at zooms up to ShapeCutMaxZoom
}

// ShapeCutMaxZoom is the largest zoom whose boundary tiles are cut once,
// when the shapes are made: up to it, every tile's boundary geometry is
// kept (a few MB for the three layers), and drawing a tile copies it.
const ShapeCutMaxZoom = 8

// shapeCut is a shape set's geometry cut in the tiles of its zoom: the
// features of tile tiles[i] are feats[off[i]:off[i+1]], by shape.
type shapeCut struct {
	tiles []uint64
	off   []int32
	feats []cutFeat
	geom  []byte
}

// cutFeat is the geometry of a shape in a tile: MVT commands, geom[off:]
// up to the next feature's.
type cutFeat struct {
	shape, off int32
}

func (c *shapeCut) geomOf(k int) []byte {
	end := len(c.geom)
	if k+1 < len(c.feats) {
		end = int(c.feats[k+1].off)
	}
	return c.geom[c.feats[k].off:end]
}

// cutShapes cuts bs in every tile of its zoom, as eachShape draws them.
func cutShapes(snap *index.Snapshot, layer string, bs *shapeSet) *shapeCut {
	c := &shapeCut{}
	j := &job{ctx: context.Background(), snap: snap}
	n := uint32(1) << bs.z
	for x := range n {
		for y := range n {
			t := maptile.New(x, y, maptile.Zoom(bs.z))
			j.t, j.fr = t, newFrame(t)
			first := len(c.feats)
			j.eachShape(layer, bs, func(i int32) {
				c.feats = append(c.feats, cutFeat{i, int32(len(c.geom))})
				c.geom = append(c.geom, j.enc.Geometry()...)
			})
			if len(c.feats) > first {
				c.tiles = append(c.tiles, tileKey(uint64(x), uint64(y)))
				c.off = append(c.off, int32(first))
			}
		}
	}
	c.off = append(c.off, int32(len(c.feats)))
	// Tiles by key: x, then y, as made.
	c.geom = slices.Clip(c.geom)
	return c
}

type shape struct {
	polys []worldPoly
	bound orb.Bound // world units
}

// worldPoly is a polygon in integer world units, ready to encode.
type worldPoly struct {
	bound orb.Bound
	rings []worldRing // the exterior first
}

// worldRing is a ring without its closing point nor consecutive duplicate
// points, oriented as MVT wants (exterior rings positive in y-down
// coordinates, holes negative), kept as MVT geometry: first and last points
// and cmds, the encoded commands after the first MoveTo (LineTo with the
// zigzag deltas, ClosePath), which are the same in every tile that holds the
// whole ring.
type worldRing struct {
	first, last [2]int32
	cmds        []byte
	// A long ring is cut into spans of ringSpanSteps steps, so that a tile
	// that holds part of it skips the spans beyond one of its sides
	// without decoding them.
	spans []ringSpan
}

// ringSpan is a run of a ring's steps: from point (x, y), n steps whose
// parameters start at offset off of cmds; bounds hold all its points, the
// point it ends on included.
type ringSpan struct {
	x, y     int32
	off, n   int32
	min, max [2]int32
}

const ringSpanSteps = 64

// points appends the ring's points (world units times scale, less the
// origin) to dst, but for the points of a span whose bounds lie beyond one
// side of wb (world units): of those, only the first. What is dropped lies
// beyond a side of the tile with its neighbours, where clipping to the tile
// would drop it too.
func (r *worldRing) points(dst []orb.Point, scale, ox, oy float64, wb orb.Bound) []orb.Point {
	if r.spans == nil {
		lineTo, k := binary.Uvarint(r.cmds)
		return decodeSteps(dst, r.cmds[k:], int(lineTo>>3), int64(r.first[0]), int64(r.first[1]), scale, ox, oy)
	}
	for _, s := range r.spans {
		if float64(s.max[0]) < wb.Min[0] || float64(s.min[0]) > wb.Max[0] || float64(s.max[1]) < wb.Min[1] || float64(s.min[1]) > wb.Max[1] {
			dst = append(dst, orb.Point{float64(s.x)*scale - ox, float64(s.y)*scale - oy})
			continue
		}
		// The span's points but the one it ends on, which starts the next.
		dst = decodeSteps(dst, r.cmds[s.off:], int(s.n)-1, int64(s.x), int64(s.y), scale, ox, oy)
	}
	return append(dst, orb.Point{float64(r.last[0])*scale - ox, float64(r.last[1])*scale - oy})
}

// decodeSteps appends point (x, y) and the n points after it, decoded from
// their zigzag varint deltas in b (world units times scale, less the
// origin).
func decodeSteps(dst []orb.Point, b []byte, n int, x, y int64, scale, ox, oy float64) []orb.Point {
	dst = append(dst, orb.Point{float64(x)*scale - ox, float64(y)*scale - oy})
	for range n {
		var dx, dy int64
		dx, b = unzzVarint(b)
		dy, b = unzzVarint(b)
		x += dx
		y += dy
		dst = append(dst, orb.Point{float64(x)*scale - ox, float64(y)*scale - oy})
	}
	return dst
}

// unzzVarint decodes a zigzag varint at the start of b and returns the rest.
func unzzVarint(b []byte) (int64, []byte) {
	if b[0] < 0x80 {
		return unzz(uint64(b[0])), b[1:]
	}
	u, k := binary.Uvarint(b)
	return unzz(u), b[k:]
}

func unzz(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

// newWorldRing rounds a ring to integer world units, as the encoder writes
// a ring (e is scratch); it reports false when nothing with an area is left.
func newWorldRing(e *mvt.Layer, r orb.Ring, exterior bool) (worldRing, bool) {
	e.Begin()
	if !e.Ring(r, exterior) {
		return worldRing{}, false
	}
	// The MoveTo, from the origin, holds the first point; the cursor ends on
	// the last.
	x, rest := unzzVarint(e.Geometry()[1:])
	y, rest := unzzVarint(rest)
	ex, ey := e.Cursor()
	wr := worldRing{
		first: [2]int32{int32(x), int32(y)},
		last:  [2]int32{int32(ex), int32(ey)},
		cmds:  slices.Clone(rest),
	}
	lineTo, k := binary.Uvarint(wr.cmds)
	if steps := int32(lineTo >> 3); steps > 2*ringSpanSteps {
		b := wr.cmds[k:]
		for i := int32(0); i < steps; i++ {
			if i%ringSpanSteps == 0 {
				wr.spans = append(wr.spans, ringSpan{x: int32(x), y: int32(y), off: int32(len(wr.cmds) - len(b)), n: min(ringSpanSteps, steps-i),
					min: [2]int32{int32(x), int32(y)}, max: [2]int32{int32(x), int32(y)}})
			}
			var dx, dy int64
			dx, b = unzzVarint(b)
			dy, b = unzzVarint(b)
			x += dx
			y += dy
			s := &wr.spans[len(wr.spans)-1]
			s.min = [2]int32{min(s.min[0], int32(x)), min(s.min[1], int32(y))}
			s.max = [2]int32{max(s.max[0], int32(x)), max(s.max[1], int32(y))}
		}
	}
	return wr, true
}

// shapeTolerance is the Douglas-Peucker tolerance of boundaries at zoom z,
// in tile units: hard at low zoom, where boundaries are the basemap.
func shapeTolerance(z int) float64 {
	switch {
	case z <= 2:
		return 24
	case z <= 4:
		return 12
	case z <= 6:
		return 6
	}
	return 3
}

func (r *Renderer) shapes(snap *index.Snapshot, layer string, z int) *shapeSet {
	// The boundaries belong to the places: a write of partnerships keeps
	// them (see index.Snapshot.PlacesVersion).
	key := snap.PlacesVersion() + "/shapes/" + layer
	return memo(r.aggs, key, true, func() *[ShapeMaxZoom + 1]*shapeSet { return buildShapeSets(snap, layer, ShapeCutMaxZoom) })[min(z, ShapeMaxZoom)]
}

// buildShapeSets returns the shape sets of a boundary layer at zooms 0 to
// ShapeMaxZoom, made together from the shapes projected once. The sets of
// zooms up to cutMax are cut in their tiles, and keep no polygons.
func buildShapeSets(snap *index.Snapshot, layer string, cutMax int) *[ShapeMaxZoom + 1]*shapeSet {
	ds := snap.Dataset()
	var bs []atlas.Boundary
	switch layer {
	case index.LayerCountries:
		bs = ds.CountryShapes
	case index.LayerRegions:
		bs = ds.RegionShapes
	default:
		bs = ds.DepartementShapes
	}
	// The shapes projected to a world one unit wide (see
	// appendWorldPolygon).
	unit := make([]orb.MultiPolygon, len(bs))
	for i, b := range bs {
		var mp orb.MultiPolygon
		switch g := b.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		}
		for _, poly := range mp {
			unit[i] = appendWorldPolygon(unit[i], poly, 1)
		}
	}
	var sets [ShapeMaxZoom + 1]*shapeSet
	for z := range sets {
		sets[z] = buildShapes(unit, z)
		if z <= cutMax {
			sets[z].cut = cutShapes(snap, layer, sets[z])
			for i := range sets[z].shapes {
				sets[z].shapes[i].polys = nil
			}
		}
	}
	return &sets
}

// buildShapes returns the shapes of unit (see buildShapeSets) at zoom z.
func buildShapes(unit []orb.MultiPolygon, z int) *shapeSet {
	ws := worldSize(z)
	tol := shapeTolerance(z)
	dp := simplify.DouglasPeucker(tol)
	var enc mvt.Layer // scratch: rings are rounded and oriented as tiles write them
	set := &shapeSet{z: z, shapes: make([]shape, len(unit))}
	for i := range unit {
		s := &set.shapes[i]
		s.bound = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
		wmp := unit[i]
		largest := largestPolygon(wmp)
		for pi, upoly := range wmp {
			var out worldPoly
			for k, ur := range upoly {
				wr := make(orb.Ring, len(ur))
				for n, p := range ur {
					wr[n] = orb.Point{p[0] * ws, p[1] * ws}
				}
				full := wr
				wr = dp.Ring(slices.Clone(full))
				if len(wr) < 4 || math.Abs(ringArea(wr)) < tol*tol {
					if k == 0 && pi == largest {
						// Every shape keeps its main polygon, however small.
						wr = simplify.DouglasPeucker(tol / 16).Ring(full)
					} else if k == 0 {
						break
					} else {
						continue
					}
				}
				r, ok := newWorldRing(&enc, wr, k == 0)
				if !ok {
					if k == 0 {
						break
					}
					continue
				}
				if k == 0 {
					out.bound = wr.Bound()
				}
				out.rings = append(out.rings, r)
			}
			if len(out.rings) == 0 {
				continue
			}
			s.polys = append(s.polys, out)
			s.bound = s.bound.Union(out.bound)
		}
	}
	return set
}

func largestPolygon(mp orb.MultiPolygon) int {
	best, ba := -1, -1.0
	for i, p := range mp {
		if len(p) == 0 {
			continue
		}
		if a := math.Abs(ringArea(p[0])); a > ba {
			best, ba = i, a
		}
	}
	return best
}

func ringArea(r orb.Ring) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// CacheSize returns the current size of the rendered-tile cache, in bytes.
func (r *Renderer) CacheSize() int64 {
	for _, st := range r.budget.Stats() {
		if st.Name == "tiles" {
			return st.Bytes
		}
	}
	return 0
}

// Budget returns the memory budget the renderer's caches are charged to.
func (r *Renderer) Budget() *cache.Budget { return r.budget }
