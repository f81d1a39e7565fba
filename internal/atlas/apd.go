package atlas

import (
	"fmt"
	"strings"
)

// The money side of the atlas: every French collectivité declares each year
// its aide publique au développement (APD, CGCT art. L. 1115-6), as lines of
// an amount, a beneficiary country, an OECD DAC purpose code and a channel.
//
// Amounts are integer euros: the declarations are made and published in
// euros, and integer sums add up exactly to the published totals.

// Sector is an OECD DAC/CRS purpose code (five digits) with its category
// (the first three digits) and their names.
type Sector struct {
	Code       string // "14030"
	Category   string // "140"
	NameFR     string
	NameEN     string
	CategoryFR string
	CategoryEN string
}

// SectorRefugees is the DAC purpose code of aid to refugees in the donor
// country ("Réfugiés dans les pays donneurs"), the part of the APD the
// published totals give apart since 2016.
const SectorRefugees = "93010"

// sectorThemes maps a DAC category to the atlas theme that covers it, so
// that the theme filter of the map also selects APD lines (a journalist's
// "water" is theme eau-assainissement, DAC category 140).
var sectorThemes = map[string]string{
	"111": "education-recherche", "112": "education-recherche", "113": "education-recherche", "114": "education-recherche",
	"121": "sante", "122": "sante", "123": "sante", "130": "sante",
	"140": "eau-assainissement",
	"151": "gouvernance-humanitaire", "152": "gouvernance-humanitaire", "720": "gouvernance-humanitaire",
	"730": "gouvernance-humanitaire", "740": "gouvernance-humanitaire", "930": "gouvernance-humanitaire",
	"160": "culture-patrimoine",
	"220": "numerique",
	"230": "environnement-climat-energie", "231": "environnement-climat-energie", "232": "environnement-climat-energie",
	"233": "environnement-climat-energie", "234": "environnement-climat-energie", "235": "environnement-climat-energie",
	"236": "environnement-climat-energie", "410": "environnement-climat-energie",
	"240": "economie-durable", "250": "economie-durable", "321": "economie-durable", "322": "economie-durable",
	"323": "economie-durable", "331": "economie-durable",
	"311": "agriculture-alimentation", "312": "agriculture-alimentation", "313": "agriculture-alimentation",
	"520": "agriculture-alimentation",
	"332": "tourisme",
}

// SectorTheme returns the theme slug covering a DAC purpose code (by its
// category), or "" when no theme does. The vocational training code 11330
// is the youth theme's.
func SectorTheme(code string) string {
	if code == "11330" {
		return "jeunesse-formation"
	}
	if len(code) < 3 {
		return ""
	}
	return sectorThemes[code[:3]]
}

// Channel is how the money reached its beneficiary.
type Channel string

// Channels.
const (
	ChannelDirect       Channel = "direct"       // the collectivité itself, with its partner authority
	ChannelAssociation  Channel = "association"  // through an association or NGO
	ChannelMultilateral Channel = "multilateral" // through a multilateral fund or agency
	ChannelCollectivite Channel = "collectivite" // through another French collectivité or a grouping of them
)

// Channels returns the channels in display order.
func Channels() []Channel {
	return []Channel{ChannelDirect, ChannelAssociation, ChannelMultilateral, ChannelCollectivite}
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelDirect, ChannelAssociation, ChannelMultilateral, ChannelCollectivite:
		return true
	}
	return false
}

// Label is the French name of the channel.
func (c Channel) Label() string {
	switch c {
	case ChannelDirect:
		return "Coopération directe"
	case ChannelAssociation:
		return "Par une association ou une ONG"
	case ChannelMultilateral:
		return "Par un fonds ou une agence multilatérale"
	case ChannelCollectivite:
		return "Par une autre collectivité ou un groupement"
	}
	return string(c)
}

// APDStatus is where a declaration stands.
type APDStatus string

// Declaration statuses: a draft can be replaced freely; a declared year can
// only be amended, and each amendment keeps the previous version in the
// audit trail.
const (
	APDDraft    APDStatus = "draft"
	APDDeclared APDStatus = "declared"
	APDAmended  APDStatus = "amended"
)

// Valid reports whether s is a known status.
func (s APDStatus) Valid() bool { return s == APDDraft || s == APDDeclared || s == APDAmended }

// Label is the French name of the status.
func (s APDStatus) Label() string {
	switch s {
	case APDDraft:
		return "Brouillon"
	case APDDeclared:
		return "Déclarée"
	case APDAmended:
		return "Rectifiée"
	}
	return string(s)
}

// Declared is the provenance of APD declarations, calls and applications
// that came through the write API (the generated complement is Synthetic).
// Partnerships and projects are Real or Synthetic only (Provenance.Valid).
const Declared Provenance = "declared"

// ValidMoneyProvenance reports whether p is a provenance of the money side:
// declared or synthetic.
func ValidMoneyProvenance(p Provenance) bool { return p == Declared || p == Synthetic }

// Unallocated is the country key of APD not allocated to one country: aid
// to several countries, and aid to refugees in France.
const Unallocated = "multi"

// UnallocatedLabel names it in French.
const UnallocatedLabel = "Multi-pays ou non affecté"

// APDLine is one line of a declaration.
type APDLine struct {
	AmountEUR     int64   `json:"amount_eur"`
	Country       string  `json:"country"` // ISO 3166-1 alpha-2, or "" (Unallocated in listings)
	Sector        string  `json:"sector"`  // DAC purpose code
	Channel       Channel `json:"channel"`
	Refugees      bool    `json:"refugees"` // aid to refugees in France
	PartnershipID string  `json:"partnership_id,omitempty"`
	ProjectID     string  `json:"project_id,omitempty"`
}

