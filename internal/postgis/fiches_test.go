package postgis_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// A collectivité writes its own fiche: the public fiche and "qui coopère
// avec" show it once the replica has refreshed; another collectivité's
// token cannot write it; bad fields are named; every version is audited;
// an import --replace keeps it.
func TestFicheWrittenByItsCollectivite(t *testing.T) {
	srv, src, token, count, pool := declServerPool(t)
	lyon := token(postgis.TokenSpec{Authority: "69123"})
	paris := token(postgis.TokenSpec{Authority: "75056"})
	body := `{"service":"Direction des relations internationales","role":"Chargé·e de mission Afrique","email":"international@lyon.exemple.fr",
		"phone":"+33 4 72 10 30 30","website":"https://www.lyon.exemple.fr","presentation_fr":"<script>alert(1)</script> Lyon coopère.",
		"logo_url":"https://www.lyon.exemple.fr/logo.svg"}`

	for name, c := range map[string]struct {
		token, body string
		want        int
		field       string
	}{
		"no token":          {"", body, http.StatusUnauthorized, ""},
		"another authority": {paris, body, http.StatusForbidden, ""},
		"bad e-mail":        {lyon, strings.Replace(body, "international@lyon.exemple.fr", "nobody", 1), http.StatusUnprocessableEntity, "email"},
		"foreign logo":      {lyon, strings.Replace(body, "https://www.lyon.exemple.fr/logo.svg", "https://cdn.example.com/logo.svg", 1), http.StatusUnprocessableEntity, "logo_url"},
		"unknown field":     {lyon, strings.Replace(body, `"service"`, `"boss":"Jean Dupont","service"`, 1), http.StatusBadRequest, ""},
	} {
		code, out := call(t, srv, "PUT", "/api/authorities/69123/fiche", c.token, c.body)
		if code != c.want {
			t.Errorf("%s: %d %v, want %d", name, code, out, c.want)
		}
		if c.field != "" && !strings.Contains(jsonString(out), `"field":"`+c.field+`"`) {
			t.Errorf("%s: the problem does not name %s: %v", name, c.field, out)
		}
	}
	if n := count(`SELECT count(*) FROM atlas_fiches`); n != 0 {
		t.Fatalf("refused writes left %d fiches", n)
	}
	if code, _ := call(t, srv, "PUT", "/api/authorities/NOPE/fiche", token(postgis.TokenSpec{Admin: true}), body); code != http.StatusNotFound {
		t.Errorf("unknown authority: %d", code)
	}

	code, rec := call(t, srv, "PUT", "/api/authorities/69123/fiche", lyon, body)
	if code != http.StatusOK || rec["version"] != float64(1) || rec["updated_at"] != time.Now().Format(time.DateOnly) {
		t.Fatalf("own write: %d %v", code, rec)
	}
	code, rec = call(t, srv, "PUT", "/api/authorities/69123/fiche", lyon, strings.Replace(body, "Afrique", "Asie", 1))
	if code != http.StatusOK || rec["version"] != float64(2) {
		t.Fatalf("second write: %d %v", code, rec)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE table_name = 'fiches' AND record_id = '69123' AND before IS NOT NULL AND after IS NOT NULL`); n != 1 {
		t.Errorf("%d audited updates, want 1", n)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE table_name = 'fiches' AND action = 'create'`); n != 1 {
		t.Errorf("%d audited creations, want 1", n)
	}

	// The public fiche, after the refresh.
	eventually(t, 30*time.Second, "the fiche served", func() bool {
		_, f := call(t, srv, "GET", "/api/authorities/69123", "", "")
		c, _ := f["contact"].(map[string]any)
		return c != nil && c["role"] == "Chargé·e de mission Asie" && c["version"] == float64(2) &&
			f["presentation_fr"] == "<script>alert(1)</script> Lyon coopère." && f["logo_url"] == "https://www.lyon.exemple.fr/logo.svg"
	})
	_, who := call(t, srv, "GET", "/api/countries/DE/authorities?type=commune", "", "")
	if !strings.Contains(jsonString(who), `"email":"international@lyon.exemple.fr"`) {
		t.Error("qui coopère avec l'Allemagne does not give Lyon's contact")
	}

	// An import --replace of the files keeps the fiche.
	if _, err := postgis.Import(t.Context(), pool, embedded(t), postgis.ImportOptions{Mode: postgis.ImportReplace}); err != nil {
		t.Fatalf("import --replace with a fiche: %v", err)
	}
	if n := count(`SELECT count(*) FROM atlas_fiches`); n != 1 {
		t.Errorf("import --replace left %d fiches", n)
	}
	eventually(t, 30*time.Second, "the fiche still served", func() bool {
		_, f := call(t, srv, "GET", "/api/authorities/69123", "", "")
		return f["contact"] != nil && src.Current() != nil
	})
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
