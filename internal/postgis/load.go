package postgis

import (
	"context"
	"fmt"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// Boundary layer names as stored in atlas_boundaries.layer.
const (
	LayerCountries    = "countries"
	LayerRegions      = "regions"
	LayerDepartements = "departements"
)

type boundaryLayer struct {
	name   string
	shapes []atlas.Boundary
}

func boundaryLayers(ds *atlas.Dataset) []boundaryLayer {
	return []boundaryLayer{
		{LayerCountries, ds.CountryShapes},
		{LayerRegions, ds.RegionShapes},
		{LayerDepartements, ds.DepartementShapes},
	}
}

// Beginner begins transactions: a *pgx.Conn, a *pgxpool.Pool or a pgx.Tx.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// LoadDataset reads the whole dataset in one REPEATABLE READ, READ ONLY
// transaction (a consistent snapshot of the database) and returns it with
// the data revision it corresponds to. Rows come in load order, so the
// result equals what dataset.Load returns for the files that were imported.
func LoadDataset(ctx context.Context, db Beginner) (*atlas.Dataset, int64, error) {
	l, err := loadAll(ctx, db)
	if err != nil {
		return nil, 0, err
	}
	return l.ds, l.rev, nil
}

// loaded is a dataset read from the database with its revision and the
// load order (ord) of its partnerships and projects, from which the change
// log derives the next one (see loadChanges).
type loaded struct {
	ds                *atlas.Dataset
	rev               int64
	pshipOrd, projOrd []int64
}

// beginRead begins a REPEATABLE READ, READ ONLY transaction (a consistent
// snapshot of the database) and returns it with the data revision it sees.
func beginRead(ctx context.Context, db Beginner) (pgx.Tx, int64, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, 0, err
	}
	var rev int64
	if _, err = tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err == nil {
		if err = tx.QueryRow(ctx, `SELECT rev FROM atlas_revision`).Scan(&rev); err != nil {
			err = fmt.Errorf("revision: %w", err)
		}
	}
	if err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, 0, err
	}
	return tx, rev, nil
}

