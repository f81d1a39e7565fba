package index

import "github.com/atlas-cooperation/atlas/internal/atlas"

// Accessors used by the vector tile renderer (package tiles).

// AuthorityAreas returns the indices, in Dataset().RegionShapes and
// Dataset().DepartementShapes, of the région and département of authority a;
// -1 when unknown or not applicable (a région has no département).
func (s *Snapshot) AuthorityAreas(a int32) (region, departement int32) {
	return s.authRegion[a], s.authDept[a]
}

// PartnershipCountry returns the index in Dataset().Countries of the country
// of partnership i's partner.
func (s *Snapshot) PartnershipCountry(i int32) int32 { return s.pCountry[i] }

// CountryIndex returns the index in Dataset().Countries of the country with
// that ISO2 code, or -1.
func (s *Snapshot) CountryIndex(iso2 string) int32 {
	if c, ok := s.countryByID[iso2]; ok {
		return c
	}
	return -1
}

// RegionName returns the name of the région with that INSEE code (an
// overseas collectivity such as Polynésie française counts as its own
// région), or the code itself when unknown.
func (s *Snapshot) RegionName(code string) string {
	return areaName(code, s.regionByID, s.ds.RegionShapes, s.regionNames)
}

// DepartementName returns the name of the département with that INSEE code
// (an overseas collectivity counts as its own département), or the code
// itself when unknown.
func (s *Snapshot) DepartementName(code string) string {
	return areaName(code, s.deptByID, s.ds.DepartementShapes, s.deptNames)
}

// areaName names an area by its boundary, else by its authority.
func areaName(code string, byID map[string]int32, shapes []atlas.Boundary, names map[string]string) string {
	if i, ok := byID[code]; ok {
		return shapes[i].Name
	}
	if n, ok := names[code]; ok {
		return n
	}
	return code
}
