package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// The money side on the database (migration 0009): the DAC sectors, the
// collectivités' APD declarations and their previous versions, the calls
// for projects and their applications.

// ---- rows ----

const sectorCols = `code, category, name_fr, name_en, category_fr, category_en`

func scanSector(row pgx.Row) (atlas.Sector, error) {
	var c atlas.Sector
	err := row.Scan(&c.Code, &c.Category, &c.NameFR, &c.NameEN, &c.CategoryFR, &c.CategoryEN)
	return c, err
}

// apdKey names a declaration.
type apdKey struct {
	authority string
	year      int
}

// apdCols are the columns of atlas_apd (alias d) in atlas.APDDeclaration's
// order, the lines apart.
const apdCols = `d.authority_id, d.year, d.status, d.version, d.provenance`

func scanAPD(row pgx.Row) (atlas.APDDeclaration, error) {
	var d atlas.APDDeclaration
	err := row.Scan(&d.AuthorityID, &d.Year, &d.Status, &d.Version, &d.Provenance)
	return d, err
}

// apdLineCols are the columns of atlas_apd_lines (alias l) in
// atlas.APDLine's order.
const apdLineCols = `l.amount_eur, l.country, l.sector, l.channel, l.refugees, l.partnership_id, l.project_id`

func apdLineDest(l *atlas.APDLine) []any {
	return []any{&l.AmountEUR, &l.Country, &l.Sector, &l.Channel, &l.Refugees, &l.PartnershipID, &l.ProjectID}
}

const callCols = `id, title, kind, themes, countries, to_char(opens, 'YYYY-MM-DD'), to_char(closes, 'YYYY-MM-DD'), budget_eur, provenance`

func scanCall(row pgx.Row) (atlas.Call, error) {
	var c atlas.Call
	err := row.Scan(&c.ID, &c.Title, &c.Kind, &c.Themes, &c.Countries, &c.Opens, &c.Closes, &c.BudgetEUR, &c.Provenance)
	if len(c.Themes) == 0 {
		c.Themes = nil // as dataset.Load reads an empty list
	}
	if len(c.Countries) == 0 {
		c.Countries = nil
	}
	return c, err
}

const applicationCols = `id, call_id, authority_id, project_id, title, country, requested_eur, granted_eur, participants, status,
	to_char(deposited, 'YYYY-MM-DD'), provenance`

func scanApplication(row pgx.Row) (atlas.Application, error) {
	var a atlas.Application
	err := row.Scan(&a.ID, &a.CallID, &a.AuthorityID, &a.ProjectID, &a.Title, &a.Country, &a.RequestedEUR, &a.GrantedEUR,
		&a.Participants, &a.Status, &a.Deposited, &a.Provenance)
	return a, err
}

// ---- import ----

