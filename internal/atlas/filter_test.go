package atlas_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

type vocab struct{}

func (vocab) HasCountry(c string) bool   { return c == "JP" || c == "BJ" || c == "DE" }
func (vocab) HasAuthority(a string) bool { return a == "31065" || a == "reg-76" }
func (vocab) HasPartner(p string) bool   { return p == "3186084" }

func TestParseFilter(t *testing.T) {
	tests := map[string]struct {
		query     string
		want      string // canonical encoding
		wantParam string // parameter named by the error, "" when valid
	}{
		"empty selects everything":           {"", "", ""},
		"countries sorted, upper-cased":      {"country=jp,BJ,jp", "country=BJ%2CJP", ""},
		"themes and kinds":                   {"theme=tourisme,culture-patrimoine&kind=cooperation", "theme=culture-patrimoine%2Ctourisme&kind=cooperation", ""},
		"years":                              {"since=2000&until=2010", "since=2000&until=2010", ""},
		"bbox":                               {"bbox=-5,41,10,51.5", "bbox=-5%2C41%2C10%2C51.5", ""},
		"authority and partner":              {"authority=reg-76&partner=3186084", "authority=reg-76&partner=3186084", ""},
		"unknown country":                    {"country=ZZ", "", "country"},
		"not a country code":                 {"country=JPN", "", "country"},
		"unknown theme":                      {"theme=sport", "", "theme"},
		"unknown type":                       {"type=ville", "", "type"},
		"unknown kind":                       {"kind=twinning", "", "kind"},
		"unknown provenance":                 {"provenance=fake", "", "provenance"},
		"unknown authority":                  {"authority=99999", "", "authority"},
		"since after until":                  {"since=2010&until=2000", "", "since"},
		"malformed year":                     {"since=20x0", "", "since"},
		"year out of range":                  {"until=3000", "", "until"},
		"bbox with three numbers":            {"bbox=1,2,3", "", "bbox"},
		"bbox min above max":                 {"bbox=10,41,-5,51", "", "bbox"},
		"bbox latitude out of range":         {"bbox=-5,-91,10,51", "", "bbox"},
		"bbox not numbers":                   {"bbox=a,b,c,d", "", "bbox"},
		"empty list item":                    {"country=JP,,BJ", "", "country"},
		"empty value of a present parameter": {"theme=", "", "theme"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			f, err := atlas.ParseFilter(q, vocab{})
			if tc.wantParam != "" {
				var pe *atlas.ParamError
				if !errors.As(err, &pe) || pe.Param != tc.wantParam || !errors.Is(err, atlas.ErrInvalid) {
					t.Fatalf("ParseFilter(%q) error = %v, want a ParamError on %q", tc.query, err, tc.wantParam)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tc.query, err)
			}
			// Encoding is canonical: parsing it again gives the same encoding.
			enc := f.Encode()
			q2, _ := url.ParseQuery(enc)
			f2, err := atlas.ParseFilter(q2, vocab{})
			if err != nil || f2.Encode() != enc {
				t.Fatalf("re-parse of %q = %q, %v", enc, f2.Encode(), err)
			}
		})
	}
}

func TestCheckParams(t *testing.T) {
	q, _ := url.ParseQuery("country=JP&colour=red")
	err := atlas.CheckParams(q, atlas.FilterParams()...)
	var pe *atlas.ParamError
	if !errors.As(err, &pe) || pe.Param != "colour" {
		t.Fatalf("CheckParams = %v, want an error naming colour", err)
	}
	q, _ = url.ParseQuery("country=JP&country=BJ")
	if err := atlas.CheckParams(q, atlas.FilterParams()...); err == nil {
		t.Fatal("repeated parameter accepted")
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"country=JP", "bbox=-5,41,10,51.5", "since=2000&until=2010", "theme=tourisme,sante&type=commune", "bbox=1e308,0,0,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := atlas.ParseFilter(q, vocab{})
		if err != nil {
			if !errors.Is(err, atlas.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		// Invariant: the canonical encoding parses back to itself.
		enc := flt.Encode()
		q2, err := url.ParseQuery(enc)
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", enc, err)
		}
		f2, err := atlas.ParseFilter(q2, vocab{})
		if err != nil || f2.Encode() != enc {
			t.Fatalf("round trip %q -> %q (%v)", enc, f2.Encode(), err)
		}
		if flt.BBox != nil && (flt.BBox.Min[0] > flt.BBox.Max[0] || flt.BBox.Min[1] > flt.BBox.Max[1]) {
			t.Fatalf("accepted inverted bbox %v", flt.BBox)
		}
	})
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"-5,41,10,51.5", "-180,-90,180,90", "0,0,0,0", "1,2,3", "NaN,0,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := atlas.ParseBBox(s)
		if err != nil {
			return
		}
		if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			t.Fatalf("ParseBBox(%q) accepted %v", s, b)
		}
	})
}
