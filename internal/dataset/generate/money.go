package generate

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// The money side of the synthetic complement (Scale 1 only): APD
// declarations whose yearly totals are the published ones, and the
// ministry's calls for projects with their applications. Every row is
// synthetic; no authority, partnership or project is added or changed.

// APDYear is the APD of all French collectivités in one year, in euros.
type APDYear struct {
	Year     int
	Total    int64
	Refugees int64 // of which aid to refugees in France (DAC 93010)
	// Source: "senat-r12-123", "seed-deck", "press-daect" (published) or
	// "interpolated" (2011–2014 and 2019: linear between published years;
	// refugees of 2019 and 2020 at the 2018 share).
	Source string
}

// APDTargets returns the yearly totals the declarations are built to sum
// to exactly, 2003–2020: the published figures, and linear interpolation
// between them where none is published.
func APDTargets() []APDYear {
	published := map[int]APDYear{
		2003: {Total: 45_400_000, Source: "senat-r12-123"}, 2004: {Total: 46_600_000, Source: "senat-r12-123"},
		2005: {Total: 45_500_000, Source: "senat-r12-123"}, 2006: {Total: 57_600_000, Source: "senat-r12-123"},
		2007: {Total: 62_200_000, Source: "senat-r12-123"}, 2008: {Total: 72_500_000, Source: "senat-r12-123"},
		2009: {Total: 69_700_000, Source: "senat-r12-123"}, 2010: {Total: 60_500_000, Source: "senat-r12-123"},
		2015: {Total: 59_600_000, Source: "seed-deck"},
		2016: {Total: 82_900_000, Refugees: 34_400_000, Source: "press-daect"},
		2017: {Total: 100_600_000, Refugees: 50_000_000, Source: "press-daect"},
		2018: {Total: 116_000_000, Refugees: 66_400_000, Source: "press-daect"},
		2020: {Total: 122_000_000, Source: "press-daect"},
	}
	var out []APDYear
	for y := 2003; y <= 2020; y++ {
		t, ok := published[y]
		if !ok {
			lo, hi := y-1, y+1
			for _, ok := published[lo]; !ok; _, ok = published[lo] {
				lo--
			}
			for _, ok := published[hi]; !ok; _, ok = published[hi] {
				hi++
			}
			a, b := published[lo].Total, published[hi].Total
			t = APDYear{Total: a + (b-a)*int64(y-lo)/int64(hi-lo), Source: "interpolated"}
		}
		t.Year = y
		if y > 2018 {
			// At the 2018 share of refugees, rounded to the euro.
			t.Refugees = (t.Total*66_400_000 + 58_000_000) / 116_000_000
		}
		out = append(out, t)
	}
	return out
}

// Figures of 2015 the declarations are built to match (seed deck).
const (
	APD2015Countries    = 101       // beneficiary countries
	APD2015Agriculture  = 6_000_000 // DAC category 311, the third category
	AgricultureCategory = "311"
)

// Figures of the calls for projects (seed deck).
const (
	ClimatLaureates      = 36
	ClimatRequestedEUR   = 5_420_000 // the laureates' projects, more than 5 M€
	JeunesseLaureates    = 28
	JeunesseParticipants = 320
)

// themeCategories gives, for each theme, the DAC categories its lines are
// drawn from, the first one most often (see atlas.SectorTheme).
var themeCategories = map[string][]string{
	"economie-durable":             {"250", "240", "321", "331"},
	"education-recherche":          {"111", "112", "113", "114"},
	"environnement-climat-energie": {"410", "232", "231", "236"},
	"culture-patrimoine":           {"160"},
	"gouvernance-humanitaire":      {"151", "152", "720", "730", "740"},
	"tourisme":                     {"332"},
	"numerique":                    {"220"},
	"agriculture-alimentation":     {"311", "312", "313", "520"},
	"jeunesse-formation":           {"113"}, // 11330, vocational training
	"sante":                        {"121", "122", "123", "130"},
	"eau-assainissement":           {"140"},
}

