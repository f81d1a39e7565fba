package postgis_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// The bourse-projets on the database: the ministry publishes a request for
// Cotonou; it is on the public list and map layer after the refresh, with
// collectivités ranked for it; a collectivité expresses its interest, which
// the ministry alone sees; closed, the request takes no more interest.
func TestBourseProjets(t *testing.T) {
	srv, _, token, count := declServer(t)
	ministry := token(postgis.TokenSpec{Ministry: true})
	lyon := token(postgis.TokenSpec{Authority: "69123"})
	req := `{"partner_id":"2394819","themes":["eau-assainissement","sante"],"description":"Cotonou cherche une collectivité française pour l'assainissement de ses quartiers.",
		"sought_types":["commune","groupement"],"min_population":50000,"languages":["fr"],"valid_until":"2099-12-31"}`

	for name, c := range map[string]struct {
		token, body string
		want        int
	}{
		"no token":          {"", req, http.StatusUnauthorized},
		"a collectivité":    {lyon, req, http.StatusForbidden},
		"an admin":          {token(postgis.TokenSpec{Admin: true}), req, http.StatusForbidden},
		"unknown partner":   {ministry, strings.Replace(req, "2394819", "NOPE", 1), http.StatusUnprocessableEntity},
		"partner and place": {ministry, strings.Replace(req, `"partner_id":"2394819",`, `"partner_id":"2394819","name":"Cotonou",`, 1), http.StatusUnprocessableEntity},
		"no theme":          {ministry, strings.Replace(req, `["eau-assainissement","sante"]`, `[]`, 1), http.StatusUnprocessableEntity},
	} {
		if code, out := call(t, srv, "POST", "/api/bourse", c.token, c.body); code != c.want {
			t.Errorf("%s: %d %v, want %d", name, code, out, c.want)
		}
	}
	if n := count(`SELECT count(*) FROM atlas_requests`); n != 0 {
		t.Fatalf("refused writes left %d requests", n)
	}
	code, rec := call(t, srv, "POST", "/api/bourse", ministry, req)
	if code != http.StatusCreated || rec["name"] != "Cotonou" || rec["country"] != "BJ" || rec["status"] != "open" {
		t.Fatalf("publish: %d %v", code, rec)
	}
	id := rec["id"].(string)
	// A new place, with its own point.
	newPlace := `{"name":"Ouidah","country":"BJ","point":[2.08506,6.36307],"themes":["culture-patrimoine"],"description":"Ouidah cherche un partenaire pour son patrimoine.","languages":["fr","en"],"valid_until":"2099-06-30"}`
	if code, out := call(t, srv, "POST", "/api/bourse", ministry, newPlace); code != http.StatusCreated {
		t.Fatalf("new place: %d %v", code, out)
	}

	eventually(t, 30*time.Second, "the requests served", func() bool {
		_, list := call(t, srv, "GET", "/api/bourse?country=BJ", "", "")
		rs, _ := list["requests"].([]any)
		return len(rs) == 2
	})
	_, one := call(t, srv, "GET", "/api/bourse?theme=sante&format=geojson", "", "")
	if fs, _ := one["features"].([]any); len(fs) != 1 {
		t.Errorf("GeoJSON layer filtered on santé: %v", one)
	}
	_, ranked := call(t, srv, "GET", "/api/bourse/"+id, "", "")
	matches, _ := ranked["matches"].([]any)
	if len(matches) == 0 || ranked["open"] != true {
		t.Fatalf("no collectivité ranked for %s: %v", id, ranked)
	}
	best := matches[0].(map[string]any)
	if best["in_country"] != true || best["score"].(float64) < 4 {
		t.Errorf("the best match is not active in Bénin: %v", best)
	}
	// Cotonou's own partners are not proposed to it.
	_, cotonou := call(t, srv, "GET", "/api/partners/2394819", "", "")
	own := map[string]bool{}
	for _, l := range cotonou["partnerships"].([]any) {
		own[l.(map[string]any)["other"].(map[string]any)["id"].(string)] = true
	}
	if len(own) == 0 {
		t.Fatal("Cotonou has no partner in the atlas")
	}
	for _, m := range matches {
		if own[m.(map[string]any)["id"].(string)] {
			t.Errorf("%v is already Cotonou's partner", m)
		}
	}

	// Interests: the collectivité's own token; the ministry sees them.
	if code, _ := call(t, srv, "POST", "/api/bourse/"+id+"/interest", ministry, `{"message":"x"}`); code != http.StatusForbidden {
		t.Errorf("the ministry expressing interest: %d", code)
	}
	if code, out := call(t, srv, "POST", "/api/bourse/"+id+"/interest", lyon, `{"message":"Lyon est intéressée : notre service de l'eau peut vous accompagner."}`); code != http.StatusOK {
		t.Fatalf("interest: %d %v", code, out)
	}
	if code, _ := call(t, srv, "GET", "/api/bourse/"+id+"/interests", lyon, ""); code != http.StatusForbidden {
		t.Errorf("a collectivité reading the interests: %d", code)
	}
	code, seen := call(t, srv, "GET", "/api/bourse/"+id+"/interests", ministry, "")
	list, _ := seen["interests"].([]any)
	if code != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["authority_id"] != "69123" {
		t.Errorf("the ministry's view of the interests: %d %v", code, seen)
	}
	_, public := call(t, srv, "GET", "/api/bourse/"+id, "", "")
	if strings.Contains(jsonString(public), "notre service de l'eau") {
		t.Error("an interest is public")
	}

	// Closed, the request leaves the public list and takes no interest.
	closed := strings.Replace(req, `"valid_until"`, `"status":"closed","valid_until"`, 1)
	if code, out := call(t, srv, "PUT", "/api/bourse/"+id, ministry, closed); code != http.StatusOK || out["status"] != "closed" {
		t.Fatalf("close: %d %v", code, out)
	}
	if code, out := call(t, srv, "POST", "/api/bourse/"+id+"/interest", lyon, `{"message":"encore"}`); code != http.StatusConflict || !strings.Contains(jsonString(out), "closed") {
		t.Errorf("interest in a closed request: %d %v", code, out)
	}
	eventually(t, 30*time.Second, "the closed request off the list", func() bool {
		_, list := call(t, srv, "GET", "/api/bourse", "", "")
		rs, _ := list["requests"].([]any)
		return len(rs) == 1
	})
	if n := count(`SELECT count(*) FROM atlas_audit WHERE table_name IN ('requests', 'interests') AND action <> 'rejected'`); n != 4 {
		t.Errorf("%d audited bourse writes, want 4 (two requests, one interest, one close)", n)
	}
}
