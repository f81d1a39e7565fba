// Package index is the atlas's immutable in-memory serving snapshot: one
// R-tree (tidwall/rtree) per geometry layer, facet postings per filter facet
// (country, theme, type, kind, provenance, authority, partner, start year),
// and the counts and aggregates the API serves.
//
// A Snapshot is built once by New and never modified afterwards: it is safe
// for concurrent use by any number of goroutines. Reloading builds a new
// Snapshot and publishes it through a Live (atomic swap); requests in flight
// finish on the snapshot they started with.
//
// Every listing is in load order (the order of the dataset slices), which is
// stable across reloads of the same data, so offset/limit paging is stable.
package index

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// ArcSegmentKm is the densification step of partnership arcs in GeoJSON,
// exports and bbox tests: a 200 km chord strays less than 0.8 km from its
// great circle, invisible at any scale a partnership arc is looked at.
const ArcSegmentKm = 200

// Snapshot is an immutable, indexed dataset. The zero value is not usable:
// build one with New.
type Snapshot struct {
	ds      *atlas.Dataset
	version string

	authByID    map[string]int32
	partnerByID map[string]int32
	pshipByID   map[string]int32
	projByID    map[string]int32
	countryByID map[string]int32  // ISO2 → index in ds.Countries
	regionByID  map[string]int32  // INSEE → index in ds.RegionShapes
	deptByID    map[string]int32  // INSEE → index in ds.DepartementShapes
	regionNames map[string]string // région code → name, from the authorities
	deptNames   map[string]string // département code → name, from the authorities
	shapeByISO  map[string]int32  // ISO2 → index in ds.CountryShapes

	// Columns per partnership.
	pAuth    []int32
	pPartner []int32
	pCountry []int32 // index in ds.Countries
	pType    []uint8 // bit of the authority type
	pKind    []uint8 // bit of the kind
	pProv    []uint8 // bit of the provenance
	pYear    []int16
	pThemes  []uint16 // union of its projects' themes
	// The theme sets in use, as slugs (see themeList).
	themeLists map[uint16]themeList
	pProjects  [][]int32
	arcBounds  []orb.Bound // union of the arc's parts

	// Columns per project.
	prPship  []int32
	prThemes []uint16

	// Per authority and partner.
	authRegion []int32 // index in RegionShapes, -1 when unknown
	authDept   []int32 // index in DepartementShapes, -1 when none
	authPships [][]int32
	partPships [][]int32

	// Facet postings: sorted partnership indices.
	byCountry [][]int32 // by country index
	byTheme   [atlas.NumThemes][]int32
	byType    [4][]int32
	byKind    [3][]int32
	byProv    [2][]int32
	byYear    []int32 // partnership indices sorted by (year, index); unknown years first

	trees map[string]*rtree.RTreeG[int32]
	// extents holds each non-empty layer's bounding box, computed on first
	// use (see Extent).
	extents func() map[string]orb.Bound

	// sels caches the selections, charged to the budget of the Live that
	// publishes the snapshot (see Live.UseBudget), or to the snapshot's
	// own (ownSels) before or without one.
	sels    atomic.Pointer[cache.Cache[*Selection]]
	ownOnce sync.Once

	nameIndex []searchEntry
}

var themeBits = atlas.Themes()

func typeBit(t atlas.AuthorityType) uint8 {
	switch t {
	case atlas.Region:
		return 0
	case atlas.Departement:
		return 1
	case atlas.Groupement:
		return 2
	default:
		return 3
	}
}

var typeByBit = [4]atlas.AuthorityType{atlas.Region, atlas.Departement, atlas.Groupement, atlas.Commune}

func kindBit(k atlas.Kind) uint8 {
	switch k {
	case atlas.Jumelage:
		return 0
	case atlas.Cooperation:
		return 1
	default:
		return 2
	}
}

var kindByBit = [3]atlas.Kind{atlas.Jumelage, atlas.Cooperation, atlas.Amitie}

func provBit(p atlas.Provenance) uint8 {
	if p == atlas.Synthetic {
		return 1
	}
	return 0
}

var provByBit = [2]atlas.Provenance{atlas.Real, atlas.Synthetic}