// APDDeclaration is one collectivité's APD for one year.
type APDDeclaration struct {
	AuthorityID string     `json:"authority_id"`
	Year        int        `json:"year"`
	Status      APDStatus  `json:"status"`
	Version     int        `json:"version"` // 1 for the first declaration, +1 per amendment
	Provenance  Provenance `json:"provenance"`
	Lines       []APDLine  `json:"lines"`
}

// Total is the declaration's amount in euros.
func (d APDDeclaration) Total() int64 {
	var t int64
	for _, l := range d.Lines {
		t += l.AmountEUR
	}
	return t
}

// First year a declaration may be for, and the most lines one may hold.
const (
	FirstAPDYear = 2000
	MaxAPDLines  = 500
	MaxAPDAmount = 1_000_000_000 // euros on one line
)

// APDInput is a declaration as a collectivité writes it for one year (the
// authority and year are in the path). Status "" means declared.
type APDInput struct {
	Status string         `json:"status"` // draft or declared
	Lines  []APDLineInput `json:"lines"`
}

// APDLineInput is one line as written.
type APDLineInput struct {
	AmountEUR     int64  `json:"amount_eur"`
	Country       string `json:"country"` // ISO2, or "" / "multi" for several countries or none
	Sector        string `json:"sector"`
	Channel       string `json:"channel"`
	Refugees      bool   `json:"refugees"`
	PartnershipID string `json:"partnership_id"`
	ProjectID     string `json:"project_id"`
}

// APDReference answers what a declaration's validation needs from the data
// served: the countries, sectors and the authority's own partnerships and
// projects.
type APDReference interface {
	HasCountry(iso2 string) bool
	HasSector(code string) bool
	// PartnershipOf returns the authority id of a partnership ("" if none).
	PartnershipOf(id string) string
	// ProjectOf returns the partnership id of a project ("" if none).
	ProjectOf(id string) string
}

// Validate checks a declaration for authority in year, as of thisYear: a
// year from FirstAPDYear to thisYear, 1 to MaxAPDLines lines, each with an
// amount > 0, a known country (or none), a known DAC code, a channel, and a
// partnership or project of the authority itself. Aid to refugees in France
// has no country and the DAC code SectorRefugees. Fields are named as in
// the body ("lines[2].sector").
func (in APDInput) Validate(authority string, year, thisYear int, ref APDReference) FieldErrors {
	var errs FieldErrors
	bad := func(field, reason string) { errs = append(errs, FieldError{field, reason}) }
	if year < FirstAPDYear || year > thisYear {
		bad("year", fmt.Sprintf("want a year from %d to %d: a year's APD is declared once it has begun", FirstAPDYear, thisYear))
	}
	if in.Status != "" && in.Status != string(APDDraft) && in.Status != string(APDDeclared) {
		bad("status", "want draft or declared (an amendment is a new declaration of a declared year)")
	}
	if len(in.Lines) == 0 || len(in.Lines) > MaxAPDLines {
		bad("lines", fmt.Sprintf("want 1 to %d lines", MaxAPDLines))
	}
	for i, l := range in.Lines {
		f := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		if l.AmountEUR <= 0 || l.AmountEUR > MaxAPDAmount {
			bad(f("amount_eur"), "want a whole number of euros, more than 0 and at most 1,000,000,000")
		}
		country := strings.ToUpper(l.Country)
		if country != "" && country != strings.ToUpper(Unallocated) && !ref.HasCountry(country) {
			bad(f("country"), "unknown country "+l.Country+": want ISO 3166-1 alpha-2, or multi")
		}
		if !ref.HasSector(l.Sector) {
			bad(f("sector"), "unknown DAC purpose code "+l.Sector+": want a five-digit code of the OECD list (see /api/apd/sectors)")
		}
		if !Channel(l.Channel).Valid() {
			bad(f("channel"), "want direct, association, multilateral or collectivite")
		}
		if l.Refugees && (l.Sector != SectorRefugees || (country != "" && country != strings.ToUpper(Unallocated) && country != "FR")) {
			bad(f("refugees"), "aid to refugees in France has the DAC code 93010 and no beneficiary country")
		}
		if l.PartnershipID != "" && ref.PartnershipOf(l.PartnershipID) != authority {
			bad(f("partnership_id"), "not a partnership of this collectivité")
		}
		if l.ProjectID != "" {
			p := ref.ProjectOf(l.ProjectID)
			if p == "" || ref.PartnershipOf(p) != authority {
				bad(f("project_id"), "not a project of this collectivité")
			} else if l.PartnershipID != "" && p != l.PartnershipID {
				bad(f("project_id"), "the project belongs to another partnership than partnership_id")
			}
		}
	}
	return errs
}

// Normalized returns the input's lines in the stored form: country upper-cased,
// "" for unallocated, the partnership filled from the project.
func (in APDInput) Normalized(ref APDReference) []APDLine {
	out := make([]APDLine, len(in.Lines))
	for i, l := range in.Lines {
		c := strings.ToUpper(l.Country)
		if c == strings.ToUpper(Unallocated) || (l.Refugees && c == "FR") {
			c = ""
		}
		ps := l.PartnershipID
		if ps == "" && l.ProjectID != "" {
			ps = ref.ProjectOf(l.ProjectID)
		}
		out[i] = APDLine{AmountEUR: l.AmountEUR, Country: c, Sector: l.Sector, Channel: Channel(l.Channel),
			Refugees: l.Refugees, PartnershipID: ps, ProjectID: l.ProjectID}
	}
	return out
}
