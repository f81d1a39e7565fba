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

func TestRequestValidate(t *testing.T) {
	ok := RequestInput{PartnerID: "2394819", Themes: []string{"eau-assainissement"}, Description: "Cotonou cherche un partenaire pour l'eau.",
		SoughtTypes: []string{"commune"}, MinPopulation: 10000, MaxPopulation: 100000, Languages: []string{"fr"}, ValidUntil: "2027-06-30"}
	if errs := ok.Validate(); len(errs) != 0 {
		t.Fatalf("valid request refused: %v", errs)
	}
	newPlace := ok
	newPlace.PartnerID, newPlace.Name, newPlace.Country, newPlace.Point = "", "Ouidah", "BJ", []float64{2.08506, 6.36307}
	if errs := newPlace.Validate(); len(errs) != 0 {
		t.Fatalf("valid new place refused: %v", errs)
	}
	for field, change := range map[string]func(*RequestInput){
		"partner_id":     func(r *RequestInput) { r.Name = "Cotonou" },
		"themes":         func(r *RequestInput) { r.Themes = []string{"sport"} },
		"description":    func(r *RequestInput) { r.Description = "trop court" },
		"sought_types":   func(r *RequestInput) { r.SoughtTypes = []string{"ville"} },
		"max_population": func(r *RequestInput) { r.MaxPopulation = 5 },
		"languages":      func(r *RequestInput) { r.Languages = []string{"French"} },
		"valid_until":    func(r *RequestInput) { r.ValidUntil = "demain" },
		"status":         func(r *RequestInput) { r.Status = "pending" },
	} {
		in := ok
		change(&in)
		if errs := in.Validate(); len(errs) != 1 || errs[0].Field != field {
			t.Errorf("%s: %v", field, errs)
		}
	}
	bad := newPlace
	bad.Point = []float64{200, 6}
	if errs := bad.Validate(); len(errs) != 1 || errs[0].Field != "point" {
		t.Errorf("point: %v", errs)
	}
}
