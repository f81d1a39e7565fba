package ogcapi

import (
	"fmt"
	"slices"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// The money side's collections, which are not layers of the index: they
// have no tiles and take no CQL2 filter.
const (
	CollectionAPD   = "apd"
	CollectionCalls = "calls"
)

// MoneyCollections returns the ids of the money side's collections.
func MoneyCollections() []string { return []string{CollectionAPD, CollectionCalls} }

// IsMoneyCollection reports whether id is one of MoneyCollections.
func IsMoneyCollection(id string) bool { return slices.Contains(MoneyCollections(), id) }

// MoneyCollection returns the description of a money collection, or an
// error wrapping atlas.ErrNotFound.
func MoneyCollection(snap *index.Snapshot, base, id string) (CollectionDoc, error) {
	cb := base + "/collections/" + id
	doc := CollectionDoc{ID: id, ItemType: "feature", CRS: []string{CRS84}, StorageCRS: CRS84,
		Links: []Link{
			{cb, "self", TypeJSON, "this collection", false},
			{cb + "?f=html", "alternate", TypeHTML, "this collection (HTML)", false},
			{cb + "/items", "items", TypeGeoJSON, "features", false},
			{cb + "/items?f=html", "items", TypeHTML, "features (HTML)", false},
			{cb + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", TypeSchema, "queryables", false},
		}}
	switch id {
	case CollectionAPD:
		doc.Title = "APD reçue par pays"
		doc.Description = "One feature per country that received APD (aide publique au développement) declared by French collectivités, at the country's label point, with the sums of the declared lines of the years since to until (parameters of items; all years by default). No CQL2 filter, no tiles."
		doc.Extent = CollectionExtent{Spatial: SpatialExtent{BBox: [][4]float64{Extent(snap, index.LayerCountries)}, CRS: CRS84}}
	case CollectionCalls:
		doc.Title = "Appels à projets"
		doc.Description = "The ministry's calls for projects, without geometry, with their status today and the counts of their applications. No CQL2 filter, no tiles."
		doc.Extent = CollectionExtent{Spatial: SpatialExtent{BBox: [][4]float64{{-180, -90, 180, 90}}, CRS: CRS84}}
	default:
		return CollectionDoc{}, fmt.Errorf("collection %q: %w", id, atlas.ErrNotFound)
	}
	return doc, nil
}

// MoneyQueryables returns the JSON Schema of a money collection's
// properties (what its features carry; they take no CQL2 filter).
func MoneyQueryables(base, id string) (QueryablesDoc, error) {
	q := func(typ, desc string) Queryable { return Queryable{Type: typ, Description: desc} }
	var props map[string]Queryable
	title := ""
	switch id {
	case CollectionAPD:
		title = "APD reçue par pays"
		props = map[string]Queryable{
			"iso2":          q("string", "ISO 3166-1 alpha-2"),
			"name":          q("string", "French name"),
			"name_en":       q("string", "English name"),
			"apd_eur":       q("integer", "APD received, euros, declared lines of the years since to until"),
			"lines":         q("integer", "declared lines"),
			"authorities":   q("integer", "distinct declaring collectivités"),
			"synthetic_eur": q("integer", "of which from the synthetic complement, euros"),
			"since":         q("integer", "first year counted, absent when open"),
			"until":         q("integer", "last year counted, absent when open"),
			"geometry":      {Format: "geometry-point", Role: "primary-geometry", Description: "the country's label point"},
		}
	case CollectionCalls:
		title = "Appels à projets"
		props = map[string]Queryable{
			"id":                    q("string", "call id"),
			"title":                 q("string", "title"),
			"kind":                  {Type: "string", Enum: conv(atlas.CallKinds()), Description: "kind of call"},
			"status":                {Type: "string", Enum: []string{"open", "closed", "upcoming"}, Description: "status today"},
			"opens":                 q("string", "first day, YYYY-MM-DD"),
			"closes":                q("string", "last day, YYYY-MM-DD"),
			"budget_eur":            q("integer", "budget, euros"),
			"applications":          q("integer", "applications"),
			"laureates":             q("integer", "laureates"),
			"requested_eur":         q("integer", "co-financing requested by every application, euros"),
			"granted_eur":           q("integer", "co-financing granted to the laureates, euros"),
			"participants":          q("integer", "young people sent abroad by the laureates"),
			"application_countries": q("integer", "distinct partner countries of the applications"),
		}
	default:
		return QueryablesDoc{}, fmt.Errorf("collection %q: %w", id, atlas.ErrNotFound)
	}
	for k, p := range props {
		p.Title = k
		props[k] = p
	}
	return QueryablesDoc{Schema: "https://json-schema.org/draft/2020-12/schema", ID: base + "/collections/" + id + "/queryables",
		Type: "object", Title: title, Properties: props}, nil
}
