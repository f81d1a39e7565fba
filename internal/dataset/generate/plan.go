package generate

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// profile groups partner countries that share a history of cooperation with
// French local authorities: eras, kinds and themes.
type profile int

const (
	pNone profile = iota
	pWestEU
	pEastEU
	pSahel // Sahel and Madagascar
	pAfrica
	pMaghreb
	pMidEast
	pEastAsia
	pSEAsia
	pSouthAsia
	pLatAm
	pNorthAm
	pOceania
)

type profileParams struct {
	coopShare   float64 // share of non-jumelage partnerships (Scale N)
	amitieShare float64 // share of pactes d'amitié among non-jumelage partnerships
	jumFrom     int     // start years of twinnings
	jumTo       int
	coopFrom    int // start years of cooperation agreements
	coopTo      int
	jumBase     float64 // twinning weight added to the real count
	// themes weights in atlas.Themes() order: economie, education,
	// environnement, culture, gouvernance, tourisme, numerique, agriculture,
	// jeunesse, sante, eau.
	themes [11]float64
}

var profiles = map[profile]profileParams{
	pWestEU:    {0.25, 0.30, 1950, 1995, 1990, 2023, 10, [11]float64{4, 4, 4, 5, 1, 2, 2, 1, 5, 1, 0.3}},
	pEastEU:    {0.30, 0.30, 1990, 2015, 1992, 2022, 30, [11]float64{3, 3, 3, 5, 3, 2, 1.5, 1.5, 4, 1.5, 1}},
	pSahel:     {0.85, 0.10, 1975, 2005, 1982, 2018, 6, [11]float64{2, 2.5, 3, 2, 5, 0.5, 0.5, 5, 3, 4, 5}},
	pAfrica:    {0.80, 0.15, 1980, 2010, 1985, 2020, 4, [11]float64{2.5, 3, 3, 2, 4, 1, 1, 4, 3, 3.5, 4}},
	pMaghreb:   {0.60, 0.25, 1970, 2010, 1990, 2022, 4, [11]float64{3, 3, 3, 4, 3, 2, 1.5, 1.5, 3, 1.5, 2}},
	pMidEast:   {0.60, 0.30, 1985, 2020, 1990, 2022, 3, [11]float64{2.5, 3, 2, 4, 4, 1.5, 1, 1.5, 3, 2, 2}},
	pEastAsia:  {0.50, 0.40, 1985, 2022, 1990, 2024, 8, [11]float64{5, 4, 3, 4, 1, 2.5, 3, 1, 2, 1, 0.5}},
	pSEAsia:    {0.65, 0.25, 1990, 2015, 1992, 2022, 2, [11]float64{2.5, 3, 3, 3, 3, 1.5, 1, 3, 2, 2, 3}},
	pSouthAsia: {0.60, 0.30, 1995, 2022, 1995, 2024, 1, [11]float64{3, 3, 3, 3, 2, 1.5, 1.5, 2, 2, 2, 2}},
	pLatAm:     {0.55, 0.30, 2000, 2022, 2000, 2024, 3, [11]float64{2, 3, 3, 4, 3, 1.5, 1, 3, 2, 2, 2}},
	pNorthAm:   {0.30, 0.35, 1960, 2005, 1995, 2023, 10, [11]float64{4, 4, 3, 4, 1, 2, 2.5, 1, 3, 1, 0.5}},
	pOceania:   {0.40, 0.40, 1985, 2015, 1990, 2023, 1, [11]float64{3, 3, 4, 4, 1, 2, 1.5, 1.5, 2, 1, 1}},
}