func loadAll(ctx context.Context, db Beginner) (*loaded, error) {
	tx, rev, err := beginRead(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("postgis: load: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Reading a large dataset takes as long as it takes (ctx still bounds
	// it): the session's statement_timeout does not apply.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return nil, fmt.Errorf("postgis: load: %w", err)
	}
	ds := &atlas.Dataset{}
	l := &loaded{ds: ds, rev: rev}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM atlas_partnerships`).Scan(&n); err == nil {
		ds.Partnerships = make([]atlas.Partnership, 0, n)
		l.pshipOrd = make([]int64, 0, n)
	}
	steps := []loadStep{
		{"countries", `SELECT iso2, iso3, name_fr, name_en, label_lon, label_lat FROM atlas_countries ORDER BY ord`,
			func(r pgx.Rows) error {
				var c atlas.Country
				err := r.Scan(&c.ISO2, &c.ISO3, &c.NameFR, &c.NameEN, &c.Label[0], &c.Label[1])
				ds.Countries = append(ds.Countries, c)
				return err
			}},
		{"authorities", `SELECT id, type, code, name, departement, region, population, lon, lat FROM atlas_authorities ORDER BY ord`,
			func(r pgx.Rows) error {
				var a atlas.Authority
				err := r.Scan(&a.ID, &a.Type, &a.Code, &a.Name, &a.Departement, &a.Region, &a.Population, &a.Point[0], &a.Point[1])
				ds.Authorities = append(ds.Authorities, a)
				return err
			}},
		{"partners", `SELECT id, geonameid, name, country, subdivision, population, lon, lat FROM atlas_partners ORDER BY ord`,
			func(r pgx.Rows) error {
				var p atlas.Partner
				err := r.Scan(&p.ID, &p.GeonameID, &p.Name, &p.Country, &p.Subdivision, &p.Population, &p.Point[0], &p.Point[1])
				ds.Partners = append(ds.Partners, p)
				return err
			}},
		{"partnerships", `SELECT ord, ` + partnershipLoadCols + ` FROM atlas_partnerships ORDER BY ord`,
			func(r pgx.Rows) error {
				p, ord, err := scanLoadedPartnership(r)
				ds.Partnerships = append(ds.Partnerships, p)
				l.pshipOrd = append(l.pshipOrd, ord)
				return err
			}},
		{"projects", `SELECT ord, ` + projectCols + ` FROM atlas_projects ORDER BY ord`,
			func(r pgx.Rows) error {
				p, ord, err := scanLoadedProject(r)
				ds.Projects = append(ds.Projects, p)
				l.projOrd = append(l.projOrd, ord)
				return err
			}},
		{"requests", `SELECT ` + requestCols + ` FROM atlas_requests ORDER BY ord`,
			func(r pgx.Rows) error {
				q, err := scanRequest(r)
				ds.Requests = append(ds.Requests, q)
				return err
			}},
		{"fiches", `SELECT ` + ficheCols + ` FROM atlas_fiches ORDER BY authority_id`,
			func(r pgx.Rows) error {
				f, err := scanFiche(r)
				ds.Fiches = append(ds.Fiches, f)
				return err
			}},
		{"boundaries", `SELECT layer, id, name, ST_AsEWKB(geom) FROM atlas_boundaries ORDER BY layer, ord`,
			func(r pgx.Rows) error {
				var layer string
				var b atlas.Boundary
				var wkb []byte
				if err := r.Scan(&layer, &b.ID, &b.Name, &wkb); err != nil {
					return err
				}
				g, err := decodeEWKB(wkb)
				if err != nil {
					return fmt.Errorf("%s %s: %w", layer, b.ID, err)
				}
				b.Geometry = g
				switch layer {
				case LayerCountries:
					ds.CountryShapes = append(ds.CountryShapes, b)
				case LayerRegions:
					ds.RegionShapes = append(ds.RegionShapes, b)
				case LayerDepartements:
					ds.DepartementShapes = append(ds.DepartementShapes, b)
				default:
					return fmt.Errorf("unknown boundary layer %q", layer)
				}
				return nil
			}},
	}
	if err := readSteps(ctx, tx, append(steps, moneySteps(ds)...)); err != nil {
		return nil, err
	}
	return l, tx.Commit(ctx)
}

// loadStep reads one table into the dataset.
type loadStep struct {
	name, sql string
	scan      func(pgx.Rows) error
}

// readSteps runs steps in order in tx.
func readSteps(ctx context.Context, tx pgx.Tx, steps []loadStep) error {
	for _, st := range steps {
		rows, err := tx.Query(ctx, st.sql)
		if err != nil {
			return fmt.Errorf("postgis: load %s: %w", st.name, err)
		}
		for rows.Next() {
			if err := st.scan(rows); err != nil {
				rows.Close()
				return fmt.Errorf("postgis: load %s: %w", st.name, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgis: load %s: %w", st.name, err)
		}
	}
	return nil
}

// moneyTables are the money side's tables: a change to them is read again
// whole (they are small), without reading the rest (loadChanges).
var moneyTables = map[string]bool{"atlas_sectors": true, "atlas_apd": true, "atlas_apd_lines": true, "atlas_calls": true, "atlas_applications": true}

// moneySteps read the money side into ds (its sectors, APD declarations
// with their lines, calls and applications), appending to empty slices.
func moneySteps(ds *atlas.Dataset) []loadStep {
	apdAt := map[apdKey]int{} // a declaration's index in ds.APD
	return []loadStep{
		{"sectors", `SELECT ` + sectorCols + ` FROM atlas_sectors ORDER BY ord`,
			func(r pgx.Rows) error {
				c, err := scanSector(r)
				ds.Sectors = append(ds.Sectors, c)
				return err
			}},
		{"apd", `SELECT ` + apdCols + ` FROM atlas_apd d JOIN atlas_authorities a ON a.id = d.authority_id ORDER BY a.ord, d.year`,
			func(r pgx.Rows) error {
				d, err := scanAPD(r)
				apdAt[apdKey{d.AuthorityID, d.Year}] = len(ds.APD)
				ds.APD = append(ds.APD, d)
				return err
			}},
		{"apd lines", `SELECT l.authority_id, l.year, ` + apdLineCols + ` FROM atlas_apd_lines l ORDER BY l.authority_id, l.year, l.line`,
			func(r pgx.Rows) error {
				var k apdKey
				var l atlas.APDLine
				if err := r.Scan(append([]any{&k.authority, &k.year}, apdLineDest(&l)...)...); err != nil {
					return err
				}
				i, ok := apdAt[k]
				if !ok {
					return fmt.Errorf("a line of %s/%d, which has no declaration", k.authority, k.year)
				}
				ds.APD[i].Lines = append(ds.APD[i].Lines, l)
				return nil
			}},
		{"calls", `SELECT ` + callCols + ` FROM atlas_calls ORDER BY id COLLATE "C"`,
			func(r pgx.Rows) error {
				c, err := scanCall(r)
				ds.Calls = append(ds.Calls, c)
				return err
			}},
		{"applications", `SELECT ` + applicationCols + ` FROM atlas_applications ORDER BY call_id COLLATE "C", id COLLATE "C"`,
			func(r pgx.Rows) error {
				a, err := scanApplication(r)
				ds.Applications = append(ds.Applications, a)
				return err
			}},
	}
}

// scanLoadedPartnership scans ord then partnershipLoadCols.
func scanLoadedPartnership(r pgx.Row) (p atlas.Partnership, ord int64, err error) {
	err = r.Scan(&ord, &p.ID, &p.AuthorityID, &p.PartnerID, &p.Kind, &p.StartYear, &p.Active, &p.Provenance, &p.Sources)
	if len(p.Sources) == 0 {
		p.Sources = nil // as dataset.Load reads an empty list
	}
	return p, ord, err
}

// scanLoadedProject scans ord then projectCols.
func scanLoadedProject(r pgx.Row) (p atlas.Project, ord int64, err error) {
	err = r.Scan(&ord, &p.ID, &p.PartnershipID, &p.Title, &p.Themes, &p.StartYear, &p.Provenance)
	return p, ord, err
}
