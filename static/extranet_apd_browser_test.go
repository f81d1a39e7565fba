package static_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// On the database, a collectivité signs in to the extranet with its token
// (the page then holds neither the token nor a readable cookie, and a
// reload keeps the session) and declares its APD: a refused line is named
// next to its field and nothing is written; the declaration then lands
// (version 1, with its receipt), is amended (version 2, version 1 kept),
// and reaches the public figures once the server has refreshed. Another
// collectivité's session cannot write it; signing out ends the session.
func TestBrowserExtranetDeclaresAPD(t *testing.T) {
	srv, token := dbServer(t)
	const lyon = "69123"
	year := time.Now().Year() - 1
	tok := token(postgis.TokenSpec{Authority: lyon})
	b := newBrowserAt(t, srv.URL)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/extranet/apd")
	tb.waitFor("form", `window.atlasMoneyReady === true`, 30*time.Second)
	fill := func(js string) {
		tb.eval(`(function () { `+js+` ; return true; })()`, nil)
	}
	signIn(t, tb, tok, "declare-who")
	var held struct {
		Authority, Cookie, Storage string
		ReadOnly                   bool
	}
	tb.eval(`({ Authority: document.getElementById('d-authority').value, ReadOnly: document.getElementById('d-authority').readOnly,
		Cookie: document.cookie, Storage: JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.documentElement.outerHTML })`, &held)
	if held.Authority != lyon || !held.ReadOnly || strings.Contains(held.Cookie, "atlas_session") || strings.Contains(held.Storage, tok) {
		t.Fatalf("after signing in: authority %q (read-only %v), cookies %q, the token kept in the page: %v", held.Authority, held.ReadOnly, held.Cookie, strings.Contains(held.Storage, tok))
	}
	// A reload keeps the session.
	tb.navigate("/extranet/apd")
	tb.waitFor("session kept", `!document.getElementById('declare-who').hidden && document.getElementById('signin-name').textContent.indexOf('Lyon') === 0`, 30*time.Second)
	fill(`document.getElementById('d-year').value = '` + itoa(year) + `';
		document.getElementById('d-load').click()`)
	tb.waitFor("empty declaration", `!document.getElementById('declare-lines').hidden`, 20*time.Second)
	setLine := func(i int, amount, country, sector string) {
		fill(`var tr = document.getElementById('d-rows').children[` + itoa(i) + `];
			tr.querySelector('[data-field=amount_eur]').value = '` + amount + `';
			tr.querySelector('[data-field=country]').value = '` + country + `';
			tr.querySelector('[data-field=sector]').value = '` + sector + `'`)
	}
	setLine(0, "0", "SN", "14030")
	fill(`document.getElementById('d-add').click()`)
	setLine(1, "25000", "BF", "11220")
	fill(`document.getElementById('d-declare').click()`)
	tb.waitFor("field errors", `!document.getElementById('d-errors').hidden`, 20*time.Second)
	var errs struct {
		Summary string
		Invalid []string
	}
	tb.eval(`({ Summary: document.getElementById('d-errors').innerText,
		Invalid: Array.from(document.querySelectorAll('#d-rows [aria-invalid=true]')).map(function (x) { return x.getAttribute('data-field') + '@' + x.closest('tr').cells[0].textContent; }) })`, &errs)
	if !strings.Contains(errs.Summary, "Ligne 1, montant") || len(errs.Invalid) != 1 || errs.Invalid[0] != "amount_eur@1" {
		t.Errorf("refused line: %+v", errs)
	}
	get := func() (code int, d struct {
		Status   string `json:"status"`
		Version  int    `json:"version"`
		TotalEUR int64  `json:"total_eur"`
		Previous []struct {
			Version int `json:"version"`
		} `json:"previous_versions"`
	}) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/apd/"+lyon+"/"+itoa(year), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&d)
		return resp.StatusCode, d
	}
	if code, d := get(); code != http.StatusNotFound || d.Version != 0 {
		t.Fatalf("a refused declaration wrote something: %d %+v", code, d)
	}
	setLine(0, "10000", "SN", "14030")
	fill(`document.getElementById('d-declare').click()`)
	tb.waitFor("declared", `window.atlasDeclared === 1`, 20*time.Second)
	if code, d := get(); code != 200 || d.Status != "declared" || d.Version != 1 || d.TotalEUR != 35000 {
		t.Fatalf("declared: %d %+v", code, d)
	}
	var rc string
	tb.eval(`document.getElementById('d-receipt').innerText`, &rc)
	rc = strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(rc)
	if !strings.Contains(rc, "APD-"+lyon+"-"+itoa(year)+"-v1") || !strings.Contains(rc, "35 000 €") || !strings.Contains(rc, "Accusé de réception") {
		t.Errorf("receipt: %q", rc)
	}
	var label string
	tb.eval(`document.getElementById('d-declare').textContent`, &label)
	if label != "Rectifier la déclaration" {
		t.Errorf("a declared year's button says %q", label)
	}
	setLine(1, "30000", "BF", "11220")
	fill(`document.getElementById('d-declare').click()`)
	tb.waitFor("amended", `window.atlasDeclared === 2 && document.getElementById('d-versions').textContent.indexOf('Version 1') >= 0`, 20*time.Second)
	if code, d := get(); code != 200 || d.Status != "amended" || d.Version != 2 || d.TotalEUR != 40000 || len(d.Previous) != 1 || d.Previous[0].Version != 1 {
		t.Fatalf("amended: %d %+v", code, d)
	}
	tb.screenshot("extranet-apd")
	// The public figures follow once the server has refreshed.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var a apdAnswer
		getJSONAt(t, srv.URL+"/api/apd?by=country&authority="+lyon+"&year="+itoa(year), &a)
		if a.Total.AmountEUR == 40000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Lyon's %d APD never reached the public figures: %+v", year, a.Total)
		}
		time.Sleep(300 * time.Millisecond)
	}
	// Signing out ends the session: the form goes, the API refuses the cookie.
	fill(`document.getElementById('signout').click()`)
	tb.waitFor("signed out", `!document.getElementById('signin-form').hidden && document.getElementById('declare-who').hidden && document.getElementById('declare-lines').hidden`, 20*time.Second)
	var after int
	tb.eval(`fetch('/api/session').then(function (r) { return r.status; })`, &after)
	if after != http.StatusUnauthorized {
		t.Errorf("GET /api/session after signing out: %d", after)
	}
	// Another collectivité's session cannot write Lyon's declaration, even
	// with the read-only field changed by hand.
	signIn(t, tb, token(postgis.TokenSpec{Authority: "13055"}), "declare-who")
	fill(`document.getElementById('d-authority').value = '` + lyon + `'; document.getElementById('d-load').click()`)
	tb.waitFor("refusal", `document.getElementById('d-state').textContent.indexOf('ne permet pas') >= 0`, 20*time.Second)
	tb.checkClean("status of 404", "status of 422", "status of 403", "status of 401")
}

// signIn signs in on an extranet page with tok and waits for the element
// the session shows.
func signIn(t *testing.T, tb *tab, tok, shown string) {
	t.Helper()
	tb.waitFor("sign-in form", `!!document.getElementById('signin-form') && !document.getElementById('signin-form').hidden`, 30*time.Second)
	tb.eval(`(function () { document.getElementById('signin-token').value = '`+tok+`'; document.getElementById('signin-form').requestSubmit(); return true; })()`, nil)
	tb.waitFor("signed in", `!document.getElementById('`+shown+`').hidden && document.getElementById('signin-token').value === ''`, 30*time.Second)
}