// humanitarianFirst are the countries an emergency line goes to first when
// a collectivité gives through an association or a fund to a country it
// has no partnership with (earthquakes, cyclones, wars of the period).
var humanitarianFirst = []string{"NP", "VU", "SY", "LB", "JO", "IQ", "HT", "PH", "YE", "SS", "CF", "SO", "MM", "AF", "PK", "BD",
	"ER", "LR", "SL", "GN", "NE", "TD", "SD", "ET", "KE", "UG", "MW", "MZ", "ZW", "ZM", "AO", "CD", "BI", "RW", "TZ", "LS"}

// frenchTerritories are DAC recipients that are French: never beneficiaries.
var frenchTerritories = map[string]bool{"WF": true, "YT": true, "PF": true, "NC": true}

// lineDraft is an APD line before its amount is known.
type lineDraft struct {
	decl   int // index in the year's declarations
	line   atlas.APDLine
	weight float64
}

// declarer is a collectivité that declares APD.
type declarer struct {
	auth     int // index in ds.Authorities
	weight   float64
	first    int     // first year it declares
	regular  float64 // probability it declares a year after the first
	refugees bool    // it funds the reception of refugees (from 2016)
	cands    []int   // its partnerships (indexes in ds.Partnerships) that lines go to
}

// addMoney adds the APD declarations, calls and applications to ds.
func (g *gen) addMoney(ds *atlas.Dataset, sectors []atlas.Sector, eligible map[string]bool) error {
	for c := range frenchTerritories {
		delete(eligible, c)
	}
	m := newMoney(g, ds, sectors, eligible)
	if err := m.apd(); err != nil {
		return err
	}
	return m.calls()
}

type money struct {
	g        *gen
	ds       *atlas.Dataset
	eligible map[string]bool
	codes    map[string][]string // category → its five-digit codes

	country    []string      // partner country of each partnership
	pshipsOf   map[int][]int // authority index → its partnerships
	projectsOf map[int][]int // partnership index → its projects
	themeW     map[string]float64
}

func newMoney(g *gen, ds *atlas.Dataset, sectors []atlas.Sector, eligible map[string]bool) *money {
	m := &money{g: g, ds: ds, eligible: eligible, codes: map[string][]string{}, pshipsOf: map[int][]int{},
		projectsOf: map[int][]int{}, themeW: map[string]float64{}}
	for _, s := range sectors {
		m.codes[s.Category] = append(m.codes[s.Category], s.Code)
	}
	partnerCountry := map[string]string{}
	for _, p := range ds.Partners {
		partnerCountry[p.ID] = p.Country
	}
	authIdx := map[string]int{}
	for i, a := range ds.Authorities {
		authIdx[a.ID] = i
	}
	pshipIdx := map[string]int{}
	m.country = make([]string, len(ds.Partnerships))
	for i, p := range ds.Partnerships {
		m.country[i] = partnerCountry[p.PartnerID]
		pshipIdx[p.ID] = i
		a := authIdx[p.AuthorityID]
		m.pshipsOf[a] = append(m.pshipsOf[a], i)
	}
	for j, pr := range ds.Projects {
		k := pshipIdx[pr.PartnershipID]
		m.projectsOf[k] = append(m.projectsOf[k], j)
		for _, t := range pr.Themes {
			m.themeW[t]++
		}
	}
	return m
}

// sector draws a DAC purpose code for a theme: a category of the theme
// (its first one half of the time), then one of its codes, so that
// atlas.SectorTheme gives the theme back.
func (m *money) sector(r *rand.Rand, theme string) string {
	if theme == "jeunesse-formation" {
		return "11330"
	}
	cats := themeCategories[theme]
	c := cats[0]
	if len(cats) > 1 && r.Float64() >= 0.5 {
		c = cats[1+r.IntN(len(cats)-1)]
	}
	codes := m.codes[c]
	for {
		// 11330, vocational training, is the youth theme's (atlas.SectorTheme).
		if code := codes[r.IntN(len(codes))]; code != "11330" {
			return code
		}
	}
}