// profileOf classifies a country with the world-countries region/subregion
// columns (used here only, never written to the dataset).
func profileOf(iso2, region, subregion string) profile {
	switch iso2 {
	case "ML", "BF", "SN", "NE", "MR", "TD", "MG":
		return pSahel
	case "MA", "DZ", "TN", "LY", "EG", "EH":
		return pMaghreb
	case "DE", "AT", "CH", "BE", "NL", "LU", "GB", "IE", "IT", "ES", "PT", "GR", "MT", "SE", "DK", "NO", "FI", "IS",
		"AD", "MC", "SM", "LI", "VA", "CY", "JE", "GG", "IM", "FO", "GI", "AX":
		return pWestEU
	case "US", "CA", "BM", "GL", "PM":
		return pNorthAm
	}
	switch region {
	case "Europe":
		return pEastEU
	case "Africa":
		return pAfrica
	case "Americas":
		return pLatAm
	case "Oceania":
		return pOceania
	case "Asia":
		switch subregion {
		case "Western Asia":
			return pMidEast
		case "Eastern Asia":
			return pEastAsia
		case "South-Eastern Asia":
			return pSEAsia
		default:
			return pSouthAsia
		}
	}
	return pNone
}

// publishedProjects are the published counts of projects of non-jumelage
// partnerships for the ten leading partner countries; every other country
// stays strictly below the last one.
var publishedProjects = []struct {
	iso2 string
	n    int
}{{"DE", 321}, {"ML", 265}, {"BF", 240}, {"SN", 222}, {"PL", 211}, {"GB", 172}, {"MG", 166}, {"MA", 160}, {"IT", 145}, {"ES", 135}}

// coopWeights is the relative weight of each country in cooperation
// agreements (other countries weigh 3). It also ranks the countries added to
// those of the real twinnings at Scale 1.
var coopWeights = func() map[string]float64 {
	m := map[string]float64{}
	for _, f := range strings.Fields(`NE:70 BJ:70 TG:55 CM:55 HT:70 VN:80 TN:80 DZ:55 LB:60 MR:40 GN:35 CI:50 CD:25 CG:20
		GA:15 TD:25 CF:10 KH:45 LA:25 PS:50 AM:35 BR:50 CL:25 AR:20 MX:25 CO:20 PE:20 BO:15 NI:20 CU:12 CA:60 US:75 JP:45
		CN:80 KR:30 IN:30 RO:70 HU:30 CZ:30 UA:40 MD:30 RU:12 LT:12 LV:10 EE:10 BE:70 PT:60 CH:40 LU:12 NL:25 AT:20 IE:20
		GR:20 HR:15 SK:15 SI:10 BG:20 RS:15 BA:12 AL:12 MK:10 XK:8 ME:6 TR:20 IL:15 EG:15 JO:12 BI:15 RW:15 KM:20 DJ:10
		CV:12 GW:8 ST:6 MU:10 SC:5 ZA:15 KE:10 ET:10 MZ:12 TZ:8 GH:10 NG:8 UG:8 MW:6 AO:6 EC:12 UY:10 PY:6 DO:10 GT:8
		SV:6 HN:6 CR:8 PA:5 TH:15 PH:10 ID:12 MY:8 MN:8 BD:6 NP:8 LK:6 IQ:5 GE:15 AZ:6 KZ:6 UZ:6 TW:8 AU:12 NZ:8 SL:6
		LR:5 GM:6 DK:8 SE:10 FI:8 NO:8 IS:3 MT:5 CY:6 MC:4 BY:4 SY:4 EH:1 JE:2`) {
		k, v, _ := strings.Cut(f, ":")
		var w float64
		fmt.Sscan(v, &w)
		m[k] = w
	}
	return m
}()

func coopWeight(iso2 string) float64 {
	if w, ok := coopWeights[iso2]; ok {
		return w
	}
	return 3
}

// synth is a synthetic partnership being planned.
type synth struct {
	country string
	kind    atlas.Kind
	nproj   int
	auth    int32
	partner int32
}

// weightedOrder returns the indexes 0..n-1 with a positive weight in a random
// order where heavier items tend to come first (Efraimidis–Spirakis): its
// first k items are a weighted sample without replacement.
func weightedOrder(r *rand.Rand, n int, w func(i int) float64) []int {
	type kv struct {
		key float64
		i   int
	}
	keys := make([]kv, 0, n)
	for i := 0; i < n; i++ {
		u := r.Float64()
		if wi := w(i); wi > 0 {
			keys = append(keys, kv{-math.Log(1-u) / wi, i})
		}
	}
	slices.SortFunc(keys, func(a, b kv) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.i, b.i)) })
	out := make([]int, len(keys))
	for j, k := range keys {
		out[j] = k.i
	}
	return out
}

