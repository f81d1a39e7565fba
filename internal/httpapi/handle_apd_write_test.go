package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

// fakeMoney is a declarations store with the money side's writes: the
// authority "down" stands for a database gone away.
type fakeMoney struct {
	fakeDecl
	puts int
}

func (f *fakeMoney) PutAPD(_ context.Context, p atlas.Principal, authority string, year int, in atlas.APDInput) (atlas.APDDeclaration, error) {
	switch {
	case authority == "down":
		return atlas.APDDeclaration{}, fmt.Errorf("%w: connection refused", atlas.ErrUnavailable)
	case authority != p.Authority:
		return atlas.APDDeclaration{}, fmt.Errorf("%w: not yours", atlas.ErrForbidden)
	case in.Status == "draft" && year == 2023:
		return atlas.APDDeclaration{}, fmt.Errorf("%w: the APD of %s for %d is declared", atlas.ErrConflict, authority, year)
	}
	if errs := in.Validate(authority, year, 2026, fakeRef{}); len(errs) > 0 {
		return atlas.APDDeclaration{}, errs
	}
	f.puts++
	return atlas.APDDeclaration{AuthorityID: authority, Year: year, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Declared, Lines: in.Normalized(fakeRef{})}, nil
}

func (f *fakeMoney) APDDeclarations(_ context.Context, p atlas.Principal, year int, authority string) ([]atlas.APDDeclaration, error) {
	return []atlas.APDDeclaration{}, nil
}

func (f *fakeMoney) APDDeclaration(_ context.Context, p atlas.Principal, authority string, year int) (atlas.APDDeclaration, []atlas.APDDeclaration, error) {
	d := atlas.APDDeclaration{AuthorityID: authority, Year: year, Status: atlas.APDAmended, Version: 2, Provenance: atlas.Declared,
		Lines: []atlas.APDLine{{AmountEUR: 300, Sector: "14030", Channel: atlas.ChannelDirect}}}
	v1 := d
	v1.Status, v1.Version, v1.Lines = atlas.APDDeclared, 1, []atlas.APDLine{{AmountEUR: 100, Sector: "14030", Channel: atlas.ChannelDirect}}
	return d, []atlas.APDDeclaration{v1}, nil
}

func (f *fakeMoney) Deposit(_ context.Context, p atlas.Principal, callID string, in atlas.ApplicationInput) (atlas.Application, error) {
	if callID != "AAP-1" {
		return atlas.Application{}, fmt.Errorf("call %q: %w", callID, atlas.ErrNotFound)
	}
	return atlas.Application{ID: "CAND-000001", CallID: callID, AuthorityID: p.Authority, Title: in.Title, Country: in.Country,
		RequestedEUR: in.RequestedEUR, Status: atlas.AppDeposited, Deposited: "2026-12-07", Provenance: atlas.Declared}, nil
}

func (f *fakeMoney) SetApplicationStatus(_ context.Context, p atlas.Principal, callID, app string, in atlas.StatusChange) (atlas.Application, error) {
	if errs := in.Validate(1000); len(errs) > 0 {
		return atlas.Application{}, errs
	}
	return atlas.Application{ID: app, CallID: callID, Status: atlas.ApplicationStatus(in.Status), GrantedEUR: in.GrantedEUR}, nil
}

// fakeRef knows Senegal and the water sector.
type fakeRef struct{}

func (fakeRef) HasCountry(iso2 string) bool    { return iso2 == "SN" }
func (fakeRef) HasSector(code string) bool     { return code == "14030" }
func (fakeRef) PartnershipOf(id string) string { return "" }
func (fakeRef) ProjectOf(id string) string     { return "" }

func moneyRequest(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(data)
}