// New indexes ds. ds must be valid (as dataset.Load returns it); New checks
// references again and fails on dangling ones. ds must not be modified
// afterwards: the snapshot keeps it.
func New(ds *atlas.Dataset) (*Snapshot, error) {
	s := &Snapshot{
		ds:          ds,
		authByID:    make(map[string]int32, len(ds.Authorities)),
		partnerByID: make(map[string]int32, len(ds.Partners)),
		pshipByID:   make(map[string]int32, len(ds.Partnerships)),
		projByID:    make(map[string]int32, len(ds.Projects)),
		countryByID: make(map[string]int32, len(ds.Countries)),
		regionByID:  map[string]int32{},
		deptByID:    map[string]int32{},
		regionNames: map[string]string{},
		deptNames:   map[string]string{},
		shapeByISO:  map[string]int32{},
		trees:       map[string]*rtree.RTreeG[int32]{},
	}
	for i, c := range ds.Countries {
		s.countryByID[c.ISO2] = int32(i)
	}
	for i, b := range ds.RegionShapes {
		s.regionByID[b.ID] = int32(i)
	}
	for i, b := range ds.DepartementShapes {
		s.deptByID[b.ID] = int32(i)
	}
	for i, b := range ds.CountryShapes {
		s.shapeByISO[b.ID] = int32(i)
	}
	s.authRegion = make([]int32, len(ds.Authorities))
	s.authDept = make([]int32, len(ds.Authorities))
	for i, a := range ds.Authorities {
		if _, dup := s.authByID[a.ID]; dup {
			return nil, fmt.Errorf("index: duplicate authority %q", a.ID)
		}
		s.authByID[a.ID] = int32(i)
		switch {
		case a.Type == atlas.Region:
			s.regionNames[a.Code] = a.Name
		case a.Type == atlas.Departement && a.Region == a.Code:
			// An overseas collectivity (Polynésie française…) is its own
			// région and département, with no IGN boundary.
			s.regionNames[a.Code], s.deptNames[a.Code] = a.Name, a.Name
		case a.Type == atlas.Departement:
			s.deptNames[a.Code] = a.Name
		}
		s.authRegion[i], s.authDept[i] = -1, -1
		if r, ok := s.regionByID[a.Region]; ok {
			s.authRegion[i] = r
		}
		if d, ok := s.deptByID[a.Departement]; ok {
			s.authDept[i] = d
		}
	}
	for i, p := range ds.Partners {
		if _, dup := s.partnerByID[p.ID]; dup {
			return nil, fmt.Errorf("index: duplicate partner %q", p.ID)
		}
		s.partnerByID[p.ID] = int32(i)
	}
	n := len(ds.Partnerships)
	s.pAuth, s.pPartner, s.pCountry = make([]int32, n), make([]int32, n), make([]int32, n)
	s.pType, s.pKind, s.pProv = make([]uint8, n), make([]uint8, n), make([]uint8, n)
	s.pYear, s.pThemes = make([]int16, n), make([]uint16, n)
	s.pProjects = make([][]int32, n)
	s.arcBounds = make([]orb.Bound, n)
	s.authPships = make([][]int32, len(ds.Authorities))
	s.partPships = make([][]int32, len(ds.Partners))
	s.byCountry = make([][]int32, len(ds.Countries))
	for i, p := range ds.Partnerships {
		i32 := int32(i)
		if _, dup := s.pshipByID[p.ID]; dup {
			return nil, fmt.Errorf("index: duplicate partnership %q", p.ID)
		}
		s.pshipByID[p.ID] = i32
		a, ok := s.authByID[p.AuthorityID]
		if !ok {
			return nil, fmt.Errorf("index: partnership %q: unknown authority %q", p.ID, p.AuthorityID)
		}
		pt, ok := s.partnerByID[p.PartnerID]
		if !ok {
			return nil, fmt.Errorf("index: partnership %q: unknown partner %q", p.ID, p.PartnerID)
		}
		c, ok := s.countryByID[ds.Partners[pt].Country]
		if !ok {
			return nil, fmt.Errorf("index: partner %q: unknown country %q", p.PartnerID, ds.Partners[pt].Country)
		}
		s.pAuth[i], s.pPartner[i], s.pCountry[i] = a, pt, c
		s.pType[i] = typeBit(ds.Authorities[a].Type)
		s.pKind[i] = kindBit(p.Kind)
		s.pProv[i] = provBit(p.Provenance)
		s.pYear[i] = int16(p.StartYear)
		s.authPships[a] = append(s.authPships[a], i32)
		s.partPships[pt] = append(s.partPships[pt], i32)
		s.byCountry[c] = append(s.byCountry[c], i32)
		s.byType[s.pType[i]] = append(s.byType[s.pType[i]], i32)
		s.byKind[s.pKind[i]] = append(s.byKind[s.pKind[i]], i32)
		s.byProv[s.pProv[i]] = append(s.byProv[s.pProv[i]], i32)
	}
	s.prPship = make([]int32, len(ds.Projects))
	s.prThemes = make([]uint16, len(ds.Projects))
	for i, pr := range ds.Projects {
		if _, dup := s.projByID[pr.ID]; dup {
			return nil, fmt.Errorf("index: duplicate project %q", pr.ID)
		}
		s.projByID[pr.ID] = int32(i)
		p, ok := s.pshipByID[pr.PartnershipID]
		if !ok {
			return nil, fmt.Errorf("index: project %q: unknown partnership %q", pr.ID, pr.PartnershipID)
		}
		s.prPship[i] = p
		var m uint16
		for _, t := range pr.Themes {
			ti := atlas.ThemeIndex(t)
			if ti < 0 {
				return nil, fmt.Errorf("index: project %q: unknown theme %q", pr.ID, t)
			}
			m |= 1 << ti
		}
		s.prThemes[i] = m
		s.pThemes[p] |= m
		s.pProjects[p] = append(s.pProjects[p], int32(i))
	}
	s.themeLists = map[uint16]themeList{}
	for i := range ds.Partnerships {
		for t := range themeBits {
			if s.pThemes[i]&(1<<t) != 0 {
				s.byTheme[t] = append(s.byTheme[t], int32(i))
			}
		}
		if m := s.pThemes[i]; s.themeLists[m].items == nil {
			items := s.themeSlugs(m)
			s.themeLists[m] = themeList{items, strings.Join(items, "|")}
		}
	}
	s.byYear = make([]int32, n)
	for i := range s.byYear {
		s.byYear[i] = int32(i)
	}
	sort.SliceStable(s.byYear, func(a, b int) bool { return s.pYear[s.byYear[a]] < s.pYear[s.byYear[b]] })
	s.buildTrees()
	s.extents = sync.OnceValue(s.layerExtents)
	s.buildNameIndex()
	s.version = s.hash()
	return s, nil
}

