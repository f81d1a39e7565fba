package printmap

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/tdewolff/canvas"
)

// Reference places: so that a reader finds his way in the partner country,
// its panel also shows the country's capital and its most populous places
// (GeoNames, CC BY 4.0: geodata/sources/world_places.csv, the file the
// partners were matched against) that are not partners on the map, as
// small squares with their names, placed after the partners' names.

// mainPlaces is how many places of a country are kept, capital included.
const mainPlaces = 10

// place is a reference place.
type place struct {
	geonameID int64
	name      string
	point     orb.Point
	capital   bool
}

// gazetteer returns the main places of every country, by ISO2: its capital
// first, then by population, at most mainPlaces; read once per process.
var gazetteer = sync.OnceValues(func() (map[string][]place, error) {
	f, err := geodata.Sources().Open("world_places.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readPlaces(f)
})

// readPlaces reads a world_places.csv table (geonameid, name, asciiname,
// country_iso2, admin1_code, population, lat, lon, feature_code, …).
func readPlaces(r io.Reader) (map[string][]place, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("world_places.csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, h := range []string{"geonameid", "name", "country_iso2", "population", "lat", "lon", "feature_code"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("world_places.csv: no %s column", h)
		}
	}
	type row struct {
		place
		pop int64
	}
	all := map[string][]row{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("world_places.csv: %w", err)
		}
		id, e1 := strconv.ParseInt(rec[col["geonameid"]], 10, 64)
		pop, e2 := strconv.ParseInt(rec[col["population"]], 10, 64)
		lat, e3 := strconv.ParseFloat(rec[col["lat"]], 64)
		lon, e4 := strconv.ParseFloat(rec[col["lon"]], 64)
		if err := errors.Join(e1, e2, e3, e4); err != nil {
			return nil, fmt.Errorf("world_places.csv:%d: %w", line, err)
		}
		c := rec[col["country_iso2"]]
		all[c] = append(all[c], row{place{id, strings.Clone(rec[col["name"]]), orb.Point{lon, lat}, rec[col["feature_code"]] == "PPLC"}, pop})
	}
	out := make(map[string][]place, len(all))
	for c, rows := range all {
		slices.SortStableFunc(rows, func(a, b row) int {
			if a.capital != b.capital {
				if a.capital {
					return -1
				}
				return 1
			}
			return cmp.Compare(b.pop, a.pop)
		})
		rows = rows[:min(len(rows), mainPlaces)]
		ps := make([]place, len(rows))
		for i, r := range rows {
			ps[i] = r.place
		}
		out[c] = ps
	}
	return out, nil
}

// referencePlaces returns the main places of the map's partner country that
// are not partners it draws (the same GeoNames place, or the same name
// within 10 km).
func (m *countryMap) referencePlaces() []place {
	g, err := gazetteer()
	if err != nil {
		return nil // the map is drawn without them
	}
	ds := m.snap.Dataset()
	var out []place
next:
	for _, pl := range g[m.country.ISO2] {
		for _, p := range m.partners {
			pt := ds.Partners[p]
			if pt.GeonameID == pl.geonameID || (strings.EqualFold(pt.Name, pl.name) && geo.Distance(pt.Point, pl.point) < 10_000) {
				continue next
			}
		}
		out = append(out, pl)
	}
	return out
}

// placeSide is the side of a reference place's square, mm.
const placeSide = 1.1

// drawPlace draws a reference place's square: filled for the capital.
func drawPlace(ctx *canvas.Context, x, y float64, capital bool) {
	ctx.SetStrokeColor(inkColor)
	ctx.SetStrokeWidth(0.2)
	ctx.SetFillColor(canvas.White)
	if capital {
		ctx.SetFillColor(inkColor)
	}
	ctx.DrawPath(x-placeSide/2, y-placeSide/2, canvas.Rectangle(placeSide, placeSide))
}
