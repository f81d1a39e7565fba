package cql2

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// stripPos zeroes every Pos field of the tree, so trees parsed from
// different texts compare equal when they mean the same.
func stripPos(n Node) Node {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				f := v.Field(i)
				if v.Type().Field(i).Name == "Pos" && f.CanSet() {
					f.SetInt(0)
					continue
				}
				walk(f)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(n))
	return n
}

var validText = []string{
	`country = 'JP'`,
	`country='JP' AND kind <> 'jumelage'`,
	`start_year >= 2000 AND start_year < 2010 OR NOT (provenance = 'real')`,
	`authority_name LIKE 'Saint-%' AND partner_name NOT LIKE '_a%'`,
	`start_year BETWEEN 1990 AND 2000`,
	`start_year NOT BETWEEN 1990 AND 2000`,
	`country IN ('JP', 'BJ', 'SN')`,
	`country NOT IN ('JP')`,
	`start_year IS NULL OR start_year IS NOT NULL`,
	`S_INTERSECTS(geometry, BBOX(-10, 40, 10, 55))`,
	`S_INTERSECTS(geometry, POINT(2.35 48.85))`,
	`s_intersects(geometry, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1)))`,
	`S_INTERSECTS(geometry, MULTIPOINT((1 2), (3 4)))`,
	`S_INTERSECTS(geometry, MULTIPOINT(1 2, 3 4))`,
	`S_INTERSECTS(geometry, LINESTRING(0 0, 1 1))`,
	`S_INTERSECTS(geometry, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5))))`,
	`S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1)))`,
	`T_INTERSECTS(start_year, INTERVAL('2000-01-01', '..'))`,
	`T_BEFORE(start_year, DATE('2005-01-01'))`,
	`T_AFTER(start_year, TIMESTAMP('2005-01-01T00:00:00Z'))`,
	`A_OVERLAPS(themes, ('sante', 'tourisme'))`,
	`A_CONTAINS(themes, ('sante'))`,
	`"start_year" > -1.5e3`,
	`active = TRUE AND active`,
	`name = 'l''Haÿ-les-Roses'`,
	`((a = 1 AND b = 2) AND c = 3)`,
	`NOT NOT x = 1`,
	`foo(a, 1, 'x') = 2`,
}

func TestParseTextValid(t *testing.T) {
	for _, src := range validText {
		n, err := ParseText(src)
		if err != nil {
			t.Errorf("ParseText(%q): %v", src, err)
			continue
		}
		checkRoundTrip(t, src, n)
	}
}

func checkRoundTrip(t *testing.T, src string, n Node) {
	t.Helper()
	printed := Text(n)
	n2, err := ParseText(printed)
	if err != nil {
		t.Fatalf("%q printed as %q which does not parse: %v", src, printed, err)
	}
	if !reflect.DeepEqual(stripPos(n), stripPos(n2)) {
		t.Fatalf("%q: round trip through %q changed the tree", src, printed)
	}
	if p2 := Text(n2); p2 != printed {
		t.Fatalf("%q: printing is not canonical: %q then %q", src, printed, p2)
	}
	js := JSON(n)
	n3, err := ParseJSON(js)
	if err != nil {
		t.Fatalf("%q: cql2-json %s does not parse: %v", src, js, err)
	}
	if !reflect.DeepEqual(stripPos(n), stripPos(n3)) {
		t.Fatalf("%q: round trip through cql2-json %s changed the tree", src, js)
	}
}