func (s *Snapshot) buildTrees() {
	ds := s.ds
	pts := func(n int, at func(i int) orb.Point) *rtree.RTreeG[int32] {
		var tr rtree.RTreeG[int32]
		for i := 0; i < n; i++ {
			p := at(i)
			tr.Insert(p, p, int32(i))
		}
		return &tr
	}
	s.trees[LayerAuthorities] = pts(len(ds.Authorities), func(i int) orb.Point { return ds.Authorities[i].Point })
	s.trees[LayerPartners] = pts(len(ds.Partners), func(i int) orb.Point { return ds.Partners[i].Point })
	var arcs rtree.RTreeG[int32]
	for i := range ds.Partnerships {
		// Exact great-circle bounds, padded for the rounding of the
		// antimeridian crossing in densified arcs.
		var all orb.Bound
		for k, b := range atlas.ArcBounds(ds.Authorities[s.pAuth[i]].Point, ds.Partners[s.pPartner[i]].Point) {
			pb := pad(b)
			arcs.Insert(pb.Min, pb.Max, int32(i))
			if k == 0 {
				all = pb
			} else {
				all = all.Union(pb)
			}
		}
		s.arcBounds[i] = all
	}
	s.trees[LayerPartnerships] = &arcs
	shapes := func(bs []atlas.Boundary) *rtree.RTreeG[int32] {
		var tr rtree.RTreeG[int32]
		for i, b := range bs {
			switch g := b.Geometry.(type) {
			case orb.MultiPolygon:
				for _, p := range g {
					pb := p.Bound()
					tr.Insert(pb.Min, pb.Max, int32(i))
				}
			default:
				gb := g.Bound()
				tr.Insert(gb.Min, gb.Max, int32(i))
			}
		}
		return &tr
	}
	s.trees[LayerCountries] = shapes(ds.CountryShapes)
	s.trees[LayerRegions] = shapes(ds.RegionShapes)
	s.trees[LayerDepartements] = shapes(ds.DepartementShapes)
}

// boundPad (degrees) pads arc bounding boxes in the R-tree.
const boundPad = 0.05

func pad(b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{math.Max(-180, b.Min[0]-boundPad), math.Max(-90, b.Min[1]-boundPad)},
		Max: orb.Point{math.Min(180, b.Max[0]+boundPad), math.Min(90, b.Max[1]+boundPad)},
	}
}

// Arc returns partnership i's great-circle arc from the French authority to
// the partner, densified every maxSegKm and split at the antimeridian.
func (s *Snapshot) Arc(i int32, maxSegKm float64) orb.MultiLineString {
	return atlas.Arc(s.ds.Authorities[s.pAuth[i]].Point, s.ds.Partners[s.pPartner[i]].Point, maxSegKm)
}

