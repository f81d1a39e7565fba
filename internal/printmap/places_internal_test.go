package printmap

import (
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

// The partner country's main places that are not partners, and the names
// of the régions that do not take part, are on the maps.
func TestPlacesAndRegionNames(t *testing.T) {
	snap := testkit.Snapshot(t)
	fam := testFamily()
	ds := snap.Dataset()
	placedNames := func(m *countryMap) (points, areas []string) {
		labels, _, _ := m.layoutLabels(fam)
		for _, ls := range labels {
			for _, l := range ls {
				if !l.placed {
					continue
				}
				if l.own < 0 {
					areas = append(areas, l.text)
				} else {
					points = append(points, l.text)
				}
			}
		}
		return points, areas
	}

	// Japan: Tokyo is no partner of the map, and is its capital.
	m, _, _ := countryMapOf(t, snap, "JP", [2]float64{297, 210})
	if len(m.places) == 0 || m.places[0].name != "Tokyo" || !m.places[0].capital {
		t.Fatalf("JP places %+v, want Tokyo first, as the capital", m.places)
	}
	points, _ := placedNames(m)
	if !slices.Contains(points, "Tokyo") {
		t.Errorf("JP: Tokyo not named (names %q)", points)
	}
	// No reference place is a partner drawn on the map.
	for _, pl := range m.places {
		for _, p := range m.partners {
			if ds.Partners[p].GeonameID == pl.geonameID {
				t.Errorf("JP: %s is a partner and a reference place", pl.name)
			}
		}
	}

	// Bénin: région names in capitals, none of a participating région.
	m, _, _ = countryMapOf(t, snap, "BJ", [2]float64{297, 210})
	taking := map[string]bool{}
	for _, a := range m.auths {
		if au := ds.Authorities[a]; au.Type == atlas.Region {
			taking[strings.ToUpper(snap.RegionName(au.Region))] = true
		}
	}
	_, areas := placedNames(m)
	if len(areas) < 3 {
		t.Errorf("BJ: %d région names placed (%q), want at least 3", len(areas), areas)
	}
	for _, a := range areas {
		if taking[a] || a != strings.ToUpper(a) {
			t.Errorf("BJ: région name %q (participating: %v)", a, taking)
		}
	}
}

func TestReadPlacesNamesTheLine(t *testing.T) {
	in := "geonameid,name,asciiname,country_iso2,admin1_code,population,lat,lon,feature_code,keep_reason\n" +
		"1,A,A,BJ,01,10,6.3,2.4,PPLC,pop\n" +
		"2,B,B,BJ,01,ten,6.3,2.4,PPL,pop\n"
	_, err := readPlaces(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "world_places.csv:3") {
		t.Fatalf("err = %v, want one naming world_places.csv:3", err)
	}
	g, err := readPlaces(strings.NewReader(in[:strings.LastIndex(in[:len(in)-1], "\n")+1]))
	if err != nil || len(g["BJ"]) != 1 || !g["BJ"][0].capital {
		t.Fatalf("places %+v, %v", g, err)
	}
}

// The start-years chart takes the column's free height when there is one,
// and counts every partnership with a known year.
func TestStartYearsChart(t *testing.T) {
	snap := testkit.Snapshot(t)
	m, _, ids := countryMapOf(t, snap, "JP", [2]float64{210, 297})
	if m.chart == (rect{}) {
		t.Fatal("JP A4 portrait: no start-years chart")
	}
	if m.chart.x0 != m.legendX || m.chart.y1 > m.legendTop {
		t.Errorf("chart %+v outside the legend column (x %g, top %g)", m.chart, m.legendX, m.legendTop)
	}
	sum, known := 0, 0
	for _, c := range m.decades() {
		sum += c
	}
	for _, i := range ids {
		if snap.Dataset().Partnerships[i].StartYear != 0 {
			known++
		}
	}
	if sum != known {
		t.Errorf("chart counts %d partnerships, %d have a start year", sum, known)
	}
}
