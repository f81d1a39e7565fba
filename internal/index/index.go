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
	"cmp"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"slices"
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

	// What depends on the places only, shared by the snapshots derived
	// from this one (see Derive).
	*places

	pshipByID map[string]int32
	projByID  map[string]int32

	pieces arcPieces // see ArcPieces

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
	authPships [][]int32
	ficheOf    map[int32]int32 // authority → its index in ds.Fiches
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

	// sortRanks orders the partnerships by each field of SortKeys, on
	// first use (see SortPartnerships).
	sortRanks [numSortKeys]sortRank
}

// places is what a snapshot indexes of its countries, authorities, partners
// and boundaries. It is never modified once built.
type places struct {
	authByID    map[string]int32
	partnerByID map[string]int32
	countryByID map[string]int32  // ISO2 → index in ds.Countries
	regionByID  map[string]int32  // INSEE → index in ds.RegionShapes
	deptByID    map[string]int32  // INSEE → index in ds.DepartementShapes
	regionNames map[string]string // région code → name, from the authorities
	deptNames   map[string]string // département code → name, from the authorities
	shapeByISO  map[string]int32  // ISO2 → index in ds.CountryShapes
	authRegion  []int32           // index in RegionShapes, -1 when unknown
	authDept    []int32           // index in DepartementShapes, -1 when none
	nameIndex   []searchEntry
	digest      []byte // the version hash's state after the places (see hash)
	version     string // see PlacesVersion
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
	s := &Snapshot{ds: ds, trees: map[string]*rtree.RTreeG[int32]{}}
	if err := s.indexPlaces(); err != nil {
		return nil, err
	}
	return s.finish(nil)
}

// Derive indexes ds, a dataset that differs from prev's only in its
// partnerships and projects: its countries, authorities, partners and
// boundaries are prev's own slices, shared (as an incremental refresh from
// the database builds it). The snapshot is the one New(ds) returns, with the
// same answers and Version, at a cost in proportion to the links: the
// places' lookups, R-trees, name index and digest are prev's. When the
// partnerships before the new ones are prev's, in the same order (updates
// in place and additions at the end, no deletion), the arc R-tree is a copy
// of prev's with only the changed arcs replaced. When ds does not share
// prev's places, Derive is New.
func Derive(prev *Snapshot, ds *atlas.Dataset) (*Snapshot, error) {
	if prev == nil || !sharesPlaces(prev.ds, ds) {
		return New(ds)
	}
	s := &Snapshot{ds: ds, trees: map[string]*rtree.RTreeG[int32]{}}
	s.places = prev.places
	for _, l := range []string{LayerAuthorities, LayerPartners, LayerCountries, LayerRegions, LayerDepartements} {
		s.trees[l] = prev.trees[l]
	}
	return s.finish(prev)
}

func sharesPlaces(a, b *atlas.Dataset) bool {
	return sameSlice(a.Countries, b.Countries) && sameSlice(a.Authorities, b.Authorities) &&
		sameSlice(a.Partners, b.Partners) && sameSlice(a.CountryShapes, b.CountryShapes) &&
		sameSlice(a.RegionShapes, b.RegionShapes) && sameSlice(a.DepartementShapes, b.DepartementShapes)
}

