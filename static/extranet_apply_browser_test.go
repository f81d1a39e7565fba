package static_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// On the database, a collectivité signed in to the extranet deposits an
// application to an open call: a refused form names its fields and writes
// nothing; a form sent twice at once (a double click) creates one
// application, whose receipt gives its reference; the application then
// appears in the collectivité's table, with the reference of the receipt.
// The ministry's session then decides on it (a grant above the amount asked
// is refused, then a laureate of 20,000 €), which the public list shows.
// The signed-in pages pass axe-core.
func TestBrowserExtranetApplies(t *testing.T) {
	const toulouse, callID = "31555", "AAP-2027"
	// The call is opened around today, whatever the day the test runs.
	srv, token := dbServer(t, func(ds *atlas.Dataset) {
		for i := range ds.Calls {
			if ds.Calls[i].ID == callID {
				ds.Calls[i].Opens = time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly)
				ds.Calls[i].Closes = time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
				return
			}
		}
		t.Fatalf("no call %s in the embedded data", callID)
	})
	type apps struct {
		Applications []struct {
			ID          string `json:"id"`
			AuthorityID string `json:"authority_id"`
			Title       string `json:"title"`
			Country     string `json:"country"`
			Requested   int64  `json:"requested_eur"`
		} `json:"applications"`
	}
	// own counts Toulouse's applications to every call.
	own := func() (n int, ids []string) {
		var calls struct {
			Calls []struct {
				ID string `json:"id"`
			} `json:"calls"`
		}
		getJSONAt(t, srv.URL+"/api/calls", &calls)
		for _, c := range calls.Calls {
			var a apps
			getJSONAt(t, srv.URL+"/api/calls/"+c.ID+"/applications", &a)
			for _, x := range a.Applications {
				if x.AuthorityID == toulouse {
					n++
					ids = append(ids, x.ID)
				}
			}
		}
		return n, ids
	}
	before, _ := own()

	b := newBrowserAt(t, srv.URL)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/extranet/appels")
	tb.waitFor("page", `window.atlasMoneyReady === true`, 30*time.Second)
	signIn(t, tb, token(postgis.TokenSpec{Authority: toulouse}), "apply-area")
	tb.waitFor("applications table", `window.atlasApplicationsShown !== undefined`, 30*time.Second)
	var shown int
	tb.eval(`document.querySelectorAll('#a-mine tr').length`, &shown)
	if want, _ := own(); shown != want {
		t.Errorf("the table shows %d applications of Toulouse, the API %d", shown, want)
	}
	fill := func(js string) { tb.eval(`(function () { `+js+` ; return true; })()`, nil) }
	var call string
	tb.eval(`document.getElementById('a-call').value`, &call)
	if call != callID {
		t.Fatalf("the open call offered is %q, want %s", call, callID)
	}

	// A new project without a title, asking nothing: refused, fields named.
	fill(`document.getElementById('a-kind-new').click(); document.getElementById('a-title').value = '';
		document.getElementById('a-amount').value = '0'; document.getElementById('apply-form').requestSubmit()`)
	tb.waitFor("field errors", `!document.getElementById('a-errors').hidden`, 20*time.Second)
	var invalid []string
	tb.eval(`Array.from(document.querySelectorAll('#apply-form [aria-invalid=true]')).map(function (x) { return x.getAttribute('data-field'); }).sort()`, &invalid)
	if strings.Join(invalid, ",") != "country,requested_eur,title" {
		t.Errorf("fields marked invalid: %v", invalid)
	}

	// The form sent twice at once: one application.
	const title = "Accès à l'eau potable dans la commune de Kayes"
	fill(`document.getElementById('a-title').value = ` + jsString(title) + `;
		document.getElementById('a-country').value = 'ML';
		document.getElementById('a-amount').value = '24000';
		var f = document.getElementById('apply-form'); f.requestSubmit(); f.requestSubmit()`)
	tb.waitFor("receipt", `window.atlasApplied >= 1 && !document.getElementById('a-receipt').hidden`, 20*time.Second)
	var ref string
	tb.eval(`document.querySelector('#a-receipt .receipt-ref').textContent`, &ref)
	if !strings.HasPrefix(ref, "CAND-") {
		t.Fatalf("receipt reference %q", ref)
	}
	tb.eval(`document.getElementById('a-receipt').scrollIntoView(); true`, nil)
	tb.screenshot("extranet-appels-receipt")
	// The refresh brings it to the public list: exactly one more.
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, ids := own()
		if n == before+1 {
			if !contains(ids, ref) {
				t.Fatalf("the receipt's %s is not among Toulouse's applications %v", ref, ids)
			}
			break
		}
		if n > before+1 {
			t.Fatalf("%d applications created, want 1 (the refused form or the repeat wrote)", n-before)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the application never reached the public list (%d, want %d)", n, before+1)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A reload lists it, signed in still.
	tb.navigate("/extranet/appels")
	tb.waitFor("listed", `Array.from(document.querySelectorAll('#a-mine th')).some(function (x) { return x.textContent === `+jsString(ref)+`; })`, 30*time.Second)
	var row string
	tb.eval(`Array.from(document.querySelectorAll('#a-mine tr')).filter(function (r) { return r.cells[0].textContent === `+jsString(ref)+`; })[0].innerText`, &row)
	if !strings.Contains(row, "Kayes") || !strings.Contains(row, "Mali") || !strings.Contains(row, "Déposée") {
		t.Errorf("the table's row: %q", row)
	}
	tb.eval(`document.getElementById('h-mine').scrollIntoView(); true`, nil)
	tb.screenshot("extranet-appels")
	for _, v := range tb.runAxe() {
		js, _ := json.Marshal(v.Nodes)
		t.Errorf("axe %s (%s): %s — %s", v.ID, v.Impact, v.Help, js)
	}
	// A collectivité's session has no decision to take.
	var controls int
	tb.eval(`document.querySelectorAll('#a-mine select, #a-mine button').length + (document.getElementById('a-decision-col').hidden ? 0 : 1)`, &controls)
	if controls != 0 {
		t.Errorf("a collectivité's table has %d decision controls", controls)
	}

	// The ministry's session decides: laureate, 20,000 € of 24,000 asked.
	fill(`document.getElementById('signout').click()`)
	signIn(t, tb, token(postgis.TokenSpec{Ministry: true}), "apply-area")
	cell := `Array.from(document.querySelectorAll('#a-mine tr')).filter(function (r) { return r.cells[0].textContent === ` + jsString(ref) + `; })[0]`
	tb.waitFor("the call's applications", `!!`+cell+` && document.getElementById('apply-form').hidden`, 30*time.Second)
	fill(`var tr = ` + cell + `; var s = tr.querySelector('select'); s.value = 'laureat'; s.dispatchEvent(new Event('change'));
		tr.querySelector('input').value = '30000'; tr.querySelector('button').click()`)
	tb.waitFor("refused amount", cell+`.querySelector('.field-error').textContent.indexOf('24000') >= 0`, 20*time.Second)
	fill(`var tr = ` + cell + `; tr.querySelector('input').value = '20000'; tr.querySelector('button').click()`)
	tb.waitFor("decided", `window.atlasDecided === 1 && `+cell+`.querySelector('.state').textContent === 'Lauréate'`, 20*time.Second)
	deadline = time.Now().Add(30 * time.Second)
	for {
		var a struct {
			Applications []struct {
				ID      string `json:"id"`
				Status  string `json:"status"`
				Granted int64  `json:"granted_eur"`
			} `json:"applications"`
		}
		getJSONAt(t, srv.URL+"/api/calls/"+callID+"/applications", &a)
		done := false
		for _, x := range a.Applications {
			done = done || x.ID == ref && x.Status == "laureat" && x.Granted == 20000
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the decision on %s never reached the public list", ref)
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.screenshot("extranet-appels-ministere")
	for _, v := range tb.runAxe() {
		js, _ := json.Marshal(v.Nodes)
		t.Errorf("axe, the ministry's table: %s (%s): %s — %s", v.ID, v.Impact, v.Help, js)
	}
	tb.checkClean("status of 422", "status of 401") // 401: the page asks for a session before signing in
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }
