package index

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
	if r, ok := s.regionByID[code]; ok {
		return s.ds.RegionShapes[r].Name
	}
	if n, ok := s.regionNames[code]; ok {
		return n
	}
	return code
}

// DepartementName returns the name of the département with that INSEE code
// (an overseas collectivity counts as its own département), or the code
// itself when unknown.
func (s *Snapshot) DepartementName(code string) string {
	if d, ok := s.deptByID[code]; ok {
		return s.ds.DepartementShapes[d].Name
	}
	if n, ok := s.deptNames[code]; ok {
		return n
	}
	return code
}
