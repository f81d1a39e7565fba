package generate

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// The OECD DAC/CRS code lists (geodata/sources/oecd-dac, ODC-PDDL-1.0):
// purpose codes, their categories and the ODA recipients.
const (
	SourceDACSectors    = "oecd-dac/sectors.csv"
	SourceDACCategories = "oecd-dac/sector_categories.csv"
	SourceDACRecipients = "oecd-dac/recipients.csv"
)

// Sectors reads the DAC purpose codes of src: one per five-digit code (the
// voluntary sub-codes of a code are left out), in the list's order, with
// their category's names.
func Sectors(src fs.FS) ([]atlas.Sector, error) {
	type names struct{ fr, en string }
	cats := map[string]names{}
	if err := readTable(src, SourceDACCategories, func(r tableRow) error {
		cats[r.get("code")] = names{r.get("name_fr"), r.get("name_en")}
		return r.err
	}); err != nil {
		return nil, err
	}
	var out []atlas.Sector
	seen := map[string]bool{}
	err := readTable(src, SourceDACSectors, func(r tableRow) error {
		if r.get("voluntary_code") != "" || seen[r.get("code")] {
			return r.err
		}
		c, ok := cats[r.get("category")]
		if !ok {
			return fmt.Errorf("unknown category %q", r.get("category"))
		}
		s := atlas.Sector{Code: r.get("code"), Category: r.get("category"), NameFR: r.get("name_fr"), NameEN: strings.Join(strings.Fields(r.get("name_en")), " "),
			CategoryFR: c.fr, CategoryEN: c.en}
		seen[s.Code] = true
		out = append(out, s)
		return r.err
	})
	return out, err
}

// DACRecipient is a recipient country of the DAC list, with its ISO code.
type DACRecipient struct {
	Code        string // DAC recipient code, "269"
	NameEN      string
	ISO2        string // "" for a region or an entity with no ISO code
	IncomeGroup string // LDCs, Other LICs, LMICs, UMICs, MADCTs, or "Part I unallocated by income" for regions
	Eligible    bool   // ODA-eligible: LDCs, Other LICs, LMICs, UMICs
}

// dacISO maps the DAC recipients whose English name is not the name
// countries.csv gives to their ISO code; "" marks one with no code.
var dacISO = map[string]string{
	"55": "TR", "66": "MK", "93": "MD", "230": "CV", "234": "CG", "240": "GM", "247": "CI", "282": "TZ",
	"361": "", // Netherlands Antilles, dissolved in 2010
	"388": "VG", "540": "IR", "550": "PS", "730": "CN", "732": "TW", "735": "HK", "740": "KP", "742": "KR",
	"748": "MO", "769": "VN", "860": "FM",
}

// DACRecipients reads the ODA recipients of src and maps each country to
// its ISO code: by its English name in countries.csv, or by dacISO. Regional
// rows ("Africa, regional", "… unspecified") have no ISO code.
func DACRecipients(src fs.FS) ([]DACRecipient, error) {
	byName := map[string]string{}
	if err := readTable(src, SourceCountries, func(r tableRow) error {
		byName[strings.ToLower(r.get("name_en"))] = r.get("iso2")
		return r.err
	}); err != nil {
		return nil, err
	}
	var out []DACRecipient
	err := readTable(src, SourceDACRecipients, func(r tableRow) error {
		d := DACRecipient{Code: r.get("code"), NameEN: r.get("name_en"), IncomeGroup: r.get("income_group")}
		switch d.IncomeGroup {
		case "LDCs", "Other LICs", "LMICs", "UMICs":
			d.Eligible = true
		}
		if iso, ok := dacISO[d.Code]; ok {
			d.ISO2 = iso
		} else if !strings.HasPrefix(d.IncomeGroup, "Part I") {
			d.ISO2 = byName[strings.ToLower(d.NameEN)]
		}
		out = append(out, d)
		return r.err
	})
	return out, err
}

// eligibleCountries returns the ISO codes of the ODA-eligible countries.
func eligibleCountries(src fs.FS) (map[string]bool, error) {
	rs, err := DACRecipients(src)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range rs {
		if r.Eligible && r.ISO2 != "" {
			out[r.ISO2] = true
		}
	}
	return out, nil
}
