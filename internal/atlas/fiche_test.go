package atlas

import (
	"strings"
	"testing"
)

func TestFicheValidate(t *testing.T) {
	ok := FicheInput{Service: "Direction des relations internationales", Role: "Chargé·e de mission Afrique",
		Email: "international@ville.exemple.fr", Phone: "+33 (0)4 72 10 30 30", Website: "https://www.ville.exemple.fr/",
		LogoURL: "https://static.ville.exemple.fr/logo.png", PresentationFR: "Une ville.\nDeux lignes.", PresentationEN: "<script>alert(1)</script>"}
	if errs := ok.Validate(); len(errs) != 0 {
		t.Fatalf("valid fiche refused: %v", errs)
	}
	for field, in := range map[string]FicheInput{
		"service":         {Role: "r", Email: "a@b.fr"},
		"role":            {Service: "s", Email: "a@b.fr"},
		"email":           {Service: "s", Role: "r", Email: "Jean <a@b.fr>"},
		"phone":           {Service: "s", Role: "r", Email: "a@b.fr", Phone: "call me"},
		"website":         {Service: "s", Role: "r", Email: "a@b.fr", Website: "javascript:alert(1)"},
		"logo_url":        {Service: "s", Role: "r", Email: "a@b.fr", Website: "https://ville.fr", LogoURL: "https://elsewhere.com/logo.png"},
		"presentation_fr": {Service: "s", Role: "r", Email: "a@b.fr", PresentationFR: strings.Repeat("é", MaxFichePresentation+1)},
		"presentation_en": {Service: "s", Role: "r", Email: "a@b.fr", PresentationEN: "a\x00b"},
	} {
		errs := in.Validate()
		if len(errs) != 1 || errs[0].Field != field {
			t.Errorf("%s: errors %v, want one on %s", field, errs, field)
		}
	}
	// A logo without a website, and a subdomain of the website.
	if errs := (FicheInput{Service: "s", Role: "r", Email: "a@b.fr", LogoURL: "https://ville.fr/l.png"}).Validate(); len(errs) != 1 || errs[0].Field != "logo_url" {
		t.Errorf("logo without website: %v", errs)
	}
}
