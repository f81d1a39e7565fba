package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/atlas-cooperation/atlas/internal/cache"
)

// handleHealth serves GET /healthz: the process is up.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// memory is what /readyz says of the memory budget.
type memory struct {
	Budget int64         `json:"budget"`
	Used   int64         `json:"used"`
	Pinned int64         `json:"pinned"`
	Caches []cache.Stats `json:"caches"`
}

// handleReady serves GET /readyz: 200 once a snapshot is loaded, 503 before;
// a store that reports itself degraded (e.g. database lost while serving the
// last snapshot) answers 200 with status "degraded". It also says what the
// caches hold of the memory budget.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	b := s.tiles.Budget()
	out := struct {
		Status  string `json:"status"`
		Version string `json:"version,omitempty"`
		Detail  string `json:"detail,omitempty"`
		Memory  memory `json:"memory"`
	}{Status: "ready", Memory: memory{Budget: b.Max(), Used: b.Used(), Pinned: b.Pinned(), Caches: b.Stats()}}
	code := http.StatusOK
	snap := s.snaps.Current()
	if snap != nil {
		out.Version = snap.Version()
	}
	if st, ok := s.snaps.(Statuser); ok {
		if ok, detail := st.Status(); !ok {
			out.Status, out.Detail = "degraded", detail
		}
	}
	if snap == nil {
		out.Status, code = "loading", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(out)
}
