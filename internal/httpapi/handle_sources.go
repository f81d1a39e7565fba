package httpapi

import (
	"net/http"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

type sourceJSON struct {
	ID         string `json:"id"`
	Covers     string `json:"covers"`
	Holder     string `json:"holder"`
	Credit     string `json:"credit"`
	Licence    string `json:"licence"`
	LicenceURL string `json:"licence_url,omitempty"`
	URL        string `json:"url,omitempty"`
	OnMap      bool   `json:"on_map"`
}

// shareJSON counts the records of one kind by provenance.
type shareJSON struct {
	Total     int     `json:"total"`
	Real      int     `json:"real"`
	Synthetic int     `json:"synthetic"`
	RealShare float64 `json:"real_share"` // real / total, 0 when there is none
}

func share(real, total int) shareJSON {
	s := shareJSON{Total: total, Real: real, Synthetic: total - real}
	if total > 0 {
		s.RealShare = float64(real) / float64(total)
	}
	return s
}

// handleSources serves GET /api/sources: the data's sources with the credits
// their licences require (the one list geodata/ATTRIBUTION is written from),
// and how much of the data is real: the pages' map attribution and their
// data notice read it.
func (s *Server) handleSources(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	// The counts are /api/stats?by=provenance's, so the notice and the
	// figures never disagree.
	var shares [2]shareJSON
	for i, unit := range []string{"partnerships", "projects"} {
		st, err := snap.Stats("provenance", unit, atlas.Filter{})
		if err != nil {
			return err
		}
		real := 0
		for _, g := range st.Groups {
			if g.Key == string(atlas.Real) {
				real = g.Count
			}
		}
		shares[i] = share(real, st.Total)
	}
	out := struct {
		Version      string       `json:"version"`
		Credits      string       `json:"credits"`
		Sources      []sourceJSON `json:"sources"`
		Partnerships shareJSON    `json:"partnerships"`
		Projects     shareJSON    `json:"projects"`
	}{Version: snap.Version(), Credits: atlas.Credits(),
		Partnerships: shares[0], Projects: shares[1]}
	for _, src := range atlas.DataSources() {
		out.Sources = append(out.Sources, sourceJSON(src))
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/sources"), out)
}