// sameSlice reports whether a and b are the same slice (same elements in
// the same memory), not merely equal ones.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// indexPlaces builds what depends only on the countries, authorities,
// partners and boundaries.
func (s *Snapshot) indexPlaces() error {
	ds := s.ds
	s.places = &places{
		authByID:    make(map[string]int32, len(ds.Authorities)),
		partnerByID: make(map[string]int32, len(ds.Partners)),
		countryByID: make(map[string]int32, len(ds.Countries)),
		regionByID:  map[string]int32{},
		deptByID:    map[string]int32{},
		regionNames: map[string]string{},
		deptNames:   map[string]string{},
		shapeByISO:  map[string]int32{},
	}
	pl := s.places
	for i, c := range ds.Countries {
		pl.countryByID[c.ISO2] = int32(i)
	}
	for i, b := range ds.RegionShapes {
		pl.regionByID[b.ID] = int32(i)
	}
	for i, b := range ds.DepartementShapes {
		pl.deptByID[b.ID] = int32(i)
	}
	for i, b := range ds.CountryShapes {
		pl.shapeByISO[b.ID] = int32(i)
	}
	pl.authRegion = make([]int32, len(ds.Authorities))
	pl.authDept = make([]int32, len(ds.Authorities))
	for i, a := range ds.Authorities {
		if _, dup := pl.authByID[a.ID]; dup {
			return fmt.Errorf("index: duplicate authority %q", a.ID)
		}
		pl.authByID[a.ID] = int32(i)
		switch {
		case a.Type == atlas.Region:
			pl.regionNames[a.Code] = a.Name
		case a.Type == atlas.Departement && a.Region == a.Code:
			// An overseas collectivity (Polynésie française…) is its own
			// région and département, with no IGN boundary.
			pl.regionNames[a.Code], pl.deptNames[a.Code] = a.Name, a.Name
		case a.Type == atlas.Departement:
			pl.deptNames[a.Code] = a.Name
		}
		pl.authRegion[i], pl.authDept[i] = -1, -1
		if r, ok := pl.regionByID[a.Region]; ok {
			pl.authRegion[i] = r
		}
		if d, ok := pl.deptByID[a.Departement]; ok {
			pl.authDept[i] = d
		}
	}
	for i, p := range ds.Partners {
		if _, dup := pl.partnerByID[p.ID]; dup {
			return fmt.Errorf("index: duplicate partner %q", p.ID)
		}
		pl.partnerByID[p.ID] = int32(i)
	}
	s.buildPlaceTrees()
	s.buildNameIndex()
	pl.digest = s.placesDigest()
	sum := sha256.Sum256(pl.digest)
	pl.version = "places-" + hex.EncodeToString(sum[:8])
	return nil
}

// finish indexes the partnerships and projects (reusing prev's arc R-tree
// when it can, see Derive) and computes the version.
func (s *Snapshot) finish(prev *Snapshot) (*Snapshot, error) {
	ds := s.ds
	s.pshipByID = make(map[string]int32, len(ds.Partnerships))
	s.projByID = make(map[string]int32, len(ds.Projects))
	n := len(ds.Partnerships)
	s.pAuth, s.pPartner, s.pCountry = make([]int32, n), make([]int32, n), make([]int32, n)
	s.pType, s.pKind, s.pProv = make([]uint8, n), make([]uint8, n), make([]uint8, n)
	s.pYear, s.pThemes = make([]int16, n), make([]uint16, n)
	s.pProjects = make([][]int32, n)
	s.arcBounds = make([]orb.Bound, n)
	s.authPships = make([][]int32, len(ds.Authorities))
	s.partPships = make([][]int32, len(ds.Partners))
	s.byCountry = make([][]int32, len(ds.Countries))
	s.ficheOf = make(map[int32]int32, len(ds.Fiches))
	for k, f := range ds.Fiches {
		a, ok := s.authByID[f.AuthorityID]
		if !ok {
			return nil, fmt.Errorf("index: fiche of unknown authority %q", f.AuthorityID)
		}
		if _, dup := s.ficheOf[a]; dup {
			return nil, fmt.Errorf("index: two fiches for authority %q", f.AuthorityID)
		}
		s.ficheOf[a] = int32(k)
	}
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
	slices.SortStableFunc(s.byYear, func(a, b int32) int { return cmp.Compare(s.pYear[a], s.pYear[b]) })
	if prev == nil || !s.deriveArcTree(prev) {
		s.buildArcTree()
	} else {
		s.derivePieces(prev)
	}
	s.extents = sync.OnceValue(s.layerExtents)
	s.version = s.hash()
	return s, nil
}

