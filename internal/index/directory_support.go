package index

import "github.com/atlas-cooperation/atlas/internal/atlas"

// Accessors used by the directory (fiches, "qui coopère avec", analyses).

// AuthorityPartnerships returns the partnerships of authority a, in load
// order. The slice is the snapshot's: do not modify it.
func (s *Snapshot) AuthorityPartnerships(a int32) []int32 { return s.authPships[a] }

// PartnerPartnerships returns the partnerships of partner p, in load order.
// The slice is the snapshot's: do not modify it.
func (s *Snapshot) PartnerPartnerships(p int32) []int32 { return s.partPships[p] }

// PartnershipThemeMask returns the themes of partnership i's projects as a
// bit set: bit k is atlas.Themes()[k].
func (s *Snapshot) PartnershipThemeMask(i int32) uint16 { return s.pThemes[i] }

// Fiche returns the fiche authority a keeps, if it has one.
func (s *Snapshot) Fiche(a int32) (atlas.Fiche, bool) {
	k, ok := s.ficheOf[a]
	if !ok {
		return atlas.Fiche{}, false
	}
	return s.ds.Fiches[k], true
}