// importMoney writes the declarations (with their lines), calls and
// applications of ds in tx, as Import does the other tables: in replace
// mode the tables are emptied first; a declaration of the input replaces
// the stored one of its authority and year when it differs (header or
// lines), a call or application the stored one of its id. It returns the
// rows inserted and updated (a declaration counts 1 + its lines).
func importMoney(ctx context.Context, tx pgx.Tx, ds *atlas.Dataset, mode ImportMode) (inserted, updated int64, err error) {
	if mode == ImportReplace {
		for _, t := range []string{"atlas_applications", "atlas_calls", "atlas_apd_lines", "atlas_apd"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
				return 0, 0, fmt.Errorf("clear %s: %w", t, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_apd (authority_id text, year int4, status text, version int4, provenance text) ON COMMIT DROP;
		CREATE TEMP TABLE stage_apd_lines (authority_id text, year int4, line int4, amount_eur int8, country text, sector text,
			channel text, refugees bool, partnership_id text, project_id text) ON COMMIT DROP`); err != nil {
		return 0, 0, err
	}
	var decl, lines [][]any
	for _, d := range ds.APD {
		decl = append(decl, []any{d.AuthorityID, int32(d.Year), string(d.Status), int32(d.Version), string(d.Provenance)})
		for i, l := range d.Lines {
			lines = append(lines, []any{d.AuthorityID, int32(d.Year), int32(i), l.AmountEUR, l.Country, l.Sector, string(l.Channel),
				l.Refugees, l.PartnershipID, l.ProjectID})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_apd"}, []string{"authority_id", "year", "status", "version", "provenance"}, pgx.CopyFromRows(decl)); err != nil {
		return 0, 0, fmt.Errorf("apd: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_apd_lines"}, []string{"authority_id", "year", "line", "amount_eur", "country", "sector",
		"channel", "refugees", "partnership_id", "project_id"}, pgx.CopyFromRows(lines)); err != nil {
		return 0, 0, fmt.Errorf("apd lines: %w", err)
	}
	const lineRow = `row(l.line, l.amount_eur, l.country, l.sector, l.channel, l.refugees, l.partnership_id, l.project_id)::text`
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_apd_changed ON COMMIT DROP AS
		SELECT s.authority_id, s.year, a.authority_id IS NULL AS is_new,
			(SELECT count(*) FROM stage_apd_lines l WHERE l.authority_id = s.authority_id AND l.year = s.year) AS lines
		FROM stage_apd s LEFT JOIN atlas_apd a ON a.authority_id = s.authority_id AND a.year = s.year
		WHERE a.authority_id IS NULL OR (a.status, a.version, a.provenance) IS DISTINCT FROM (s.status, s.version, s.provenance)
			OR ARRAY(SELECT `+lineRow+` FROM atlas_apd_lines l WHERE l.authority_id = s.authority_id AND l.year = s.year ORDER BY l.line)
				IS DISTINCT FROM ARRAY(SELECT `+lineRow+` FROM stage_apd_lines l WHERE l.authority_id = s.authority_id AND l.year = s.year ORDER BY l.line)`); err != nil {
		return 0, 0, fmt.Errorf("apd: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(sum(1 + lines) FILTER (WHERE is_new), 0), coalesce(sum(1 + lines) FILTER (WHERE NOT is_new), 0)
		FROM stage_apd_changed`).Scan(&inserted, &updated); err != nil {
		return 0, 0, fmt.Errorf("apd: %w", err)
	}
	if inserted+updated > 0 {
		for _, q := range []string{
			`DELETE FROM atlas_apd a USING stage_apd_changed c WHERE NOT c.is_new AND a.authority_id = c.authority_id AND a.year = c.year`,
			`INSERT INTO atlas_apd (authority_id, year, status, version, provenance)
				SELECT s.authority_id, s.year, s.status, s.version, s.provenance FROM stage_apd s JOIN stage_apd_changed c USING (authority_id, year)`,
			`INSERT INTO atlas_apd_lines (authority_id, year, line, amount_eur, country, sector, channel, refugees, partnership_id, project_id)
				SELECT l.authority_id, l.year, l.line, l.amount_eur, l.country, l.sector, l.channel, l.refugees, l.partnership_id, l.project_id
				FROM stage_apd_lines l JOIN stage_apd_changed c USING (authority_id, year)`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return 0, 0, fmt.Errorf("apd: %w", err)
			}
		}
	}
	var calls, apps [][]any
	for _, c := range ds.Calls {
		calls = append(calls, []any{c.ID, c.Title, string(c.Kind), nonNil(c.Themes), nonNil(c.Countries), c.Opens, c.Closes, c.BudgetEUR, string(c.Provenance)})
	}
	for _, a := range ds.Applications {
		apps = append(apps, []any{a.ID, a.CallID, a.AuthorityID, a.ProjectID, a.Title, a.Country, a.RequestedEUR, a.GrantedEUR,
			int32(a.Participants), string(a.Status), a.Deposited, string(a.Provenance)})
	}
	for _, t := range []struct {
		name        string
		cols, types []string
		rows        [][]any
	}{
		{"atlas_calls", []string{"id", "title", "kind", "themes", "countries", "opens", "closes", "budget_eur", "provenance"},
			[]string{"text", "text", "text", "text[]", "text[]", "date", "date", "int8", "text"}, calls},
		{"atlas_applications", []string{"id", "call_id", "authority_id", "project_id", "title", "country", "requested_eur", "granted_eur",
			"participants", "status", "deposited", "provenance"},
			[]string{"text", "text", "text", "text", "text", "text", "int8", "int8", "int4", "text", "date", "text"}, apps},
	} {
		ins, upd, err := upsertByID(ctx, tx, t.name, t.cols, t.types, t.rows)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", t.name, err)
		}
		inserted += ins
		updated += upd
	}
	return inserted, updated, nil
}

// upsertByID copies rows into a staging table and merges them into tbl by
// id: new rows inserted, existing ones updated when they differ. Columns of
// type date are staged as text (YYYY-MM-DD) and cast.
func upsertByID(ctx context.Context, tx pgx.Tx, tbl string, cols, types []string, rows [][]any) (inserted, updated int64, err error) {
	stage := "stage_" + tbl
	defs := make([]string, len(cols))
	sel := make([]string, len(cols))
	var sets, diffOld, diffNew []string
	for i, c := range cols {
		st := types[i]
		sel[i] = "s." + c
		if st == "date" {
			st = "text"
			sel[i] += "::date"
		}
		defs[i] = c + " " + st
		if c != "id" {
			sets = append(sets, c+" = EXCLUDED."+c)
			diffOld = append(diffOld, "t."+c)
			diffNew = append(diffNew, "EXCLUDED."+c)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+stage+` (`+strings.Join(defs, ", ")+`) ON COMMIT DROP`); err != nil {
		return 0, 0, err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, cols, pgx.CopyFromRows(rows)); err != nil {
		return 0, 0, err
	}
	if len(rows) == 0 {
		return 0, 0, nil
	}
	q := `INSERT INTO ` + tbl + ` AS t (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") + ` FROM ` + stage + ` s
		ON CONFLICT (id) DO UPDATE SET ` + strings.Join(sets, ", ") + `
		WHERE (` + strings.Join(diffOld, ", ") + `) IS DISTINCT FROM (` + strings.Join(diffNew, ", ") + `)
		RETURNING (xmax = 0)`
	res, err := tx.Query(ctx, q)
	if err != nil {
		return 0, 0, err
	}
	defer res.Close()
	for res.Next() {
		var ins bool
		if err := res.Scan(&ins); err != nil {
			return 0, 0, err
		}
		if ins {
			inserted++
		} else {
			updated++
		}
	}
	return inserted, updated, res.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ---- APD declarations ----

// thisYear is the last year a declaration may be for: the current one (UTC).
func thisYear() int { return time.Now().UTC().Year() }

// dbRef answers atlas.APDReference and atlas.ApplicationReference from
// the database, for the ids one write names (read in its transaction).
type dbRef struct {
	countries, sectors map[string]bool
	partnerships       map[string]string // id → authority
	projects           map[string]string // id → partnership
}

func (r *dbRef) HasCountry(iso2 string) bool    { return r.countries[iso2] }
func (r *dbRef) HasSector(code string) bool     { return r.sectors[code] }
func (r *dbRef) PartnershipOf(id string) string { return r.partnerships[id] }
func (r *dbRef) ProjectOf(id string) string     { return r.projects[id] }

// loadRef reads the countries, the sectors, and the partnerships and
// projects named (a project's partnership included).
func loadRef(ctx context.Context, tx pgx.Tx, partnerships, projects []string) (*dbRef, error) {
	r := &dbRef{countries: map[string]bool{}, sectors: map[string]bool{}, partnerships: map[string]string{}, projects: map[string]string{}}
	set := func(m map[string]bool) func(pgx.Rows) error {
		return func(rows pgx.Rows) error {
			var k string
			err := rows.Scan(&k)
			m[k] = true
			return err
		}
	}
	pair := func(m map[string]string) func(pgx.Rows) error {
		return func(rows pgx.Rows) error {
			var k, v string
			err := rows.Scan(&k, &v)
			m[k] = v
			return err
		}
	}
	for _, q := range []struct {
		sql  string
		args []any
		scan func(pgx.Rows) error
	}{
		{`SELECT iso2 FROM atlas_countries`, nil, set(r.countries)},
		{`SELECT code FROM atlas_sectors`, nil, set(r.sectors)},
		{`SELECT id, partnership_id FROM atlas_projects WHERE id = ANY($1)`, []any{projects}, pair(r.projects)},
		{`SELECT ps.id, ps.authority_id FROM atlas_partnerships ps WHERE ps.id = ANY($1)
			OR ps.id IN (SELECT partnership_id FROM atlas_projects WHERE id = ANY($2))`, []any{partnerships, projects}, pair(r.partnerships)},
	} {
		rows, err := tx.Query(ctx, q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			if err := q.scan(rows); err != nil {
				rows.Close()
				return nil, err
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func authorityExists(ctx context.Context, tx pgx.Tx, id string) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM atlas_authorities WHERE id = $1)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return notFound("authority", id)
	}
	return nil
}

// readAPD reads the declaration of authority in year with its lines
// (pgx.ErrNoRows when there is none); lock locks it for update.
func readAPD(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, authority string, year int, lock bool) (atlas.APDDeclaration, time.Time, error) {
	sql := `SELECT ` + apdCols + `, d.updated_at FROM atlas_apd d WHERE d.authority_id = $1 AND d.year = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	var d atlas.APDDeclaration
	var at time.Time
	if err := q.QueryRow(ctx, sql, authority, year).Scan(&d.AuthorityID, &d.Year, &d.Status, &d.Version, &d.Provenance, &at); err != nil {
		return d, at, err
	}
	rows, err := q.Query(ctx, `SELECT `+apdLineCols+` FROM atlas_apd_lines l WHERE l.authority_id = $1 AND l.year = $2 ORDER BY l.line`, authority, year)
	if err != nil {
		return d, at, err
	}
	d.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (atlas.APDLine, error) {
		var l atlas.APDLine
		err := r.Scan(apdLineDest(&l)...)
		return l, err
	})
	return d, at, err
}

// PutAPD writes the APD of authority for year (PUT /api/apd/{authority}/{year}):
// its own token or an admin's; validated (atlas.APDInput.Validate, as of
// this year). A draft is replaced (version 1 until declared); a declared
// year is amended: status amended, version + 1, the previous version kept
// in atlas_apd_versions; a draft over a declared year is a conflict. One
// transaction with its audit row; it answers the stored declaration.
func (s *Store) PutAPD(ctx context.Context, p atlas.Principal, authority string, year int, in atlas.APDInput) (atlas.APDDeclaration, error) {
	if err := mayWrite(p, authority); err != nil {
		return atlas.APDDeclaration{}, err
	}
	var out atlas.APDDeclaration
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := authorityExists(ctx, tx, authority); err != nil {
			return err
		}
		var pships, projs []string
		for _, l := range in.Lines {
			if l.PartnershipID != "" {
				pships = append(pships, l.PartnershipID)
			}
			if l.ProjectID != "" {
				projs = append(projs, l.ProjectID)
			}
		}
		ref, err := loadRef(ctx, tx, pships, projs)
		if err != nil {
			return err
		}
		if errs := in.Validate(authority, year, thisYear(), ref); len(errs) > 0 {
			return errs
		}
		status := atlas.APDStatus(in.Status)
		if status == "" {
			status = atlas.APDDeclared
		}
		out = atlas.APDDeclaration{AuthorityID: authority, Year: year, Status: status, Version: 1, Provenance: atlas.Declared, Lines: in.Normalized(ref)}
		before, at, err := readAPD(ctx, tx, authority, year, true)
		var prev any
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case before.Status == atlas.APDDraft:
			prev = before
		default: // declared or amended: only amended again
			prev = before
			if status == atlas.APDDraft {
				return fmt.Errorf("%w: the APD of %s for %d is declared (version %d): it can be amended, not made a draft again",
					atlas.ErrConflict, authority, year, before.Version)
			}
			if slices.Equal(before.Lines, out.Lines) {
				// The declaration as it stands, sent again (a retry after
				// a timeout, a second click): nothing changes, no version.
				out = before
				return nil
			}
			lines, err := json.Marshal(before.Lines)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO atlas_apd_versions (authority_id, year, version, status, provenance, lines, written_at, token_id)
				VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`, authority, year, before.Version, string(before.Status), string(before.Provenance),
				string(lines), at, p.TokenID); err != nil {
				return err
			}
			out.Status, out.Version = atlas.APDAmended, before.Version+1
		}
		if prev == nil {
			_, err = tx.Exec(ctx, `INSERT INTO atlas_apd (authority_id, year, status, version, provenance) VALUES ($1, $2, $3, $4, $5)`,
				authority, year, string(out.Status), out.Version, string(out.Provenance))
		} else {
			// The declaration keeps its creation date; its lines are
			// written again.
			if _, err = tx.Exec(ctx, `UPDATE atlas_apd SET status = $3, version = $4, provenance = $5, updated_at = now()
				WHERE authority_id = $1 AND year = $2`, authority, year, string(out.Status), out.Version, string(out.Provenance)); err == nil {
				_, err = tx.Exec(ctx, `DELETE FROM atlas_apd_lines WHERE authority_id = $1 AND year = $2`, authority, year)
			}
		}
		if err != nil {
			return err
		}
		rows := make([][]any, len(out.Lines))
		for i, l := range out.Lines {
			rows[i] = []any{authority, int32(year), int32(i), l.AmountEUR, l.Country, l.Sector, string(l.Channel), l.Refugees, l.PartnershipID, l.ProjectID}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"atlas_apd_lines"}, []string{"authority_id", "year", "line", "amount_eur", "country", "sector",
			"channel", "refugees", "partnership_id", "project_id"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		action := "create"
		if prev != nil {
			action = "update"
		}
		return audit(ctx, tx, p, action, "apd", authority+"/"+strconv.Itoa(year), prev, out)
	})
	return out, err
}

// mayRead checks that p may read the declarations of authority: its own
// token, the ministry's or an admin's.
func mayRead(p atlas.Principal, authority string) error {
	if p.Admin || p.Ministry || (p.Authority != "" && p.Authority == authority) {
		return nil
	}
	return forbidden("this token reads the declarations of authority %q only, not %q", p.Authority, authority)
}

// APDDeclarations lists the declarations, drafts included, by authority
// load order then year (GET /api/apd/declarations): a collectivité's token
// its own only (another authority is refused), the ministry's and an
// admin's all. year and authority filter when not zero or "".
func (s *Store) APDDeclarations(ctx context.Context, p atlas.Principal, year int, authority string) ([]atlas.APDDeclaration, error) {
	if p.Authority != "" {
		if authority != "" && authority != p.Authority {
			return nil, mayRead(p, authority)
		}
		authority = p.Authority
	} else if !p.Admin && !p.Ministry {
		return nil, forbidden("this token reads no declarations")
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, unavailable(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	const where = ` WHERE ($1 = 0 OR d.year = $1) AND ($2 = '' OR d.authority_id = $2)`
	rows, err := tx.Query(ctx, `SELECT `+apdCols+` FROM atlas_apd d JOIN atlas_authorities a ON a.id = d.authority_id`+where+` ORDER BY a.ord, d.year`, year, authority)
	if err != nil {
		return nil, unavailable(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (atlas.APDDeclaration, error) { return scanAPD(r) })
	if err != nil {
		return nil, unavailable(err)
	}
	at := make(map[apdKey]int, len(out))
	for i, d := range out {
		at[apdKey{d.AuthorityID, d.Year}] = i
	}
	rows, err = tx.Query(ctx, `SELECT l.authority_id, l.year, `+apdLineCols+` FROM atlas_apd_lines l JOIN atlas_apd d USING (authority_id, year)`+where+
		` ORDER BY l.authority_id, l.year, l.line`, year, authority)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k apdKey
		var l atlas.APDLine
		if err := rows.Scan(append([]any{&k.authority, &k.year}, apdLineDest(&l)...)...); err != nil {
			return nil, unavailable(err)
		}
		if i, ok := at[k]; ok {
			out[i].Lines = append(out[i].Lines, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(err)
	}
	if out == nil {
		out = []atlas.APDDeclaration{}
	}
	return out, nil
}

// APDDeclaration returns the declaration of authority for year and its
// previous versions, the latest first (GET /api/apd/{authority}/{year}):
// the collectivité's own token, the ministry's or an admin's.
func (s *Store) APDDeclaration(ctx context.Context, p atlas.Principal, authority string, year int) (atlas.APDDeclaration, []atlas.APDDeclaration, error) {
	if err := mayRead(p, authority); err != nil {
		return atlas.APDDeclaration{}, nil, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return atlas.APDDeclaration{}, nil, unavailable(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	d, _, err := readAPD(ctx, tx, authority, year, false)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, nil, notFound("APD declaration", authority+"/"+strconv.Itoa(year))
	} else if err != nil {
		return d, nil, unavailable(err)
	}
	rows, err := tx.Query(ctx, `SELECT authority_id, year, status, version, provenance, lines FROM atlas_apd_versions
		WHERE authority_id = $1 AND year = $2 ORDER BY version DESC, id DESC`, authority, year)
	if err != nil {
		return d, nil, unavailable(err)
	}
	prev, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (atlas.APDDeclaration, error) {
		var v atlas.APDDeclaration
		var lines []byte
		if err := r.Scan(&v.AuthorityID, &v.Year, &v.Status, &v.Version, &v.Provenance, &lines); err != nil {
			return v, err
		}
		return v, json.Unmarshal(lines, &v.Lines)
	})
	if prev == nil {
		prev = []atlas.APDDeclaration{}
	}
	return d, prev, unavailable(err)
}

// ---- applications ----

// Deposit records the application of the token's collectivité to call id
// (POST /api/calls/{id}/applications): an authority's token only; the call
// must exist (404) and be open today (a conflict naming the date);
// validated (atlas.ApplicationInput.Validate); stored with status deposee
// and today's date, its id generated (CAND-000001). An Idempotency-Key in
// ctx answers a repeat with the first application.
func (s *Store) Deposit(ctx context.Context, p atlas.Principal, callID string, in atlas.ApplicationInput) (atlas.Application, error) {
	if p.Authority == "" {
		return atlas.Application{}, forbidden("a collectivité's own token deposits its applications")
	}
	var out atlas.Application
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		return idempotent(ctx, tx, p, "deposit application "+callID, in, &out, func() error {
			c, err := scanCall(tx.QueryRow(ctx, `SELECT `+callCols+` FROM atlas_calls WHERE id = $1`, callID))
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound("call", callID)
			} else if err != nil {
				return err
			}
			if err := c.CheckOpen(time.Now().UTC().Format(time.DateOnly)); err != nil {
				return err
			}
			var projs []string
			if in.ProjectID != "" {
				projs = []string{in.ProjectID}
			}
			ref, err := loadRef(ctx, tx, nil, projs)
			if err != nil {
				return err
			}
			if errs := in.Validate(p.Authority, ref); len(errs) > 0 {
				return errs
			}
			title, country := strings.TrimSpace(in.Title), strings.ToUpper(in.Country)
			if in.ProjectID != "" {
				// An existing project: its title and its partner's country.
				if err := tx.QueryRow(ctx, `SELECT pr.title, pt.country FROM atlas_projects pr JOIN atlas_partnerships ps ON ps.id = pr.partnership_id
					JOIN atlas_partners pt ON pt.id = ps.partner_id WHERE pr.id = $1`, in.ProjectID).Scan(&title, &country); err != nil {
					return err
				}
			}
			id, err := nextDeclarationID(ctx, tx, "CAND")
			if err != nil {
				return err
			}
			out, err = scanApplication(tx.QueryRow(ctx, `INSERT INTO atlas_applications (id, call_id, authority_id, project_id, title, country,
				requested_eur, participants, status, deposited, provenance)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, current_date, $10) RETURNING `+applicationCols,
				id, callID, p.Authority, in.ProjectID, title, country, in.RequestedEUR, in.Participants, string(atlas.AppDeposited), string(atlas.Declared)))
			if err != nil {
				return err
			}
			return audit(ctx, tx, p, "create", "applications", id, nil, out)
		})
	})
	return out, err
}

// SetApplicationStatus records the ministry's decision on application app
// of call id (PATCH /api/calls/{id}/applications/{app}): a ministry or
// admin token only; validated (atlas.StatusChange.Validate); audited.
func (s *Store) SetApplicationStatus(ctx context.Context, p atlas.Principal, callID, app string, in atlas.StatusChange) (atlas.Application, error) {
	if !p.Ministry && !p.Admin {
		return atlas.Application{}, forbidden("only the ministry decides on applications")
	}
	var out atlas.Application
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanApplication(tx.QueryRow(ctx, `SELECT `+applicationCols+` FROM atlas_applications WHERE id = $1 AND call_id = $2 FOR UPDATE`, app, callID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("application", callID+"/"+app)
		} else if err != nil {
			return err
		}
		if errs := in.Validate(before.RequestedEUR); len(errs) > 0 {
			return errs
		}
		out, err = scanApplication(tx.QueryRow(ctx, `UPDATE atlas_applications SET status = $2, granted_eur = $3, updated_at = now()
			WHERE id = $1 RETURNING `+applicationCols, app, in.Status, in.GrantedEUR))
		if err != nil {
			return err
		}
		return audit(ctx, tx, p, "update", "applications", app, before, out)
	})
	return out, err
}