// randomTheme draws a theme in proportion to the projects' themes.
func (m *money) randomTheme(r *rand.Rand) string {
	var total float64
	for _, t := range atlas.ThemeSlugs() {
		total += m.themeW[t]
	}
	x := r.Float64() * total
	for _, t := range atlas.ThemeSlugs() {
		if x -= m.themeW[t]; x < 0 {
			return t
		}
	}
	return "gouvernance-humanitaire"
}

func channel(r *rand.Rand) atlas.Channel {
	switch x := r.Float64(); {
	case x < 0.74:
		return atlas.ChannelDirect
	case x < 0.90:
		return atlas.ChannelAssociation
	case x < 0.96:
		return atlas.ChannelCollectivite
	}
	return atlas.ChannelMultilateral
}

// declarers picks the collectivités that declare APD: those with
// cooperation partnerships mostly, every région, nearly every département,
// the larger groupements and communes, each weighted by its type and
// population.
func (m *money) declarers(r *rand.Rand) []declarer {
	var out []declarer
	for ai, a := range m.ds.Authorities {
		coop := false
		var cands []int
		for _, k := range m.pshipsOf[ai] {
			p := m.ds.Partnerships[k]
			if p.Kind == atlas.Cooperation {
				coop = true
			}
			if p.Kind != atlas.Jumelage || m.eligible[m.country[k]] {
				cands = append(cands, k)
			}
		}
		if !coop || len(cands) == 0 {
			continue
		}
		pop := float64(max(a.Population, 1000))
		var p, factor float64
		switch a.Type {
		case atlas.Region:
			p, factor = 1, 4
		case atlas.Departement:
			p, factor = 0.95, 2.5
		case atlas.Groupement:
			p, factor = 0.25, 1.2
			if pop >= 200_000 {
				p = 0.8
			}
		default:
			p, factor = 0.08, 1
			switch {
			case pop >= 50_000:
				p = 0.8
			case pop >= 10_000:
				p = 0.4
			}
		}
		if r.Float64() >= p {
			continue
		}
		d := declarer{auth: ai, cands: cands, weight: factor * math.Pow(pop, 0.7) * math.Exp(0.4*r.NormFloat64()), regular: 0.92}
		switch {
		case a.Type == atlas.Region:
			d.first, d.regular = 2003, 1
		case a.Type == atlas.Departement && r.Float64() < 0.7:
			d.first = 2003
		case a.Type == atlas.Departement:
			d.first = 2004 + r.IntN(9)
		default:
			d.first = 2003 + r.IntN(14)
		}
		switch {
		case a.Type == atlas.Region || a.Type == atlas.Departement:
			d.refugees = r.Float64() < 0.75
		case pop >= 50_000:
			d.refugees = r.Float64() < 0.3
		}
		out = append(out, d)
	}
	return out
}

