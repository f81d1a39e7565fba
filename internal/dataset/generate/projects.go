package generate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// Theme indexes in atlas.Themes() order.
const (
	thEconomie = iota
	thEducation
	thEnvironnement
	thCulture
	thGouvernance
	thTourisme
	thNumerique
	thAgriculture
	thJeunesse
	thSante
	thEau
)

// themeCover is a published theme figure: exactly n projects, in exactly
// countries partner countries, with exactly authorities French authorities
// and partners partners (a negative value is not constrained).
type themeCover struct {
	theme                               int
	n, countries, authorities, partners int
}

var publishedThemes = []themeCover{
	{thEconomie, 1063, 94, 402, -1},
	{thTourisme, 180, 50, 96, -1},
	{thNumerique, 77, -1, 56, 71},
}

// titleTemplates are the French project titles of each theme: {p} is the
// partner's name, {de_p} "de"/"d'" + that name, {a} the French authority with
// its article.
var titleTemplates = [11][]string{
	thEconomie: {"Appui aux filières économiques locales à {p}", "Économie sociale et solidaire entre {a} et {p}",
		"Soutien à l'entrepreneuriat local à {p}", "Développement des marchés et de l'artisanat {de_p}"},
	thEducation: {"Partenariat universitaire entre {a} et {p}", "Construction et équipement d'écoles à {p}",
		"Échanges scolaires entre {a} et {p}"},
	thEnvironnement: {"Plan climat et transition énergétique à {p}", "Électrification solaire des équipements publics {de_p}",
		"Gestion des déchets ménagers à {p}", "Reboisement et protection des sols à {p}"},
	thCulture: {"Valorisation du patrimoine historique {de_p}", "Saison culturelle croisée entre {a} et {p}",
		"Coopération entre les bibliothèques et musées {de_p} et de France", "Festival des cultures partagées à {p}"},
	thGouvernance: {"Renforcement des capacités de la collectivité {de_p}", "Appui à l'état civil et aux finances locales à {p}",
		"Aide d'urgence aux populations {de_p}", "Démocratie participative et budget local à {p}"},
	thTourisme: {"Développement du tourisme durable à {p}", "Promotion touristique croisée entre {a} et {p}",
		"Itinéraires de découverte du patrimoine {de_p}"},
	thNumerique: {"Modernisation numérique des services municipaux {de_p}", "Espace public numérique à {p}",
		"Formation aux outils numériques entre {a} et {p}"},
	thAgriculture: {"Appui aux producteurs agricoles {de_p}", "Sécurité alimentaire et maraîchage à {p}",
		"Circuits courts et coopératives agricoles à {p}"},
	thJeunesse: {"Échanges de jeunes entre {a} et {p}", "Formation professionnelle des jeunes à {p}",
		"Chantiers de jeunes volontaires à {p}"},
	thSante: {"Appui au centre de santé {de_p}", "Santé maternelle et infantile à {p}", "Accès aux soins de proximité à {p}"},
	thEau: {"Accès à l'eau potable à {p}", "Assainissement et gestion des eaux usées à {p}",
		"Forages et gestion communautaire de l'eau à {p}"},
}

func de(name string) string {
	if name != "" && strings.ContainsRune("aeiouyh", rune(fold(name)[0])) {
		return "d'" + name
	}
	return "de " + name
}

func authorityLabel(a atlas.Authority) string {
	switch a.Type {
	case atlas.Region:
		return "la Région " + a.Name
	case atlas.Departement:
		return "le Département " + a.Name
	}
	return a.Name
}

// addProjects gives every non-jumelage partnership its projects, then tags
// them with themes: at Scale 1 the published theme figures are built first
// by exact cover, the other themes are drawn by partner region.
func (g *gen) addProjects() error {
	r := g.rng(4)
	var owner []int32 // partnership index of each project
	for i, n := range g.nproj {
		p := g.pships[i]
		for k := 0; k < int(n); k++ {
			year := p.StartYear + r.IntN(min(12, 2025-p.StartYear)+1)
			g.projects = append(g.projects, atlas.Project{ID: fmt.Sprintf("PRJ-%06d", len(g.projects)+1), PartnershipID: p.ID,
				StartYear: year, Provenance: atlas.Synthetic})
			owner = append(owner, int32(i))
		}
	}
	themes := atlas.Themes()
	assigned := make([][]int, len(g.projects))
	excluded := map[int]bool{}
	if g.opt.Scale == 1 {
		for _, tc := range publishedThemes {
			in, err := g.cover(g.rng(uint64(10+tc.theme)), owner, tc)
			if err != nil {
				return err
			}
			for j, ok := range in {
				if ok {
					assigned[j] = append(assigned[j], tc.theme)
				}
			}
			excluded[tc.theme] = true
		}
	}
	for j := range g.projects {
		m := g.meta[owner[j]]
		partner := g.partners[m.partner]
		pp := g.prof(partner.Country)
		want := 1
		switch x := r.Float64(); {
		case x > 0.85:
			want = 3
		case x > 0.5:
			want = 2
		}
		ts := assigned[j]
		for len(ts) < want {
			t := drawTheme(r, pp.themes, func(t int) bool { return excluded[t] || slices.Contains(ts, t) })
			ts = append(ts, t)
		}
		rest := slices.Clone(ts[1:])
		slices.Sort(rest)
		ts = append(ts[:1], rest...)
		g.projects[j].Themes = make([]string, len(ts))
		for k, t := range ts {
			g.projects[j].Themes[k] = themes[t].Slug
		}
		tpl := titleTemplates[ts[0]]
		title := strings.NewReplacer("{de_p}", de(partner.Name), "{p}", partner.Name, "{a}", authorityLabel(g.s.auths[m.auth])).
			Replace(tpl[r.IntN(len(tpl))])
		g.projects[j].Title = title
	}
	return nil
}

