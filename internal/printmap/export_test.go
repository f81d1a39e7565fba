package printmap

import (
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Panels returns the captions of the panels chosen for the country view of
// iso2 (one empty caption for the single frame).
func Panels(snap *index.Snapshot, iso2 string, o Options) ([]string, error) {
	o.defaults()
	country, ok := snap.Country(iso2)
	if !ok {
		return nil, atlas.ErrNotFound
	}
	ids, sel, err := snap.Items(index.LayerPartnerships, atlas.Filter{Countries: []string{iso2}})
	if err != nil {
		return nil, err
	}
	var caps []string
	for _, p := range newMap(snap, testFamily(), country, ids, sel, o).panels {
		caps = append(caps, p.caption)
	}
	return caps, nil
}