// apd builds the declarations of 2003–2020.
func (m *money) apd() error {
	r := m.g.rng(100)
	decls := m.declarers(r)
	for _, t := range APDTargets() {
		var year []atlas.APDDeclaration
		var drafts []lineDraft
		var who []int // declarer index of each declaration
		for di, d := range decls {
			if t.Year < d.first || (t.Year > d.first && r.Float64() >= d.regular) {
				continue
			}
			ls := m.lines(r, len(year), d, t.Year)
			if len(ls) == 0 {
				continue // none of its partnerships had begun
			}
			year = append(year, atlas.APDDeclaration{AuthorityID: m.ds.Authorities[d.auth].ID, Year: t.Year, Status: atlas.APDDeclared,
				Version: 1, Provenance: atlas.Synthetic})
			who = append(who, di)
			drafts = append(drafts, ls...)
		}
		if len(year) == 0 {
			return fmt.Errorf("dataset: generate: no APD declaration in %d", t.Year)
		}
		if t.Year == 2015 {
			drafts = m.fixCountries(r, drafts, year, APD2015Countries)
			cs := map[string]bool{}
			for _, d := range drafts {
				if d.line.Country != "" {
					cs[d.line.Country] = true
				}
			}
			if len(cs) != APD2015Countries {
				return fmt.Errorf("dataset: generate: APD 2015 reaches %d countries, want %d", len(cs), APD2015Countries)
			}
		} else {
			// A few emergency lines, through an association or a fund.
			for di := range year {
				if r.Float64() < 0.06 {
					c := humanitarianFirst[r.IntN(len(humanitarianFirst))]
					e := m.emergency(r, di, c)
					e.weight = decls[who[di]].weight / 10
					drafts = append(drafts, e)
				}
			}
		}
		amounts, err := m.amounts(drafts, t)
		if err != nil {
			return err
		}
		for i, d := range drafts {
			d.line.AmountEUR = amounts[i]
			year[d.decl].Lines = append(year[d.decl].Lines, d.line)
		}
		if t.Refugees > 0 {
			var ws []float64
			var ks []int
			for k, di := range who {
				if decls[di].refugees {
					ws = append(ws, decls[di].weight)
					ks = append(ks, k)
				}
			}
			for i, a := range splitEuros(t.Refugees, ws) {
				year[ks[i]].Lines = append(year[ks[i]].Lines, atlas.APDLine{AmountEUR: a, Sector: atlas.SectorRefugees,
					Channel: atlas.ChannelDirect, Refugees: true})
			}
		}
		for _, d := range year {
			if len(d.Lines) == 0 || len(d.Lines) > atlas.MaxAPDLines {
				return fmt.Errorf("dataset: generate: APD %s %d: %d lines", d.AuthorityID, d.Year, len(d.Lines))
			}
		}
		m.ds.APD = append(m.ds.APD, year...)
	}
	// By authority in load order, then year.
	idx := map[string]int{}
	for i, a := range m.ds.Authorities {
		idx[a.ID] = i
	}
	slices.SortStableFunc(m.ds.APD, func(a, b atlas.APDDeclaration) int {
		return cmp.Or(cmp.Compare(idx[a.AuthorityID], idx[b.AuthorityID]), cmp.Compare(a.Year, b.Year))
	})
	return nil
}

// lines drafts one declaration's lines: some of the declarer's
// partnerships begun by that year (or of unknown start), each with one of its projects running that year when it has
// one, its sector drawn from the project's themes, its country the
// partner's when ODA-eligible.
func (m *money) lines(r *rand.Rand, decl int, d declarer, year int) []lineDraft {
	var out []lineDraft
	var total float64
	for _, k := range d.cands {
		p := m.ds.Partnerships[k]
		if p.StartYear > year {
			continue
		}
		if r.Float64() >= 0.75 && len(out) > 0 {
			continue
		}
		if len(out) == 15 {
			break
		}
		l := atlas.APDLine{PartnershipID: p.ID, Channel: channel(r)}
		if m.eligible[m.country[k]] {
			l.Country = m.country[k]
		}
		var running []int
		for _, j := range m.projectsOf[k] {
			if m.ds.Projects[j].StartYear <= year {
				running = append(running, j)
			}
		}
		var theme string
		switch {
		case len(running) > 0 && r.Float64() < 0.8:
			pr := m.ds.Projects[running[r.IntN(len(running))]]
			l.ProjectID = pr.ID
			theme = pr.Themes[r.IntN(len(pr.Themes))]
		case len(m.projectsOf[k]) > 0:
			pr := m.ds.Projects[m.projectsOf[k][r.IntN(len(m.projectsOf[k]))]]
			theme = pr.Themes[r.IntN(len(pr.Themes))]
		default:
			theme = m.randomTheme(r)
		}
		l.Sector = m.sector(r, theme)
		w := 0.3 + 1.4*r.Float64()
		if l.Country != "" {
			w *= 1.5
		}
		total += w
		out = append(out, lineDraft{decl: decl, line: l, weight: w})
	}
	for i := range out {
		out[i].weight *= d.weight / total
	}
	return out
}

