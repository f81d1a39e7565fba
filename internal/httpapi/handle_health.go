package httpapi

import (
	"encoding/json"
	"net/http"
)

// handleHealth serves GET /healthz: the process is up.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// handleReady serves GET /readyz: 200 once a snapshot is loaded, 503 before;
// a store that reports itself degraded (e.g. database lost while serving the
// last snapshot) answers 200 with status "degraded".
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Status  string `json:"status"`
		Version string `json:"version,omitempty"`
		Detail  string `json:"detail,omitempty"`
	}{Status: "ready"}
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
