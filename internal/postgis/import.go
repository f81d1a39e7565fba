package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// ImportMode says what Import does with data already in the database.
type ImportMode int

const (
	// ImportInsert refuses to import into a database that holds data.
	ImportInsert ImportMode = iota
	// ImportUpsert inserts new records and updates existing ones (by id);
	// records absent from the input are kept. Existing records keep their
	// place in the load order; new ones are appended.
	ImportUpsert
	// ImportReplace deletes every data row first: the database then holds
	// exactly the input (tokens and the audit trail are kept).
	ImportReplace
)

// String returns the mode name used by the import command.
func (m ImportMode) String() string {
	switch m {
	case ImportUpsert:
		return "upsert"
	case ImportReplace:
		return "replace"
	}
	return "insert"
}

// ImportOptions configures Import.
type ImportOptions struct {
	Mode ImportMode
	// Progress, when set, is called as rows are sent: done of total rows.
	// It is called from Import's goroutine.
	Progress func(done, total int64)
}

// ImportStats counts what Import did.
type ImportStats struct {
	Rows     int64 // rows read from the input
	Inserted int64
	Updated  int64 // upsert: existing rows whose values changed
	// Audited counts the declared records (written through the API) that
	// the import changed, created again or deleted: each has an audit row
	// (via 'import') with its values before and after.
	Audited  int64
	Revision int64 // data revision after the import
}

// ErrNotEmpty is returned by ImportInsert when the database holds data.
var ErrNotEmpty = errors.New("postgis: the database already holds data; import with upsert or replace")

// table describes one data table for the import: its columns after id and
// before ord, and the staging column types.
type table struct {
	name    string   // atlas_… table
	key     []string // conflict key
	cols    []string // columns in COPY order (key first)
	types   []string // staging types, parallel to cols
	geomCol string   // the column that is EWKB bytea in staging, geometry in the table
}

var importTables = []table{
	{name: "atlas_countries", key: []string{"iso2"},
		cols:  []string{"iso2", "iso3", "name_fr", "name_en", "label_lon", "label_lat"},
		types: []string{"text", "text", "text", "text", "float8", "float8"}},
	{name: "atlas_authorities", key: []string{"id"},
		cols:  []string{"id", "type", "code", "name", "departement", "region", "population", "lon", "lat"},
		types: []string{"text", "text", "text", "text", "text", "text", "int4", "float8", "float8"}},
	{name: "atlas_partners", key: []string{"id"},
		cols:  []string{"id", "geonameid", "name", "country", "subdivision", "population", "lon", "lat"},
		types: []string{"text", "int8", "text", "text", "text", "int4", "float8", "float8"}},
	{name: "atlas_partnerships", key: []string{"id"},
		cols:  []string{"id", "authority_id", "partner_id", "kind", "start_year", "active", "provenance", "sources"},
		types: []string{"text", "text", "text", "text", "int4", "bool", "text", "text[]"}},
	{name: "atlas_projects", key: []string{"id"},
		cols:  []string{"id", "partnership_id", "title", "themes", "start_year", "provenance"},
		types: []string{"text", "text", "text", "text[]", "int4", "text"}},
	{name: "atlas_sectors", key: []string{"code"},
		cols:  []string{"code", "category", "name_fr", "name_en", "category_fr", "category_en"},
		types: []string{"text", "text", "text", "text", "text", "text"}},
	{name: "atlas_boundaries", key: []string{"layer", "id"},
		cols:  []string{"layer", "id", "name", "geom"},
		types: []string{"text", "text", "text", "bytea"}, geomCol: "geom"},
}

// rows returns the staging rows of t from ds.
func (t table) rows(ds *atlas.Dataset) ([][]any, error) {
	var out [][]any
	switch t.name {
	case "atlas_countries":
		for _, c := range ds.Countries {
			out = append(out, []any{c.ISO2, c.ISO3, c.NameFR, c.NameEN, c.Label[0], c.Label[1]})
		}
	case "atlas_authorities":
		for _, a := range ds.Authorities {
			out = append(out, []any{a.ID, string(a.Type), a.Code, a.Name, a.Departement, a.Region, int32(a.Population), a.Point[0], a.Point[1]})
		}
	case "atlas_partners":
		for _, p := range ds.Partners {
			out = append(out, []any{p.ID, p.GeonameID, p.Name, p.Country, p.Subdivision, int32(p.Population), p.Point[0], p.Point[1]})
		}
	case "atlas_partnerships":
		for _, p := range ds.Partnerships {
			sources := p.Sources
			if sources == nil {
				sources = []string{} // NOT NULL: none is the empty array
			}
			out = append(out, []any{p.ID, p.AuthorityID, p.PartnerID, string(p.Kind), int32(p.StartYear), p.Active, string(p.Provenance), sources})
		}
	case "atlas_projects":
		for _, p := range ds.Projects {
			out = append(out, []any{p.ID, p.PartnershipID, p.Title, p.Themes, int32(p.StartYear), string(p.Provenance)})
		}
	case "atlas_sectors":
		for _, c := range ds.Sectors {
			out = append(out, []any{c.Code, c.Category, c.NameFR, c.NameEN, c.CategoryFR, c.CategoryEN})
		}
	case "atlas_boundaries":
		for _, l := range boundaryLayers(ds) {
			for _, b := range l.shapes {
				wkb, err := encodeEWKB(b.Geometry)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", l.name, b.ID, err)
				}
				out = append(out, []any{l.name, b.ID, b.Name, wkb})
			}
		}
	}
	return out, nil
}