// emergency is an emergency line of declaration di to country c.
func (m *money) emergency(r *rand.Rand, di int, c string) lineDraft {
	codes := m.codes["720"]
	ch := atlas.ChannelAssociation
	if r.Float64() < 0.3 {
		ch = atlas.ChannelMultilateral
	}
	return lineDraft{decl: di, line: atlas.APDLine{Country: c, Sector: codes[r.IntN(len(codes))], Channel: ch}, weight: 0}
}

// fixCountries makes the year's lines reach exactly want beneficiary
// countries: emergency lines to the eligible countries no partnership line
// reaches, given by the larger declarers (their weight a tenth of the
// declarer's); or, past want, the emergency lines dropped.
func (m *money) fixCountries(r *rand.Rand, drafts []lineDraft, year []atlas.APDDeclaration, want int) []lineDraft {
	have := map[string]bool{}
	for _, d := range drafts {
		if d.line.Country != "" {
			have[d.line.Country] = true
		}
	}
	var missing []string
	for _, c := range humanitarianFirst {
		if m.eligible[c] && !have[c] {
			missing = append(missing, c)
		}
	}
	var rest []string
	for c := range m.eligible {
		if !have[c] && !slices.Contains(missing, c) {
			rest = append(rest, c)
		}
	}
	slices.Sort(rest)
	r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	missing = append(missing, rest...)
	// Declaration weights, to give the emergency lines to the larger ones.
	w := make([]float64, len(year))
	for _, d := range drafts {
		w[d.decl] += d.weight
	}
	order := make([]int, len(year))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(w[b], w[a]) })
	top := order[:max(1, len(order)/5)]
	for i := 0; len(have) < want && i < len(missing); i++ {
		di := top[r.IntN(len(top))]
		e := m.emergency(r, di, missing[i])
		e.weight = w[di] / 10
		drafts = append(drafts, e)
		have[missing[i]] = true
	}
	return drafts
}

// amounts gives the lines of a year their amounts, in proportion to their
// weights, summing exactly to the year's total less its refugees. In 2015
// the agriculture category (311) gets APD2015Agriculture and ranks third:
// the others are capped below it from the third on, the first two raised
// to 7 M€ at least.
func (m *money) amounts(drafts []lineDraft, t APDYear) ([]int64, error) {
	total := t.Total - t.Refugees
	w := make([]float64, len(drafts))
	for i, d := range drafts {
		w[i] = d.weight
		if w[i] == 0 {
			w[i] = 1e-9
		}
	}
	if t.Year != 2015 {
		return splitEuros(total, w), nil
	}
	// By category: 311 its figure, the others in proportion to their weight,
	// then capped below it from the third on (the excess to the first two).
	byCat := map[string][]int{}
	catW := map[string]float64{}
	for i, d := range drafts {
		c := d.line.Sector[:3]
		byCat[c] = append(byCat[c], i)
		catW[c] += w[i]
	}
	if len(byCat[AgricultureCategory]) == 0 {
		return nil, fmt.Errorf("dataset: generate: APD 2015 has no agriculture line")
	}
	var cats []string
	for c := range byCat {
		if c != AgricultureCategory {
			cats = append(cats, c)
		}
	}
	slices.Sort(cats)
	slices.SortStableFunc(cats, func(a, b string) int { return cmp.Compare(catW[b], catW[a]) })
	cw := make([]float64, len(cats))
	for i, c := range cats {
		cw[i] = catW[c]
	}
	target := splitEuros(total-APD2015Agriculture, cw)
	const capEUR = APD2015Agriculture * 9 / 10
	var excess int64
	for i := 2; i < len(target); i++ {
		if target[i] > capEUR {
			excess += target[i] - capEUR
			target[i] = capEUR
		}
	}
	target[0] += excess / 2
	target[1] += excess - excess/2
	// The first two at least 7 M€, taken from the others in proportion.
	const floorEUR = 7_000_000
	for i := 0; i < 2; i++ {
		if d := floorEUR - target[i]; d > 0 {
			rest := make([]float64, len(target)-2)
			for k := range rest {
				rest[k] = float64(target[k+2])
			}
			for k, x := range splitEuros(d, rest) {
				target[k+2] -= x
			}
			target[i] = floorEUR
		}
	}
	out := make([]int64, len(drafts))
	put := func(ks []int, amount int64) {
		ws := make([]float64, len(ks))
		for i, k := range ks {
			ws[i] = w[k]
		}
		for i, a := range splitEuros(amount, ws) {
			out[ks[i]] = a
		}
	}
	put(byCat[AgricultureCategory], APD2015Agriculture)
	for i, c := range cats {
		put(byCat[c], target[i])
	}
	return out, nil
}