func (s *Snapshot) buildPlaceTrees() {
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

// arcParts returns the padded bounding boxes under which the arc from a to
// p is indexed (one per part: arcs split at the antimeridian have two), and
// their union. The great-circle bounds are exact; the padding covers the
// rounding of the antimeridian crossing in densified arcs.
func arcParts(a, p orb.Point) ([]orb.Bound, orb.Bound) {
	parts := atlas.ArcBounds(a, p)
	var all orb.Bound
	for k, b := range parts {
		parts[k] = pad(b)
		if k == 0 {
			all = parts[k]
		} else {
			all = all.Union(parts[k])
		}
	}
	return parts, all
}

func (s *Snapshot) buildArcTree() {
	ds := s.ds
	var arcs rtree.RTreeG[int32]
	for i := range ds.Partnerships {
		parts, all := arcParts(ds.Authorities[s.pAuth[i]].Point, ds.Partners[s.pPartner[i]].Point)
		for _, pb := range parts {
			arcs.Insert(pb.Min, pb.Max, int32(i))
		}
		s.arcBounds[i] = all
	}
	s.trees[LayerPartnerships] = &arcs
}

// deriveArcTree makes the arc R-tree a copy of prev's with only the arcs
// that changed replaced, when the partnerships prev had are still the first
// ones, in the same order; it reports whether it could.
func (s *Snapshot) deriveArcTree(prev *Snapshot) bool {
	if !s.derivesArcsOf(prev) {
		return false
	}
	old, cur := prev.ds.Partnerships, s.ds.Partnerships
	arcs := prev.trees[LayerPartnerships].Copy()
	auth, partners := s.ds.Authorities, s.ds.Partners
	for i := range cur {
		i32 := int32(i)
		if i < len(old) {
			if prev.pAuth[i] == s.pAuth[i] && prev.pPartner[i] == s.pPartner[i] {
				s.arcBounds[i] = prev.arcBounds[i]
				continue
			}
			parts, _ := arcParts(auth[prev.pAuth[i]].Point, partners[prev.pPartner[i]].Point)
			for _, pb := range parts {
				arcs.Delete(pb.Min, pb.Max, i32)
			}
		}
		parts, all := arcParts(auth[s.pAuth[i]].Point, partners[s.pPartner[i]].Point)
		for _, pb := range parts {
			arcs.Insert(pb.Min, pb.Max, i32)
		}
		s.arcBounds[i] = all
	}
	s.trees[LayerPartnerships] = arcs
	return true
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
// holding the same data report the same version (and ETags). The digest
// runs over the countries, authorities and partners (whose state is
// computed once per set of places and resumed here, see Derive), then the
// partnerships, projects, fiches, requests, the money side (sectors, APD
// declarations, calls, applications: nothing when there are none, so the
// versions of data without them are unchanged) and boundaries.
func (s *Snapshot) hash() string {
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(s.digest); err != nil {
		panic("index: resuming the places digest: " + err.Error())
	}
	ds := s.ds
	w := digestWriter{h: h}
	for _, p := range ds.Partnerships {
		w.str(p.ID)
		w.str(p.AuthorityID)
		w.str(p.PartnerID)
		w.str(string(p.Kind))
		w.num(int64(p.StartYear))
		w.str(strconv.FormatBool(p.Active))
		w.str(string(p.Provenance))
		w.str(sourceList(p.Sources).joined)
		w.flush()
	}
	for _, p := range ds.Projects {
		w.str(p.ID)
		w.str(p.PartnershipID)
		w.str(p.Title)
		w.str(strings.Join(p.Themes, "|"))
		w.num(int64(p.StartYear))
		w.str(string(p.Provenance))
		w.flush()
	}
	for _, f := range ds.Fiches {
		w.str("fiche")
		for _, v := range []string{f.AuthorityID, f.Service, f.Role, f.Email, f.Phone, f.Website, f.PresentationFR, f.PresentationEN, f.LogoURL, f.UpdatedAt} {
			w.str(v)
		}
		w.num(int64(f.Version))
		w.flush()
	}
	for _, r := range ds.Requests {
		w.str("request")
		for _, v := range []string{r.ID, r.PartnerID, r.Name, r.Country, strings.Join(r.Themes, "|"), r.Description,
			atlas.JoinTypes(r.SoughtTypes), strings.Join(r.Languages, "|"), r.ValidUntil, r.Status, r.Published} {
			w.str(v)
		}
		w.flt(r.Point[0])
		w.flt(r.Point[1])
		w.num(int64(r.MinPopulation))
		w.num(int64(r.MaxPopulation))
		w.flush()
	}
	for _, sc := range ds.Sectors {
		w.str("sector")
		for _, v := range []string{sc.Code, sc.Category, sc.NameFR, sc.NameEN, sc.CategoryFR, sc.CategoryEN} {
			w.str(v)
		}
		w.flush()
	}
	for _, d := range ds.APD {
		w.str("apd")
		w.str(d.AuthorityID)
		w.num(int64(d.Year))
		w.str(string(d.Status))
		w.num(int64(d.Version))
		w.str(string(d.Provenance))
		for _, l := range d.Lines {
			w.num(l.AmountEUR)
			for _, v := range []string{l.Country, l.Sector, string(l.Channel), strconv.FormatBool(l.Refugees), l.PartnershipID, l.ProjectID} {
				w.str(v)
			}
		}
		w.flush()
	}
	for _, c := range ds.Calls {
		w.str("call")
		for _, v := range []string{c.ID, c.Title, string(c.Kind), strings.Join(c.Themes, "|"), strings.Join(c.Countries, "|"), c.Opens, c.Closes, string(c.Provenance)} {
			w.str(v)
		}
		w.num(c.BudgetEUR)
		w.flush()
	}
	for _, a := range ds.Applications {
		w.str("application")
		for _, v := range []string{a.ID, a.CallID, a.AuthorityID, a.ProjectID, a.Title, a.Country, string(a.Status), a.Deposited, string(a.Provenance)} {
			w.str(v)
		}
		w.num(a.RequestedEUR)
		w.num(a.GrantedEUR)
		w.num(int64(a.Participants))
		w.flush()
	}
	for _, bs := range [][]atlas.Boundary{ds.CountryShapes, ds.RegionShapes, ds.DepartementShapes} {
		for _, b := range bs {
			w.str(b.ID)
			w.str(b.Name)
			w.flush()
			hashGeometry(h, b.Geometry)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// placesDigest returns the state of the version's SHA-256 after the
// countries, authorities and partners (see hash).
func (s *Snapshot) placesDigest() []byte {
	h := sha256.New()
	ds := s.ds
	w := digestWriter{h: h}
	for _, c := range ds.Countries {
		w.str(c.ISO2)
		w.str(c.ISO3)
		w.str(c.NameFR)
		w.str(c.NameEN)
		w.flt(c.Label[0])
		w.flt(c.Label[1])
		w.flush()
	}
	for _, a := range ds.Authorities {
		w.str(a.ID)
		w.str(string(a.Type))
		w.str(a.Code)
		w.str(a.Name)
		w.str(a.Departement)
		w.str(a.Region)
		w.num(int64(a.Population))
		w.flt(a.Point[0])
		w.flt(a.Point[1])
		w.flush()
	}
	for _, p := range ds.Partners {
		w.str(p.ID)
		w.num(p.GeonameID)
		w.str(p.Name)
		w.str(p.Country)
		w.str(p.Subdivision)
		w.num(int64(p.Population))
		w.flt(p.Point[0])
		w.flt(p.Point[1])
		w.flush()
	}
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("index: saving the places digest: " + err.Error())
	}
	return state
}

// digestWriter feeds one record's values to the version's hash.
type digestWriter struct {
	h   hash.Hash
	buf []byte
}

func (w *digestWriter) str(v string) { w.buf = append(append(w.buf, v...), 0) }
func (w *digestWriter) num(v int64)  { w.buf = append(strconv.AppendInt(w.buf, v, 10), 0) }
func (w *digestWriter) flt(v float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
}
func (w *digestWriter) flush() { w.h.Write(w.buf); w.buf = w.buf[:0] }

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

// PlacesVersion identifies the countries, authorities, partners and
// boundaries of the snapshot: snapshots derived from one another after
// writes of partnerships and projects share it, so that what is made of
// the places alone (the tiles' simplified boundaries) outlives a write. It
// never begins like a Version.
func (s *Snapshot) PlacesVersion() string { return s.places.version }

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

// Authority returns the French authority with that atlas id.
func (s *Snapshot) Authority(id string) (atlas.Authority, bool) {
	i, ok := s.authByID[id]
	if !ok {
		return atlas.Authority{}, false
	}
	return s.ds.Authorities[i], true
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