func quoteCols(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(q, ", ")
}

// Import writes ds into the database in one transaction: either all of it
// is committed or nothing is (a cancelled ctx or a killed process rolls
// back). ds must be valid, as dataset.Load returns it. The rows are sent
// with COPY into staging tables, then merged into the data tables.
func Import(ctx context.Context, db Beginner, ds *atlas.Dataset, opt ImportOptions) (ImportStats, error) {
	var st ImportStats
	all := make([][][]any, len(importTables))
	for i, t := range importTables {
		rows, err := t.rows(ds)
		if err != nil {
			return st, fmt.Errorf("postgis: import: %w", err)
		}
		all[i] = rows
		st.Rows += int64(len(rows))
	}
	// The money side's other rows (importMoney): declarations with their
	// lines, calls, applications.
	st.Rows += int64(len(ds.APD) + len(ds.Calls) + len(ds.Applications))
	for _, d := range ds.APD {
		st.Rows += int64(len(d.Lines))
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return st, fmt.Errorf("postgis: import: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// A bulk load is long by nature: the session's statement_timeout (meant
	// for the serving paths) does not apply to it.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return st, fmt.Errorf("postgis: import: %w", err)
	}
	// One import at a time, and no declaration while it runs.
	if _, err := tx.Exec(ctx, `LOCK TABLE atlas_countries, atlas_authorities, atlas_partners, atlas_partnerships, atlas_projects, atlas_boundaries IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return st, fmt.Errorf("postgis: import: lock: %w", err)
	}
	if opt.Mode != ImportInsert {
		// The declared records before, to audit what the import does
		// to them.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_declared ON COMMIT DROP AS SELECT * FROM atlas_declared_rows()`); err != nil {
			return st, fmt.Errorf("postgis: import: declared records: %w", err)
		}
	}
	switch opt.Mode {
	case ImportInsert:
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM atlas_countries) OR EXISTS (SELECT FROM atlas_authorities)
			OR EXISTS (SELECT FROM atlas_partnerships) OR EXISTS (SELECT FROM atlas_boundaries)`).Scan(&any); err != nil {
			return st, fmt.Errorf("postgis: import: %w", err)
		}
		if any {
			return st, ErrNotEmpty
		}
	case ImportReplace:
		for i := len(importTables) - 1; i >= 0; i-- {
			if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{importTables[i].name}.Sanitize()); err != nil {
				return st, fmt.Errorf("postgis: import: clear %s: %w", importTables[i].name, err)
			}
		}
	}
	var done int64
	for i, t := range importTables {
		stage := pgx.Identifier{"stage_" + t.name}.Sanitize()
		defs := make([]string, len(t.cols))
		for j, c := range t.cols {
			defs[j] = pgx.Identifier{c}.Sanitize() + " " + t.types[j]
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+stage+` (`+strings.Join(defs, ", ")+`, "ord" bigint) ON COMMIT DROP`); err != nil {
			return st, fmt.Errorf("postgis: import: %w", err)
		}
		rows := all[i]
		src := &progressSource{rows: rows, base: done, total: st.Rows, progress: opt.Progress}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_" + t.name}, append(append([]string{}, t.cols...), "ord"), src); err != nil {
			return st, fmt.Errorf("postgis: import %s: %w", t.name, err)
		}
		done += int64(len(rows))
		ins, upd, err := mergeStage(ctx, tx, t, stage, opt.Mode == ImportUpsert)
		if err != nil {
			return st, fmt.Errorf("postgis: import %s: %w", t.name, err)
		}
		st.Inserted += ins
		st.Updated += upd
	}
	ins, upd, err := importMoney(ctx, tx, ds, opt.Mode)
	if err != nil {
		return st, fmt.Errorf("postgis: import: %w", err)
	}
	st.Inserted += ins
	st.Updated += upd
	if opt.Progress != nil {
		opt.Progress(st.Rows, st.Rows)
	}
	if opt.Mode != ImportInsert {
		tag, err := tx.Exec(ctx, `INSERT INTO atlas_audit (token_id, action, table_name, record_id, before, after, request, via)
			SELECT NULL, CASE WHEN b.rec IS NULL THEN 'create' WHEN a.rec IS NULL THEN 'delete' ELSE 'update' END,
				b.table_name, b.record_id, b.rec, a.rec, $1, 'import'
			FROM import_declared b JOIN atlas_declared_rows() a USING (table_name, record_id)
			WHERE b.rec IS DISTINCT FROM a.rec
			ORDER BY b.table_name, b.record_id`, "import --"+opt.Mode.String())
		if err != nil {
			return st, fmt.Errorf("postgis: import: audit: %w", err)
		}
		st.Audited = tag.RowsAffected()
	}
	if err := tx.QueryRow(ctx, `SELECT rev FROM atlas_revision`).Scan(&st.Revision); err != nil {
		return st, fmt.Errorf("postgis: import: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return st, fmt.Errorf("postgis: import: commit: %w", err)
	}
	return st, nil
}

// mergeStage moves the staged rows into t. In upsert mode existing rows are
// updated when their values differ and keep their ord; new rows get ords
// after the current maximum, in input order.
func mergeStage(ctx context.Context, tx pgx.Tx, t table, stage string, upsert bool) (inserted, updated int64, err error) {
	tbl := pgx.Identifier{t.name}.Sanitize()
	sel := make([]string, len(t.cols))
	for j, c := range t.cols {
		sel[j] = "s." + pgx.Identifier{c}.Sanitize()
		if c == t.geomCol {
			sel[j] = "ST_GeomFromEWKB(s." + pgx.Identifier{c}.Sanitize() + ")"
		}
	}
	if !upsert {
		q := `INSERT INTO ` + tbl + ` (` + quoteCols(t.cols) + `, "ord") SELECT ` + strings.Join(sel, ", ") + `, s."ord" FROM ` + stage + ` s ORDER BY s."ord"`
		tag, err := tx.Exec(ctx, q)
		return tag.RowsAffected(), 0, err
	}
	var sets, diffOld, diffNew []string
	for _, c := range t.cols {
		if contains(t.key, c) {
			continue
		}
		qc := pgx.Identifier{c}.Sanitize()
		sets = append(sets, qc+" = EXCLUDED."+qc)
		diffOld = append(diffOld, "t."+qc)
		diffNew = append(diffNew, "EXCLUDED."+qc)
	}
	// New rows are numbered after the current maximum, in input order.
	q := `INSERT INTO ` + tbl + ` AS t (` + quoteCols(t.cols) + `, "ord")
		SELECT ` + strings.Join(sel, ", ") + `, (SELECT coalesce(max("ord"), -1) + 1 FROM ` + tbl + `) + row_number() OVER (ORDER BY s."ord") - 1
		FROM ` + stage + ` s ORDER BY s."ord"
		ON CONFLICT (` + quoteCols(t.key) + `) DO UPDATE SET ` + strings.Join(sets, ", ") + `
		WHERE (` + strings.Join(diffOld, ", ") + `) IS DISTINCT FROM (` + strings.Join(diffNew, ", ") + `)
		RETURNING (xmax = 0) AS inserted`
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var ins bool
		if err := rows.Scan(&ins); err != nil {
			return 0, 0, err
		}
		if ins {
			inserted++
		} else {
			updated++
		}
	}
	return inserted, updated, rows.Err()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// progressSource is a pgx.CopyFromSource over rows that reports progress
// every 1,000 rows and appends the row's position as its ord.
type progressSource struct {
	rows     [][]any
	i        int
	base     int64
	total    int64
	progress func(done, total int64)
	err      error
}

func (s *progressSource) Next() bool {
	if s.progress != nil && (s.i%1000 == 0 || s.i == len(s.rows)) {
		s.progress(s.base+int64(s.i), s.total)
	}
	if s.i >= len(s.rows) {
		return false
	}
	s.i++
	return true
}

func (s *progressSource) Values() ([]any, error) {
	r := s.rows[s.i-1]
	return append(r[:len(r):len(r)], int64(s.i-1)), nil
}

func (s *progressSource) Err() error { return s.err }