func TestParseTextStructure(t *testing.T) {
	n, err := ParseText(`a = 1 AND b = 2 OR NOT c LIKE 'x%'`)
	if err != nil {
		t.Fatal(err)
	}
	or, ok := n.(*Logic)
	if !ok || or.Op != "or" || len(or.Args) != 2 {
		t.Fatalf("want OR of two, got %s", Text(n))
	}
	if and, ok := or.Args[0].(*Logic); !ok || and.Op != "and" {
		t.Fatalf("AND binds tighter than OR: %s", Text(n))
	}
	if not, ok := or.Args[1].(*Not); !ok {
		t.Fatalf("NOT: %s", Text(n))
	} else if _, ok := not.Arg.(*Like); !ok {
		t.Fatalf("NOT LIKE: %s", Text(n))
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		src string
		pos Pos
	}{
		{`country = `, 11},
		{`country = 'JP`, 11},
		{`country == 'JP'`, 10},
		{`country = 'JP' AND`, 19},
		{`start_year BETWEEN 1 OR 2`, 22},
		{`country IN ()`, 9},
		{`S_INTERSECTS(geometry, BBOX(1, 2, 3))`, 24},
		{`S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 0)))`, 32},
		{`T_AFTER(start_year, DATE('2005-13-01'))`, 26},
		{`x = 1 )`, 7},
		{`é = @`, 5},
		{`country`, 0}, // valid (boolean property): not an error
		{`'a' = 'b' 'c'`, 11},
		{`"" = 1`, 1},
		{strings.Repeat("(", 100) + "a = 1" + strings.Repeat(")", 100), 0},
	}
	for _, tc := range tests {
		_, err := ParseText(tc.src)
		if tc.pos == 0 && tc.src == "country" {
			if err != nil {
				t.Errorf("%q: %v", tc.src, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseText(%q) = %v, want a positioned error", tc.src, err)
			continue
		}
		if tc.pos != 0 && e.Pos != tc.pos {
			t.Errorf("ParseText(%q): error %q at %d, want %d", tc.src, e, e.Pos, tc.pos)
		}
	}
}

func TestParseJSON(t *testing.T) {
	src := `{"op":"and","args":[
		{"op":"=","args":[{"property":"country"},"JP"]},
		{"op":"in","args":[{"property":"kind"},["jumelage","amitie"]]},
		{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]]]}]},
		{"op":"t_intersects","args":[{"property":"start_year"},{"interval":["2000-01-01",".."]}]},
		{"op":"a_overlaps","args":[{"property":"themes"},["sante"]]},
		{"op":"not","args":[{"op":"isNull","args":[{"property":"start_year"}]}]},
		{"op":"between","args":[{"property":"start_year"},1990,2000]},
		{"op":"like","args":[{"property":"partner_name"},"K%"]},
		{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-10,40,10,55]}]}
	]}`
	n, err := ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseText(`country = 'JP' AND kind IN ('jumelage', 'amitie') AND S_INTERSECTS(geometry, POLYGON((0 0, 10 0, 10 10, 0 0))) AND T_INTERSECTS(start_year, INTERVAL('2000-01-01', '..')) AND A_OVERLAPS(themes, ('sante')) AND start_year IS NOT NULL AND start_year BETWEEN 1990 AND 2000 AND partner_name LIKE 'K%' AND S_INTERSECTS(geometry, BBOX(-10, 40, 10, 55))`)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stripPos(n), stripPos(want)) {
		t.Fatalf("cql2-json and cql2-text disagree:\n%s\n%s", Text(n), Text(want))
	}
	for _, bad := range []string{
		`{"op":"=","args":[{"property":"country"}]}`,
		`{"op":"and","args":[{"op":"=","args":[1,2]}]}`,
		`{"op":"=","args":[{"property":"country"},"JP"]`,
		`{"op":"nope!","args":[]}`,
		`{"op":"=","args":[{"date":"2005"},1]}`,
		`"country"`,
		`{"op":"=","args":[{"property":"a"},null]}`,
	} {
		_, err := ParseJSON([]byte(bad))
		var e *Error
		if !errors.As(err, &e) || e.Pos <= 0 {
			t.Errorf("ParseJSON(%s) = %v, want a positioned error", bad, err)
		}
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range validText {
		f.Add(s)
	}
	f.Add(`a = 1 AND (b = 2 OR c = 3)`)
	f.Fuzz(func(t *testing.T, src string) {
		n, err := ParseText(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		checkRoundTrip(t, src, n)
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range validText {
		if n, err := ParseText(s); err == nil {
			f.Add(JSON(n))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := ParseJSON(src)
		if err != nil {
			return
		}
		js := JSON(n)
		n2, err := ParseJSON(js)
		if err != nil {
			t.Fatalf("%s printed as %s which does not parse: %v", src, js, err)
		}
		if !reflect.DeepEqual(stripPos(n), stripPos(n2)) {
			t.Fatalf("%s: round trip through %s changed the tree", src, js)
		}
		// cql2-text can express every tree cql2-json can.
		checkRoundTrip(t, string(src), n)
	})
}
