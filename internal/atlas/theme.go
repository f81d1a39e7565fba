package atlas

// Theme is one of the fixed themes a project is tagged with.
type Theme struct {
	Slug    string
	LabelFR string
	LabelEN string
}

// NumThemes is the number of fixed themes.
const NumThemes = 11

var themes = [NumThemes]Theme{
	{"economie-durable", "Économie durable", "Sustainable economy"},
	{"education-recherche", "Éducation et recherche", "Education and research"},
	{"environnement-climat-energie", "Environnement, climat et énergie", "Environment, climate and energy"},
	{"culture-patrimoine", "Culture et patrimoine", "Culture and heritage"},
	{"gouvernance-humanitaire", "Gouvernance locale et action humanitaire", "Local governance and humanitarian action"},
	{"tourisme", "Tourisme", "Tourism"},
	{"numerique", "Numérique", "Digital"},
	{"agriculture-alimentation", "Agriculture et alimentation", "Agriculture and food"},
	{"jeunesse-formation", "Jeunesse et formation", "Youth and training"},
	{"sante", "Santé", "Health"},
	{"eau-assainissement", "Eau et assainissement", "Water and sanitation"},
}

// Themes returns the fixed list of themes, in display order. The caller owns
// the returned slice.
func Themes() []Theme {
	out := make([]Theme, len(themes))
	copy(out, themes[:])
	return out
}

// ThemeIndex returns the position of slug in Themes, or -1.
func ThemeIndex(slug string) int {
	for i, t := range themes {
		if t.Slug == slug {
			return i
		}
	}
	return -1
}

// ThemeBySlug returns the theme with that slug.
func ThemeBySlug(slug string) (Theme, bool) {
	if i := ThemeIndex(slug); i >= 0 {
		return themes[i], true
	}
	return Theme{}, false
}