// sampler draws indexes with probability proportional to their weight.
type sampler struct {
	cum []float64
	idx []int
}

func newSampler(idx []int, w func(i int) float64) *sampler {
	s := &sampler{idx: idx, cum: make([]float64, len(idx))}
	t := 0.0
	for j, i := range idx {
		t += w(i)
		s.cum[j] = t
	}
	return s
}

func (s *sampler) draw(r *rand.Rand) int {
	x := r.Float64() * s.cum[len(s.cum)-1]
	j, _ := slices.BinarySearch(s.cum, x)
	if j >= len(s.idx) {
		j = len(s.idx) - 1
	}
	return s.idx[j]
}

// largestRemainder splits total into integer parts proportional to w, each at
// least min.
func largestRemainder(total int, w []float64, min int) []int {
	out := make([]int, len(w))
	rest := total - min*len(w)
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	type fr struct {
		f float64
		i int
	}
	fracs := make([]fr, len(w))
	used := 0
	for i, x := range w {
		exact := float64(rest) * x / sum
		out[i] = min + int(exact)
		used += int(exact)
		fracs[i] = fr{exact - math.Floor(exact), i}
	}
	slices.SortFunc(fracs, func(a, b fr) int { return cmp.Or(cmp.Compare(b.f, a.f), cmp.Compare(a.i, b.i)) })
	for j := 0; used < rest; j++ {
		out[fracs[j%len(fracs)].i]++
		used++
	}
	return out
}

func (g *gen) prof(iso2 string) profileParams {
	return profiles[g.s.countries[g.s.countryIdx[iso2]].prof]
}

// realCounts counts the real twinnings by partner country.
func (g *gen) realCounts() map[string]int {
	m := map[string]int{}
	for _, m2 := range g.meta {
		m[g.partners[m2.partner].Country]++
	}
	return m
}

// usable reports whether a country can take synthetic partners.
func (g *gen) usable(c srcCountry) bool {
	return c.hasPolygon && c.prof != pNone && len(g.s.byCountry[c.ISO2]) > 0
}

