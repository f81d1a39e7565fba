package generate

import (
	"reflect"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// The money side changes no row of the rest of the dataset: the dataset
// built without it and then given it has the same authorities, partners,
// partnerships, projects and countries, row for row.
func TestMoneyChangesNoRow(t *testing.T) {
	src := geodata.Sources()
	s, err := readSources(src)
	if err != nil {
		t.Fatal(err)
	}
	g := newGen(s, Options{Seed: DefaultSeed, Scale: 1})
	if err := g.addReal(); err != nil {
		t.Fatal(err)
	}
	if err := g.addCalibrated(); err != nil {
		t.Fatal(err)
	}
	if err := g.addProjects(); err != nil {
		t.Fatal(err)
	}
	ds := g.dataset()
	before := &atlas.Dataset{}
	for _, c := range []struct{ dst, src any }{
		{&before.Authorities, ds.Authorities}, {&before.Partners, ds.Partners}, {&before.Partnerships, ds.Partnerships},
		{&before.Projects, ds.Projects}, {&before.Countries, ds.Countries},
	} {
		reflect.ValueOf(c.dst).Elem().Set(deepCopy(reflect.ValueOf(c.src)))
	}
	sectors, err := Sectors(src)
	if err != nil {
		t.Fatal(err)
	}
	eligible, err := eligibleCountries(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.addMoney(ds, sectors, eligible); err != nil {
		t.Fatal(err)
	}
	if len(ds.APD) == 0 || len(ds.Calls) == 0 || len(ds.Applications) == 0 {
		t.Fatal("no money side")
	}
	if !reflect.DeepEqual(before.Authorities, ds.Authorities) || !reflect.DeepEqual(before.Partners, ds.Partners) ||
		!reflect.DeepEqual(before.Partnerships, ds.Partnerships) || !reflect.DeepEqual(before.Projects, ds.Projects) ||
		!reflect.DeepEqual(before.Countries, ds.Countries) {
		t.Fatal("adding the money side changed rows of the dataset")
	}
}

// deepCopy copies a slice of structs and the slices inside them.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(deepCopy(v.Index(i)))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if f := out.Field(i); f.CanSet() {
				f.Set(deepCopy(v.Field(i)))
			}
		}
		return out
	}
	return v
}
