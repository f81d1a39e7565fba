package index

// Accessors used by the OGC API filter evaluation (package ogcapi), which
// reads partnership columns per candidate feature without building a
// property map.

// PartnershipThemeMask returns the union of the themes of partnership i's
// projects, bit t set for atlas.Themes()[t].
func (s *Snapshot) PartnershipThemeMask(i int32) uint16 { return s.pThemes[i] }

// PartnershipProjectCount returns the number of projects of partnership i.
func (s *Snapshot) PartnershipProjectCount(i int32) int { return len(s.pProjects[i]) }
