// Package atlas holds the domain vocabulary of the atlas of French decentralised
// cooperation: French local authorities (collectivités), their foreign partner
// authorities, the partnerships between them and the projects those
// partnerships carry, plus the Filter every endpoint accepts.
//
// Coordinates are WGS84 longitude/latitude (orb.Point{lon, lat}) everywhere in
// this package. Values of these types are plain data: a Dataset is not safe for
// concurrent mutation, but once built it is only read.
package atlas

import (
	"errors"

	"github.com/paulmach/orb"
)

// Errors that callers test with errors.Is. Validation errors are written for
// end users: their text names the parameter and what is allowed.
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
)

// AuthorityType is the kind of a French local authority.
type AuthorityType string

// The four types of French collectivités the atlas knows.
const (
	Region      AuthorityType = "region"
	Departement AuthorityType = "departement"
	Commune     AuthorityType = "commune"
	Groupement  AuthorityType = "groupement" // EPCI: métropole, communauté urbaine/d'agglomération/de communes
)

// AuthorityTypes lists the types in display order (largest first).
func AuthorityTypes() []AuthorityType {
	return []AuthorityType{Region, Departement, Groupement, Commune}
}

// Label returns the French label of the type.
func (t AuthorityType) Label() string {
	switch t {
	case Region:
		return "Région"
	case Departement:
		return "Département"
	case Commune:
		return "Commune"
	case Groupement:
		return "Groupement (EPCI)"
	}
	return string(t)
}

// Valid reports whether t is one of the four known types.
func (t AuthorityType) Valid() bool {
	switch t {
	case Region, Departement, Commune, Groupement:
		return true
	}
	return false
}

// Kind is the legal nature of a partnership.
type Kind string

// Partnership kinds.
const (
	Jumelage    Kind = "jumelage"    // twinning
	Cooperation Kind = "cooperation" // coopération décentralisée under a convention
	Amitie      Kind = "amitie"      // pacte d'amitié
)

// Kinds lists the kinds in display order.
func Kinds() []Kind { return []Kind{Jumelage, Cooperation, Amitie} }

// Label returns the French label of the kind.
func (k Kind) Label() string {
	switch k {
	case Jumelage:
		return "Jumelage"
	case Cooperation:
		return "Coopération décentralisée"
	case Amitie:
		return "Pacte d'amitié"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case Jumelage, Cooperation, Amitie:
		return true
	}
	return false
}

// Provenance says whether a record comes from a real source or from the
// deterministic synthetic complement. It surfaces in every API answer.
type Provenance string

// Provenances.
const (
	Real      Provenance = "real"
	Synthetic Provenance = "synthetic"
)

// Valid reports whether p is a known provenance.
func (p Provenance) Valid() bool { return p == Real || p == Synthetic }

// Label is the French name of the provenance.
func (p Provenance) Label() string {
	switch p {
	case Real:
		return "Réel (listes publiques et déclarations)"
	case Synthetic:
		return "Synthétique (complément généré)"
	}
	return string(p)
}

// Authority is a French local authority (collectivité).
//
// ID is stable: the INSEE code for a commune ("31065"), the SIREN for a
// groupement ("200068815"), "dep-" + INSEE code for a département ("dep-2A")
// and "reg-" + INSEE code for a région ("reg-76"), because département and
// région codes overlap.
type Authority struct {
	ID          string
	Type        AuthorityType
	Code        string // INSEE code (commune, département, région) or SIREN (groupement)
	Name        string
	Departement string // INSEE code of the département, empty for a région
	Region      string // INSEE code of the région
	Population  int    // 0 when unknown
	Point       orb.Point
}

// Partner is a foreign partner authority.
//
// ID is stable: the GeoNames id ("3186084") where the place is known to
// GeoNames, otherwise "x-" followed by a slug of its country and name
// ("x-gb-wells").
type Partner struct {
	ID          string
	GeonameID   int64 // 0 when unknown
	Name        string
	Country     string // ISO 3166-1 alpha-2
	Subdivision string // e.g. "England", empty when not relevant
	Population  int    // 0 when unknown
	Point       orb.Point
}

// Partnership links one French authority to one partner.
type Partnership struct {
	ID          string
	AuthorityID string
	PartnerID   string
	Kind        Kind
	StartYear   int // 0 when unknown (the real twinnings carry no year)
	Active      bool
	Provenance  Provenance
	// Sources are the real lists that document a real row (SourceWikipediaEN,
	// SourceWikidata, SourceWikipediaIT, in that order); none for a
	// synthetic or declared row.
	Sources []string
}

// The real twinning lists a real partnership can come from.
const (
	SourceWikipediaEN = "wikipedia-en" // English Wikipedia's twin-town lists
	SourceWikidata    = "wikidata"     // Wikidata's "twinned administrative body" (P190)
	SourceWikipediaIT = "wikipedia-it" // Italian Wikipedia's twinnings of Italian comuni
)

// Sources lists the real twinning lists in their canonical order.
func Sources() []string { return []string{SourceWikipediaEN, SourceWikidata, SourceWikipediaIT} }

// SourceIndex is src's rank in Sources, -1 when unknown.
func SourceIndex(src string) int {
	switch src {
	case SourceWikipediaEN:
		return 0
	case SourceWikidata:
		return 1
	case SourceWikipediaIT:
		return 2
	}
	return -1
}

// SourceLabel is the French name of a real source, for legends and exports.
func SourceLabel(src string) string {
	switch src {
	case SourceWikipediaEN:
		return "Wikipédia en anglais"
	case SourceWikidata:
		return "Wikidata"
	case SourceWikipediaIT:
		return "Wikipédia en italien"
	}
	return src
}

// Project is an action carried by a partnership.
type Project struct {
	ID            string
	PartnershipID string
	Title         string
	Themes        []string // 1 to 3 theme slugs
	StartYear     int
	Provenance    Provenance
}

// Country is a country as the atlas names it.
type Country struct {
	ISO2   string
	ISO3   string
	NameFR string
	NameEN string
	Label  orb.Point // label point
}

// Boundary is an administrative area polygon: a country (ID = ISO2), a French
// région (ID = INSEE code) or département (ID = INSEE code).
type Boundary struct {
	ID       string
	Name     string
	Geometry orb.Geometry // orb.Polygon or orb.MultiPolygon
}

// Dataset is everything the atlas serves. The slices are in load order, which
// is the stable order of every listing.
type Dataset struct {
	Authorities  []Authority
	Partners     []Partner
	Partnerships []Partnership
	Projects     []Project
	Countries    []Country
	Fiches       []Fiche   // the collectivités' own pages, by authority id (at most one each)
	Requests     []Request // the bourse-projets' requests, by id
	// The money side: the DAC purpose codes, the APD declarations (by
	// authority in load order, then year), the calls for projects (by id)
	// and their applications (by call, then id).
	Sectors      []Sector
	APD          []APDDeclaration
	Calls        []Call
	Applications []Application
	// Boundaries by layer: "countries", "regions", "departements".
	CountryShapes     []Boundary
	RegionShapes      []Boundary
	DepartementShapes []Boundary
}