// hash derives the data version from every value served, so two stores
// holding the same data report the same version (and ETags).
func (s *Snapshot) hash() string {
	h := sha256.New()
	ds := s.ds
	buf := make([]byte, 0, 256)
	str := func(v string) { buf = append(append(buf, v...), 0) }
	num := func(v int64) { buf = append(strconv.AppendInt(buf, v, 10), 0) }
	flt := func(v float64) { buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v)) }
	flush := func() { h.Write(buf); buf = buf[:0] }
	for _, c := range ds.Countries {
		str(c.ISO2)
		str(c.ISO3)
		str(c.NameFR)
		str(c.NameEN)
		flt(c.Label[0])
		flt(c.Label[1])
		flush()
	}
	for _, a := range ds.Authorities {
		str(a.ID)
		str(string(a.Type))
		str(a.Code)
		str(a.Name)
		str(a.Departement)
		str(a.Region)
		num(int64(a.Population))
		flt(a.Point[0])
		flt(a.Point[1])
		flush()
	}
	for _, p := range ds.Partners {
		str(p.ID)
		num(p.GeonameID)
		str(p.Name)
		str(p.Country)
		str(p.Subdivision)
		num(int64(p.Population))
		flt(p.Point[0])
		flt(p.Point[1])
		flush()
	}
	for _, p := range ds.Partnerships {
		str(p.ID)
		str(p.AuthorityID)
		str(p.PartnerID)
		str(string(p.Kind))
		num(int64(p.StartYear))
		str(strconv.FormatBool(p.Active))
		str(string(p.Provenance))
		flush()
	}
	for _, p := range ds.Projects {
		str(p.ID)
		str(p.PartnershipID)
		str(p.Title)
		str(strings.Join(p.Themes, "|"))
		num(int64(p.StartYear))
		str(string(p.Provenance))
		flush()
	}
	for _, bs := range [][]atlas.Boundary{ds.CountryShapes, ds.RegionShapes, ds.DepartementShapes} {
		for _, b := range bs {
			str(b.ID)
			str(b.Name)
			flush()
			hashGeometry(h, b.Geometry)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func hashGeometry(h hash.Hash, g orb.Geometry) {
	var buf [8]byte
	pt := func(p orb.Point) {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(p[0]))
		h.Write(buf[:])
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(p[1]))
		h.Write(buf[:])
	}
	ring := func(r orb.Ring) {
		for _, p := range r {
			pt(p)
		}
		h.Write([]byte{1})
	}
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			ring(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				ring(r)
			}
			h.Write([]byte{2})
		}
	}
}

// Version identifies the data: it changes whenever any served value changes
// and is equal for equal data, whatever store it was loaded from.
func (s *Snapshot) Version() string { return s.version }

// Dataset returns the indexed dataset. Callers must not modify it.
func (s *Snapshot) Dataset() *atlas.Dataset { return s.ds }

// HasCountry implements atlas.Vocabulary.
func (s *Snapshot) HasCountry(iso2 string) bool { _, ok := s.countryByID[iso2]; return ok }

// HasAuthority implements atlas.Vocabulary.
func (s *Snapshot) HasAuthority(id string) bool { _, ok := s.authByID[id]; return ok }

// HasPartner implements atlas.Vocabulary.
func (s *Snapshot) HasPartner(id string) bool { _, ok := s.partnerByID[id]; return ok }

// Country returns the country with that ISO2 code.
func (s *Snapshot) Country(iso2 string) (atlas.Country, bool) {
	i, ok := s.countryByID[iso2]
	if !ok {
		return atlas.Country{}, false
	}
	return s.ds.Countries[i], true
}

// YearRange returns the smallest and largest known partnership start years
// (0, 0 when none is known).
func (s *Snapshot) YearRange() (lo, hi int) {
	k, _ := slices.BinarySearchFunc(s.byYear, 1, func(i int32, y int) int { return int(s.pYear[i]) - y })
	if k == len(s.byYear) {
		return 0, 0
	}
	return int(s.pYear[s.byYear[k]]), int(s.pYear[s.byYear[len(s.byYear)-1]])
}

// Canonical returns f with its years clipped to the data's (YearRange), so
// that filters that select the same partnerships share their cached
// structures: since=1900&until=2100, since=1900 and until=2100 all become
// the known years. A year range the data does not meet becomes the one
// empty range past the last year. Other facets are left as they are
// (Encode already sorts lists).
func (s *Snapshot) Canonical(f atlas.Filter) atlas.Filter {
	if f.Since == 0 && f.Until == 0 {
		return f
	}
	lo, hi := s.YearRange()
	since, until := max(f.Since, lo), hi
	if f.Until != 0 {
		until = min(f.Until, hi)
	}
	if since > until || lo == 0 {
		since, until = hi+1, hi+1
	}
	f.Since, f.Until = since, until
	return f
}

func sortedUnique(xs []int32) []int32 {
	slices.Sort(xs)
	return slices.Compact(xs)
}