// addCalibrated adds the Scale 1 synthetic complement, built so that every
// published figure holds exactly.
func (g *gen) addCalibrated() error {
	r := g.rng(1)
	realN := len(g.pships)
	nSynth := TargetPartnerships - realN
	real := g.realCounts()

	// 1. Countries: those of the real twinnings, then the heaviest cooperation
	// countries until there are TargetCountries.
	var countries, extra []string
	for _, c := range g.s.countries {
		if g.realCountries[c.ISO2] {
			countries = append(countries, c.ISO2)
		} else if g.usable(c) {
			extra = append(extra, c.ISO2)
		}
	}
	slices.SortStableFunc(extra, func(a, b string) int { return cmp.Compare(coopWeight(b), coopWeight(a)) })
	if need := TargetCountries - len(countries); need < 0 || need > len(extra) {
		return fmt.Errorf("dataset: generate: cannot reach %d countries from %d real ones", TargetCountries, len(countries))
	} else {
		countries = append(countries, extra[:need]...)
	}
	slices.Sort(countries)

	// 2. Non-jumelage partnerships and projects per country.
	fixed := map[string]int{}
	for _, p := range publishedProjects {
		fixed[p.iso2] = p.n
	}
	coop := make([]int, len(countries))
	proj := make([]int, len(countries))
	var otherIdx []int
	var otherW []float64
	for i, c := range countries {
		if n, ok := fixed[c]; ok {
			coop[i] = int(math.Round(float64(n) / 1.6))
			proj[i] = n
		} else {
			otherIdx = append(otherIdx, i)
			otherW = append(otherW, coopWeight(c))
		}
	}
	const otherCoop = 2200
	for j, n := range largestRemainder(otherCoop, otherW, 1) {
		i := otherIdx[j]
		coop[i] = min(n, 80)
		p := coop[i]
		for k := 0; k < coop[i]; k++ {
			switch x := r.Float64(); {
			case x < 0.15:
				p += 2
			case x < 0.45:
				p++
			}
		}
		proj[i] = min(p, fixed["ES"]-1)
	}
	totalCoop := 0
	for _, n := range coop {
		totalCoop += n
	}
	// 3. Synthetic jumelages: by real twinning count plus a profile base.
	jw := make([]float64, len(countries))
	for i, c := range countries {
		jw[i] = float64(real[c]) + g.prof(c).jumBase
	}
	jum := largestRemainder(nSynth-totalCoop, jw, 0)

	// 4. The synthetic partnerships, with their kinds and project counts.
	var syn []synth
	for i, c := range countries {
		pp := g.prof(c)
		for k := 0; k < jum[i]; k++ {
			syn = append(syn, synth{country: c, kind: atlas.Jumelage})
		}
		first := len(syn)
		for k := 0; k < coop[i]; k++ {
			kind := atlas.Cooperation
			if r.Float64() < pp.amitieShare {
				kind = atlas.Amitie
			}
			syn = append(syn, synth{country: c, kind: kind, nproj: 1})
		}
		for extra := proj[i] - coop[i]; extra > 0; {
			s := &syn[first+r.IntN(coop[i])]
			if s.nproj < 4 {
				s.nproj++
				extra--
			}
		}
	}
	if len(syn) != nSynth {
		return fmt.Errorf("dataset: generate: planned %d synthetic partnerships, want %d", len(syn), nSynth)
	}

	// 5. Partners: new places per country, then reuse within the country.
	if err := g.assignPartners(r, syn, countries, TargetPartners-len(g.partners)); err != nil {
		return err
	}
	// 6. Authorities: exactly the missing number of new ones, each used at
	// least once; régions and départements mostly carry the cooperation.
	if err := g.assignAuthorities(r, syn); err != nil {
		return err
	}
	r.Shuffle(len(syn), func(i, j int) { syn[i], syn[j] = syn[j], syn[i] })
	g.addSynth(g.rng(2), syn)
	return nil
}

func (g *gen) assignPartners(r *rand.Rand, syn []synth, countries []string, newTotal int) error {
	byC := map[string][]int{}
	for i, s := range syn {
		byC[s.country] = append(byC[s.country], i)
	}
	hasReal := map[string]bool{}
	for _, p := range g.partners {
		hasReal[p.Country] = true
	}
	free := func(c string) int {
		n := 0
		for _, pi := range g.s.byCountry[c] {
			if g.placePartner[pi] < 0 {
				n++
			}
		}
		return n
	}
	capOf := make([]int, len(countries))
	ideal := make([]float64, len(countries))
	nNew := make([]int, len(countries))
	sumS := len(syn)
	sum := 0
	for i, c := range countries {
		capOf[i] = min(len(byC[c]), free(c))
		ideal[i] = float64(len(byC[c])) * float64(newTotal) / float64(sumS)
		nNew[i] = min(int(ideal[i]), capOf[i])
		if nNew[i] == 0 && !hasReal[c] {
			nNew[i] = 1
		}
		sum += nNew[i]
	}
	for sum != newTotal {
		best, bestGap := -1, math.Inf(-1)
		for i := range countries {
			gap := ideal[i] - float64(nNew[i])
			if sum < newTotal && nNew[i] < capOf[i] && gap > bestGap {
				best, bestGap = i, gap
			}
			if sum > newTotal && nNew[i] > 1 && -gap > bestGap {
				best, bestGap = i, -gap
			}
		}
		if best < 0 {
			return fmt.Errorf("dataset: generate: cannot place %d new partners", newTotal)
		}
		if sum < newTotal {
			nNew[best]++
			sum++
		} else {
			nNew[best]--
			sum--
		}
	}
	for i, c := range countries {
		places := g.s.byCountry[c]
		order := weightedOrder(r, len(places), func(j int) float64 {
			if g.placePartner[places[j]] >= 0 {
				return 0
			}
			return float64(g.s.places[places[j]].pop) + 500
		})
		idx := byC[c]
		r.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for k := 0; k < nNew[i]; k++ {
			syn[idx[k]].partner = g.placeAsPartner(places[order[k]], "")
		}
		var pool []int
		for _, pi := range places {
			if g.placePartner[pi] >= 0 {
				pool = append(pool, int(g.placePartner[pi]))
			}
		}
		for j, p := range g.partners {
			if p.GeonameID == 0 && p.Country == c {
				pool = append(pool, j)
			}
		}
		if len(pool) == 0 {
			return fmt.Errorf("dataset: generate: no partner in %s", c)
		}
		smp := newSampler(pool, func(j int) float64 { return math.Sqrt(float64(g.partners[j].Population)) + 20 })
		for _, k := range idx[nNew[i]:] {
			syn[k].partner = int32(smp.draw(r))
		}
	}
	return nil
}