// TestMoneyWriteStatuses: the money side's write routes map the store's
// errors like the other writes (401, 403, 404, 409, 422 naming the field,
// 400, 503 with Retry-After) and answer the shapes documented.
func TestMoneyWriteStatuses(t *testing.T) {
	f := &fakeMoney{}
	h, err := httpapi.New(index.NewLive(atlastest.Snapshot(t)), tiles.NewRenderer(tiles.Options{}), httpapi.Options{Declarations: f})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	line := `{"amount_eur":100,"country":"sn","sector":"14030","channel":"direct"}`
	for _, c := range []struct {
		name, method, path, token, body string
		want                            int
		has                             string
	}{
		{"no token", "PUT", "/api/apd/31555/2024", "", `{"lines":[` + line + `]}`, 401, ""},
		{"another authority", "PUT", "/api/apd/75056/2024", "good", `{"lines":[` + line + `]}`, 403, ""},
		{"draft over declared", "PUT", "/api/apd/31555/2023", "good", `{"status":"draft","lines":[` + line + `]}`, 409, "declared"},
		{"bad line", "PUT", "/api/apd/31555/2024", "good", `{"lines":[` + line + `,{"amount_eur":1,"sector":"1","channel":"direct"}]}`, 422, `"field":"lines[1].sector"`},
		{"future year", "PUT", "/api/apd/31555/2031", "good", `{"lines":[` + line + `]}`, 422, `"param":"year"`},
		{"year not a number", "PUT", "/api/apd/31555/2O24", "good", `{"lines":[` + line + `]}`, 400, `"param":"year"`},
		{"unknown field", "PUT", "/api/apd/31555/2024", "good", `{"lines":[],"total":3}`, 400, `"param":"total"`},
		{"database down", "PUT", "/api/apd/down/2024", "good", `{"lines":[` + line + `]}`, 503, ""},
		{"declared", "PUT", "/api/apd/31555/2024", "good", `{"lines":[` + line + `]}`, 200,
			`{"authority_id":"31555","year":2024,"status":"declared","version":1,"provenance":"declared","lines":[{"amount_eur":100,"country":"SN","sector":"14030","channel":"direct","refugees":false}],"total_eur":100}`},
		{"one declaration", "GET", "/api/apd/31555/2024", "good", "", 200, `"version":2,"provenance":"declared","lines":[{"amount_eur":300,"country":"","sector":"14030","channel":"direct","refugees":false}],"total_eur":300,"previous_versions":[{"authority_id":"31555","year":2024,"status":"declared","version":1`},
		{"list", "GET", "/api/apd/declarations?year=2024", "good", "", 200, `{"declarations":[]}`},
		{"list, bad year", "GET", "/api/apd/declarations?year=x", "good", "", 400, `"param":"year"`},
		{"list, unknown parameter", "GET", "/api/apd/declarations?country=SN", "good", "", 400, `"param":"country"`},
		{"deposit", "POST", "/api/calls/AAP-1/applications", "good", `{"title":"Eau","country":"SN","requested_eur":900}`, 201, `"status":"deposee"`},
		{"deposit, unknown call", "POST", "/api/calls/NOPE/applications", "good", `{"title":"Eau","country":"SN","requested_eur":900}`, 404, ""},
		{"decision", "PATCH", "/api/calls/AAP-1/applications/CAND-000001", "good", `{"status":"laureat","granted_eur":500}`, 200, `"status":"laureat"`},
		{"decision, too much", "PATCH", "/api/calls/AAP-1/applications/CAND-000001", "good", `{"status":"laureat","granted_eur":5000}`, 422, `"param":"granted_eur"`},
	} {
		code, hdr, body := moneyRequest(t, srv, c.method, c.path, c.token, c.body)
		if code != c.want || !strings.Contains(body, c.has) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, code, body, c.want, c.has)
		}
		if code == 503 && hdr.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", c.name)
		}
		if code == 201 && !strings.HasSuffix(hdr.Get("Location"), "/api/calls/AAP-1/applications/CAND-000001") {
			t.Errorf("%s: Location %q", c.name, hdr.Get("Location"))
		}
	}
	if f.puts != 1 {
		t.Errorf("%d declarations reached the store's write, want 1", f.puts)
	}
}

// TestMoneyWritesNeedTheirStore: without a database the money routes answer
// 501 like the other writes; a store without the money side, 503.
func TestMoneyWritesNeedTheirStore(t *testing.T) {
	srv := atlastest.NewServer(t)
	paths := []struct{ method, path string }{
		{"PUT", "/api/apd/31555/2024"}, {"GET", "/api/apd/31555/2024"}, {"GET", "/api/apd/declarations"},
		{"POST", "/api/calls/AAP-1/applications"}, {"PATCH", "/api/calls/AAP-1/applications/CAND-1"},
	}
	for _, c := range paths {
		if code, _, body := moneyRequest(t, srv, c.method, c.path, "good", `{}`); code != http.StatusNotImplemented {
			t.Errorf("%s %s without a database: %d %s", c.method, c.path, code, body)
		}
	}
	h, err := httpapi.New(index.NewLive(atlastest.Snapshot(t)), tiles.NewRenderer(tiles.Options{}), httpapi.Options{Declarations: &fakeDecl{}})
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(h)
	defer other.Close()
	for _, c := range paths {
		if code, _, body := moneyRequest(t, other, c.method, c.path, "good", `{"lines":[]}`); code != http.StatusServiceUnavailable {
			t.Errorf("%s %s on a store without the money side: %d %s", c.method, c.path, code, body)
		}
	}
}
