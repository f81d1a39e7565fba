package index

// Accessors used by the query planner's residual predicates (package
// query), which read partnership columns per candidate feature without
// building a property map.

// PartnershipThemes returns the slugs of the themes of partnership i's
// projects, in display order. The slice is the snapshot's own: read it, do
// not modify it.
func (s *Snapshot) PartnershipThemes(i int32) []string { return s.themeList(s.pThemes[i]).items }

// PartnershipProjectCount returns the number of projects of partnership i.
func (s *Snapshot) PartnershipProjectCount(i int32) int { return len(s.pProjects[i]) }