// activity is how many partnerships an authority tends to carry.
func activity(a atlas.Authority) float64 {
	switch a.Type {
	case atlas.Region:
		return 30
	case atlas.Departement:
		return 10
	case atlas.Groupement:
		return 2.5
	}
	return 1 + float64(a.Population)/100000
}

func (g *gen) selectable(i int) bool {
	a := g.s.auths[i]
	return g.s.hasPoint[i] && a.Population > 0
}

func (g *gen) assignAuthorities(r *rand.Rand, syn []synth) error {
	realUsed := 0
	for _, u := range g.authUsed {
		if u {
			realUsed++
		}
	}
	need := TargetAuthorities - realUsed
	chosen := make([]bool, len(g.s.auths))
	var newAuth []int
	take := func(i int) {
		chosen[i] = true
		newAuth = append(newAuth, i)
	}
	for i, a := range g.s.auths {
		if !g.authUsed[i] && g.selectable(i) && (a.Type == atlas.Region || a.Type == atlas.Departement) {
			take(i)
		}
	}
	for _, typ := range []atlas.AuthorityType{atlas.Groupement, atlas.Commune} {
		n := need - len(newAuth)
		if typ == atlas.Groupement {
			n = 300
		}
		order := weightedOrder(r, len(g.s.auths), func(i int) float64 {
			if g.s.auths[i].Type != typ || g.authUsed[i] || chosen[i] || !g.selectable(i) {
				return 0
			}
			return float64(g.s.auths[i].Population)
		})
		for _, i := range order[:n] {
			take(i)
		}
	}
	var all []int
	for i := range g.s.auths {
		if g.authUsed[i] || chosen[i] {
			all = append(all, i)
		}
	}
	smp := newSampler(all, func(i int) float64 { return activity(g.s.auths[i]) })
	slots := slices.Clone(newAuth)
	for len(slots) < len(syn) {
		slots = append(slots, smp.draw(r))
	}
	var terr, local []int // territorial (région, département) and local slots
	for _, i := range slots {
		if t := g.s.auths[i].Type; t == atlas.Region || t == atlas.Departement {
			terr = append(terr, i)
		} else {
			local = append(local, i)
		}
	}
	r.Shuffle(len(terr), func(i, j int) { terr[i], terr[j] = terr[j], terr[i] })
	r.Shuffle(len(local), func(i, j int) { local[i], local[j] = local[j], local[i] })
	order := r.Perm(len(syn))
	for _, k := range order {
		s := &syn[k]
		queues := []*[]int{&local, &terr}
		if s.kind != atlas.Jumelage {
			queues = []*[]int{&terr, &local}
		}
		ok := false
		for _, q := range queues {
			for j, a := range *q {
				if !g.hasPair(int32(a), s.partner) {
					(*q)[0], (*q)[j] = (*q)[j], (*q)[0]
					*q = (*q)[1:]
					s.auth = int32(a)
					g.pairs[pairKey(s.auth, s.partner)] = struct{}{}
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return fmt.Errorf("dataset: generate: no free authority for a partnership in %s", s.country)
		}
	}
	return nil
}

// addSynth appends the planned partnerships with their years and status.
func (g *gen) addSynth(r *rand.Rand, syn []synth) {
	n := len(g.pships)
	g.pships = slices.Grow(g.pships, len(syn))
	g.meta = slices.Grow(g.meta, len(syn))
	g.nproj = slices.Grow(g.nproj, len(syn))
	for k, s := range syn {
		pp := g.prof(s.country)
		from, to := pp.jumFrom, pp.jumTo
		if s.kind != atlas.Jumelage {
			from, to = pp.coopFrom, pp.coopTo
		}
		year := from + int(float64(to-from+1)*(r.Float64()+r.Float64())/2)
		year = min(year, 2025)
		pInactive := 0.05 + 0.40*float64(2025-year)/75
		g.addPartnership(atlas.Partnership{ID: fmt.Sprintf("SYN-%06d", k+1), Kind: s.kind, StartYear: year,
			Active: r.Float64() >= pInactive, Provenance: atlas.Synthetic}, s.auth, s.partner)
		g.nproj[n+k] = uint8(s.nproj)
	}
}

// addScaled adds the uncalibrated complement of Scale N > 1: authorities
// from every collectivité, partners from every world place.
func (g *gen) addScaled() error {
	r := g.rng(3)
	nSynth := g.opt.Scale*TargetPartnerships - len(g.pships)
	real := g.realCounts()
	var cidx []int
	for i, c := range g.s.countries {
		if g.usable(c) {
			cidx = append(cidx, i)
		}
	}
	csmp := newSampler(cidx, func(i int) float64 {
		c := g.s.countries[i]
		return coopWeight(c.ISO2) + float64(real[c.ISO2]) + profiles[c.prof].jumBase
	})
	var aidx []int
	for i := range g.s.auths {
		if g.selectable(i) {
			aidx = append(aidx, i)
		}
	}
	asmp := newSampler(aidx, func(i int) float64 {
		a := g.s.auths[i]
		switch a.Type {
		case atlas.Region:
			return 400
		case atlas.Departement:
			return 120
		case atlas.Groupement:
			return 3 + float64(a.Population)/20000
		}
		return 0.2 + float64(a.Population)/4000
	})
	psmp := map[string]*sampler{}
	for _, i := range cidx {
		c := g.s.countries[i].ISO2
		psmp[c] = newSampler(g.s.byCountry[c], func(pi int) float64 { return math.Pow(float64(g.s.places[pi].pop), 0.7) + 50 })
	}
	syn := make([]synth, nSynth)
	for k := range syn {
		c := g.s.countries[csmp.draw(r)]
		pp := profiles[c.prof]
		s := synth{country: c.ISO2, kind: atlas.Jumelage}
		if r.Float64() < pp.coopShare {
			s.kind = atlas.Cooperation
			if r.Float64() < pp.amitieShare {
				s.kind = atlas.Amitie
			}
			s.nproj = 1
			switch x := r.Float64(); {
			case x < 0.15:
				s.nproj = 3
			case x < 0.45:
				s.nproj = 2
			}
		}
		found := false
		for try := 0; try < 100 && !found; try++ {
			a := int32(asmp.draw(r))
			pi := psmp[c.ISO2].draw(r)
			p := g.placePartner[pi]
			if p >= 0 && g.hasPair(a, p) {
				continue
			}
			if p < 0 {
				p = g.placeAsPartner(pi, "")
			}
			s.auth, s.partner = a, p
			g.pairs[pairKey(a, p)] = struct{}{}
			found = true
		}
		if !found {
			return fmt.Errorf("dataset: generate: no free (authority, partner) pair in %s", c.ISO2)
		}
		syn[k] = s
	}
	g.addSynth(g.rng(2), syn)
	return nil
}