func drawTheme(r *rand.Rand, w [11]float64, skip func(int) bool) int {
	total := 0.0
	for t, x := range w {
		if !skip(t) {
			total += x
		}
	}
	u := r.Float64() * total
	last := -1
	for t, x := range w {
		if skip(t) {
			continue
		}
		last = t
		if u < x {
			return t
		}
		u -= x
	}
	return last
}

// cover chooses exactly the projects of one published theme figure: first
// one project in each of the chosen countries, then projects bringing new
// French authorities (and partners), then projects that add nothing new
// until the count is reached. Every choice is weighted by how plausible the
// theme is in the partner's region and by how active the authority is.
func (g *gen) cover(r *rand.Rand, owner []int32, tc themeCover) ([]bool, error) {
	n := len(owner)
	country := func(j int) string { return g.partners[g.meta[owner[j]].partner].Country }
	auth := func(j int) int32 { return g.meta[owner[j]].auth }
	partner := func(j int) int32 { return g.meta[owner[j]].partner }
	themeW := func(j int) float64 { return g.prof(country(j)).themes[tc.theme] }
	in := make([]bool, n)
	cs, as, ps := map[string]bool{}, map[int32]bool{}, map[int32]bool{}
	count := 0
	add := func(j int) {
		in[j] = true
		count++
		cs[country(j)] = true
		as[auth(j)] = true
		ps[partner(j)] = true
	}
	allowed := func(j int) bool { return tc.countries < 0 || cs[country(j)] }
	order := weightedOrder(r, n, func(j int) float64 { return themeW(j) * activity(g.s.auths[auth(j)]) })

	if tc.countries >= 0 {
		byC := map[string][]int{}
		var names []string
		for j := range n {
			c := country(j)
			if byC[c] == nil {
				names = append(names, c)
			}
			byC[c] = append(byC[c], j)
		}
		slices.Sort(names)
		corder := weightedOrder(r, len(names), func(i int) float64 {
			js := byC[names[i]]
			return themeW(js[0]) * float64(len(js))
		})
		if len(corder) < tc.countries {
			return nil, fmt.Errorf("dataset: generate: theme %d: only %d countries have projects", tc.theme, len(corder))
		}
		for _, ci := range corder[:tc.countries] {
			js := byC[names[ci]]
			pick := js[0]
			for _, k := range weightedOrder(r, len(js), func(k int) float64 { return activity(g.s.auths[auth(js[k])]) }) {
				if !as[auth(js[k])] {
					pick = js[k]
					break
				}
			}
			add(pick)
		}
	}
	for _, j := range order {
		if len(as) >= tc.authorities {
			break
		}
		if !in[j] && allowed(j) && !as[auth(j)] && (tc.partners < 0 || (!ps[partner(j)] && len(ps) < tc.partners)) {
			add(j)
		}
	}
	if tc.partners >= 0 {
		for _, j := range order {
			if len(ps) >= tc.partners {
				break
			}
			if !in[j] && allowed(j) && as[auth(j)] && !ps[partner(j)] {
				add(j)
			}
		}
	}
	for _, j := range order {
		if count >= tc.n {
			break
		}
		if !in[j] && allowed(j) && as[auth(j)] && (tc.partners < 0 || ps[partner(j)]) {
			add(j)
		}
	}
	if count != tc.n || len(as) != tc.authorities || (tc.countries >= 0 && len(cs) != tc.countries) ||
		(tc.partners >= 0 && len(ps) != tc.partners) {
		return nil, fmt.Errorf("dataset: generate: theme %d: built %d projects, %d countries, %d authorities, %d partners; want %+v",
			tc.theme, count, len(cs), len(as), len(ps), tc)
	}
	return in, nil
}