// splitEuros splits total into whole parts in proportion to w, each
// at least 1 when total allows, summing exactly to total.
func splitEuros(total int64, w []float64) []int64 {
	out := make([]int64, len(w))
	if len(w) == 0 {
		return out
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, len(w))
	var given int64
	for i, x := range w {
		q := float64(total) * x / sum
		out[i] = int64(math.Floor(q))
		given += out[i]
		rems[i] = rem{i, q - math.Floor(q)}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.f, a.f) })
	for k := 0; given < total; k = (k + 1) % len(rems) {
		out[rems[k].i]++
		given++
	}
	for given > total { // float rounding: take back from the largest
		i := slices.Index(out, slices.Max(out))
		out[i]--
		given--
	}
	// No zero part: take from the largest.
	for i := range out {
		if out[i] == 0 && total >= int64(len(out)) {
			j := slices.Index(out, slices.Max(out))
			out[j]--
			out[i]++
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Calls for projects

// callSpec describes one call and how many applications of each status it
// received.
type callSpec struct {
	atlas.Call
	laureates, refused, admissible, deposited int
	minReq, maxReq                            int64 // euros requested by one application
}

func callSpecs() []callSpec {
	c := func(id, title string, kind atlas.CallKind, themes, countries []string, opens, closes string) atlas.Call {
		return atlas.Call{ID: id, Title: title, Kind: kind, Themes: themes, Countries: countries, Opens: opens, Closes: closes,
			Provenance: atlas.Synthetic}
	}
	climat := []string{"environnement-climat-energie"}
	jeunesse := []string{"jeunesse-formation"}
	return []callSpec{
		{c("AAP-2015-CLIMAT", "Appel à projets Climat 2015", atlas.CallThematique, climat, nil, "2015-01-12", "2015-03-31"), 20, 9, 0, 0, 0, 0},
		{c("AAP-2016-CLIMAT", "Appel à projets Climat 2016", atlas.CallThematique, climat, nil, "2016-01-11", "2016-03-31"), 16, 8, 0, 0, 0, 0},
		{c("AAP-2016-JEUNESSE", "Appel à projets Jeunesse 2016", atlas.CallThematique, jeunesse, nil, "2016-02-01", "2016-04-15"), 15, 6, 0, 0, 15_000, 60_000},
		{c("AAP-2017", "Appel à projets annuel 2017", atlas.CallAnnual, nil, nil, "2017-01-09", "2017-03-31"), 40, 15, 0, 0, 20_000, 150_000},
		{c("AAP-2017-JEUNESSE", "Appel à projets Jeunesse 2017", atlas.CallThematique, jeunesse, nil, "2017-02-06", "2017-04-14"), 13, 5, 0, 0, 15_000, 60_000},
		{c("AAP-2018", "Appel à projets annuel 2018", atlas.CallAnnual, nil, nil, "2018-01-08", "2018-03-30"), 42, 14, 0, 0, 20_000, 150_000},
		{c("AAP-2019-2021", "Appel à projets triennal 2019-2021", atlas.CallTriennial, nil, nil, "2018-10-01", "2019-01-31"), 60, 20, 0, 0, 60_000, 400_000},
		{c("AAP-2019-MAROC", "Appel à projets France–Maroc 2019", atlas.CallBilateral, nil, []string{"MA"}, "2019-03-04", "2019-05-31"), 12, 4, 0, 0, 20_000, 100_000},
		{c("AAP-2020", "Appel à projets annuel 2020", atlas.CallAnnual, nil, nil, "2020-01-13", "2020-04-30"), 35, 12, 0, 0, 20_000, 150_000},
		{c("AAP-2022-2024", "Appel à projets triennal 2022-2024", atlas.CallTriennial, nil, nil, "2021-10-04", "2022-01-31"), 58, 18, 0, 0, 60_000, 400_000},
		{c("AAP-2023", "Appel à projets annuel 2023", atlas.CallAnnual, nil, nil, "2023-01-09", "2023-03-31"), 38, 12, 0, 0, 20_000, 150_000},
		{c("AAP-2024", "Appel à projets annuel 2024", atlas.CallAnnual, nil, nil, "2024-01-08", "2024-03-29"), 40, 13, 0, 0, 20_000, 150_000},
		{c("AAP-2026", "Appel à projets annuel 2026", atlas.CallAnnual, nil, nil, "2026-01-12", "2026-04-30"), 25, 8, 5, 0, 20_000, 150_000},
		{c("AAP-2027", "Appel à projets annuel 2027", atlas.CallAnnual, nil, nil, "2026-11-02", "2027-01-29"), 0, 0, 0, 6, 20_000, 150_000},
	}
}

// lastDeposit is the last day a synthetic application is deposited on: the
// open call's applications are all before it.
const lastDeposit = "2026-12-04"

// continentOf returns the continent (world-countries region) of a country.
func (m *money) continentOf(iso2 string) string {
	if i, ok := m.g.s.countryIdx[iso2]; ok {
		return m.g.s.countries[i].region
	}
	return ""
}

// Continents the Climat laureates span.
var climatContinents = []string{"Africa", "Americas", "Asia", "Europe", "Oceania"}

// calls builds the calls and their applications: each application an
// existing project of its collectivité matching the call's themes and
// countries (its title, its partner country), the laureates first.
func (m *money) calls() error {
	r := m.g.rng(101)
	specs := callSpecs()
	pshipIdx := map[string]int{}
	for i, p := range m.ds.Partnerships {
		pshipIdx[p.ID] = i
	}
	// Climat laureates' requested amounts: ClimatRequestedEUR in hundreds.
	climatReq := make([]float64, ClimatLaureates)
	for i := range climatReq {
		climatReq[i] = 0.5 + r.Float64()
	}
	climat := splitEuros(ClimatRequestedEUR/100, climatReq)
	jeunesseW := make([]float64, JeunesseLaureates)
	for i := range jeunesseW {
		jeunesseW[i] = 0.5 + r.Float64()
	}
	young := largestRemainder(JeunesseParticipants, jeunesseW, 4)
	climatN, jeunesseN := 0, 0
	for _, sp := range specs {
		call := sp.Call
		opens, _ := time.Parse(time.DateOnly, call.Opens)
		closes, _ := time.Parse(time.DateOnly, call.Closes)
		if last, _ := time.Parse(time.DateOnly, lastDeposit); closes.After(last) {
			closes = last
		}
		year := opens.Year()
		if opens.Month() >= 10 {
			year++
		}
		// Candidate projects: of the call's themes and countries, running
		// around the call's year.
		var all, near []int
		for j, pr := range m.ds.Projects {
			k := pshipIdx[pr.PartnershipID]
			if len(call.Themes) > 0 && !slices.ContainsFunc(pr.Themes, func(t string) bool { return slices.Contains(call.Themes, t) }) {
				continue
			}
			if len(call.Countries) > 0 && !slices.Contains(call.Countries, m.country[k]) {
				continue
			}
			all = append(all, j)
			if pr.StartYear >= year-4 && pr.StartYear <= year+1 {
				near = append(near, j)
			}
		}
		n := sp.laureates + sp.refused + sp.admissible + sp.deposited
		cands := slices.Clone(all)
		if len(near) >= n {
			cands = near
		}
		if len(cands) < n {
			return fmt.Errorf("dataset: generate: call %s: %d projects for %d applications", call.ID, len(cands), n)
		}
		r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		picked := cands[:n]
		if call.ID == "AAP-2015-CLIMAT" || call.ID == "AAP-2016-CLIMAT" {
			m.spanContinents(picked[:sp.laureates], all, pshipIdx)
		}
		var apps []atlas.Application
		var granted int64
		for i, j := range picked {
			pr := m.ds.Projects[j]
			k := pshipIdx[pr.PartnershipID]
			a := atlas.Application{CallID: call.ID, AuthorityID: m.ds.Partnerships[k].AuthorityID, ProjectID: pr.ID, Title: pr.Title,
				Country: m.country[k], Provenance: atlas.Synthetic}
			days := int(closes.Sub(opens).Hours() / 24)
			a.Deposited = opens.AddDate(0, 0, 1+r.IntN(max(days, 1))).Format(time.DateOnly)
			switch {
			case i < sp.laureates:
				a.Status = atlas.AppLaureate
			case i < sp.laureates+sp.refused:
				a.Status = atlas.AppRefused
			case i < sp.laureates+sp.refused+sp.admissible:
				a.Status = atlas.AppAdmissible
			default:
				a.Status = atlas.AppDeposited
			}
			lo, hi := sp.minReq, sp.maxReq
			if lo == 0 {
				lo, hi = 50_000, 300_000
			}
			a.RequestedEUR = (lo + r.Int64N(hi-lo+1)) / 100 * 100
			if a.Status == atlas.AppLaureate {
				switch call.ID {
				case "AAP-2015-CLIMAT", "AAP-2016-CLIMAT":
					a.RequestedEUR = climat[climatN] * 100
					climatN++
				case "AAP-2016-JEUNESSE", "AAP-2017-JEUNESSE":
					a.Participants = young[jeunesseN]
					jeunesseN++
				}
				a.GrantedEUR = max(100, int64(float64(a.RequestedEUR)*(0.35+0.25*r.Float64()))/100*100)
				granted += a.GrantedEUR
			} else if slices.Contains(call.Themes, "jeunesse-formation") {
				a.Participants = 4 + r.IntN(20)
			}
			apps = append(apps, a)
		}
		// Ids in order of deposit.
		slices.SortStableFunc(apps, func(a, b atlas.Application) int { return cmp.Compare(a.Deposited, b.Deposited) })
		for i := range apps {
			apps[i].ID = fmt.Sprintf("%s-%03d", call.ID, i+1)
		}
		call.BudgetEUR = (granted/100_000 + 1) * 100_000
		if sp.admissible+sp.deposited > 0 {
			call.BudgetEUR += 1_000_000
		}
		m.ds.Calls = append(m.ds.Calls, call)
		m.ds.Applications = append(m.ds.Applications, apps...)
	}
	slices.SortStableFunc(m.ds.Calls, func(a, b atlas.Call) int { return cmp.Compare(a.ID, b.ID) })
	order := map[string]int{}
	for i, c := range m.ds.Calls {
		order[c.ID] = i
	}
	slices.SortStableFunc(m.ds.Applications, func(a, b atlas.Application) int {
		return cmp.Or(cmp.Compare(order[a.CallID], order[b.CallID]), cmp.Compare(a.ID, b.ID))
	})
	return nil
}

// spanContinents makes the laureates span climatContinents: for each
// continent none of them is on, an unlocked laureate is replaced by a
// project of all on it that is not already picked.
func (m *money) spanContinents(laureates, all []int, pshipIdx map[string]int) {
	cont := func(j int) string { return m.continentOf(m.country[pshipIdx[m.ds.Projects[j].PartnershipID]]) }
	locked := make([]bool, len(laureates))
	for _, c := range climatContinents {
		if i := slices.IndexFunc(laureates, func(j int) bool { return cont(j) == c }); i >= 0 {
			locked[i] = true
			continue
		}
		slot := slices.Index(locked, false)
		for _, j := range all {
			if cont(j) == c && !slices.Contains(laureates, j) {
				laureates[slot] = j
				locked[slot] = true
				break
			}
		}
	}
}
