package postgis

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing/fstest"
	"unicode/utf8"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the declarations API on the database (the HTTP layer's
// Declarations; cmd/atlas asserts it). Every write runs in one transaction
// that checks the token's scope, validates the record with the rules of dataset.Load,
// writes it and appends the audit row; the data triggers then NOTIFY every
// replica.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the declarations store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Authenticate looks the token's SHA-256 up among the unrevoked tokens.
func (s *Store) Authenticate(ctx context.Context, token string) (atlas.Principal, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return atlas.Principal{}, atlas.ErrUnauthenticated
	}
	h := hashToken(token)
	var p atlas.Principal
	var auth *string
	err := s.pool.QueryRow(ctx, `SELECT id, authority_id, admin, ministry FROM atlas_tokens WHERE hash = $1 AND revoked_at IS NULL`, h[:]).
		Scan(&p.TokenID, &auth, &p.Admin, &p.Ministry)
	if errors.Is(err, pgx.ErrNoRows) {
		return atlas.Principal{}, atlas.ErrUnauthenticated
	}
	if err != nil {
		return atlas.Principal{}, unavailable(err)
	}
	if auth != nil {
		p.Authority = *auth
	}
	return p, nil
}

// inTx runs fn in a transaction that also locks the declared tables against
// concurrent declarations and imports (readers are not blocked).
// A lost connection is atlas.ErrUnavailable; the transaction is then rolled
// back by the server, so nothing was written.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `LOCK TABLE atlas_partnerships, atlas_projects IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return unavailable(err)
	}
	if err := fn(tx); err != nil {
		return unavailable(err)
	}
	return unavailable(tx.Commit(ctx))
}

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{atlas.ErrForbidden}, args...)...)
}

func notFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, atlas.ErrNotFound)
}

// mayWrite checks that p may write for authority.
func mayWrite(p atlas.Principal, authority string) error {
	if p.Admin || (p.Authority != "" && p.Authority == authority) {
		return nil
	}
	return forbidden("this token writes for authority %q only, not %q", p.Authority, authority)
}

// ---- partnerships ----

func partnershipRecord(in atlas.PartnershipInput, id string) atlas.PartnershipRecord {
	active := true
	if in.Active != nil {
		active = *in.Active
	}
	prov := in.Provenance
	if prov == "" {
		prov = string(atlas.Real)
	}
	return atlas.PartnershipRecord{ID: id, AuthorityID: in.AuthorityID, PartnerID: in.PartnerID, Kind: in.Kind,
		StartYear: in.StartYear, Active: active, Provenance: prov}
}

const partnershipCols = `id, authority_id, partner_id, kind, start_year, active, provenance`

// partnershipLoadCols are the columns the snapshot reads: the record's, and
// the real sources, which the write API neither sets nor shows.
const partnershipLoadCols = partnershipCols + `, sources`

func scanPartnership(row pgx.Row) (atlas.PartnershipRecord, error) {
	var r atlas.PartnershipRecord
	err := row.Scan(&r.ID, &r.AuthorityID, &r.PartnerID, &r.Kind, &r.StartYear, &r.Active, &r.Provenance)
	return r, err
}

// checkPartnership validates rec (scope, references, then the dataset rules)
// and returns the partner's country.
func checkPartnership(ctx context.Context, tx pgx.Tx, p atlas.Principal, rec atlas.PartnershipRecord) error {
	var fe atlas.FieldErrors
	if rec.AuthorityID == "" {
		fe = append(fe, atlas.FieldError{Field: "authority_id", Reason: "required"})
	}
	if rec.PartnerID == "" {
		fe = append(fe, atlas.FieldError{Field: "partner_id", Reason: "required"})
	}
	if len(fe) > 0 {
		return fe
	}
	if err := mayWrite(p, rec.AuthorityID); err != nil {
		return err
	}
	if rec.Provenance != string(atlas.Real) && !p.Admin {
		fe = append(fe, atlas.FieldError{Field: "provenance", Reason: `declared partnerships are "real"`})
	}
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM atlas_authorities WHERE id = $1`, rec.AuthorityID).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
		fe = append(fe, atlas.FieldError{Field: "authority_id", Reason: fmt.Sprintf("no authority %q", rec.AuthorityID)})
	} else if err != nil {
		return err
	}
	var country string
	if err := tx.QueryRow(ctx, `SELECT country FROM atlas_partners WHERE id = $1`, rec.PartnerID).Scan(&country); errors.Is(err, pgx.ErrNoRows) {
		fe = append(fe, atlas.FieldError{Field: "partner_id", Reason: fmt.Sprintf("no partner %q", rec.PartnerID)})
	} else if err != nil {
		return err
	}
	if len(fe) > 0 {
		return fe
	}
	return validate(stubs{authority: rec.AuthorityID, partner: rec.PartnerID, country: country}, &rec, nil)
}

// nextDeclarationID returns a new id for a declared record: prefix, a dash
// and the next value of the declarations sequence (DECL-000001).
func nextDeclarationID(ctx context.Context, tx pgx.Tx, prefix string) (string, error) {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT nextval('atlas_declaration_seq')`).Scan(&n); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%06d", prefix, n), nil
}

// CreatePartnership declares a new partnership; its id is generated.
func (s *Store) CreatePartnership(ctx context.Context, p atlas.Principal, in atlas.PartnershipInput) (atlas.PartnershipRecord, error) {
	var out atlas.PartnershipRecord
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		return idempotent(ctx, tx, p, "create partnership", in, &out, func() error { return s.createPartnership(ctx, tx, p, in, &out) })
	})
	return out, err
}

// createPartnership inserts in as a new declared partnership, in tx, into out.
func (s *Store) createPartnership(ctx context.Context, tx pgx.Tx, p atlas.Principal, in atlas.PartnershipInput, out *atlas.PartnershipRecord) error {
	rec := partnershipRecord(in, "DECL-?")
	if err := checkPartnership(ctx, tx, p, rec); err != nil {
		return err
	}
	var err error
	if rec.ID, err = nextDeclarationID(ctx, tx, "DECL"); err != nil {
		return err
	}
	*out, err = scanPartnership(tx.QueryRow(ctx, `INSERT INTO atlas_partnerships (`+partnershipCols+`, ord)
		VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT coalesce(max(ord), -1) + 1 FROM atlas_partnerships))
		RETURNING `+partnershipCols,
		rec.ID, rec.AuthorityID, rec.PartnerID, rec.Kind, rec.StartYear, rec.Active, rec.Provenance))
	if err != nil {
		return err
	}
	return audit(ctx, tx, p, "create", "partnerships", out.ID, nil, *out)
}

// UpdatePartnership replaces the fields of partnership id.
func (s *Store) UpdatePartnership(ctx context.Context, p atlas.Principal, id string, in atlas.PartnershipInput) (atlas.PartnershipRecord, error) {
	var out atlas.PartnershipRecord
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanPartnership(tx.QueryRow(ctx, `SELECT `+partnershipCols+` FROM atlas_partnerships WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("partnership", id)
		} else if err != nil {
			return err
		}
		if err := mayWrite(p, before.AuthorityID); err != nil {
			return err
		}
		rec := partnershipRecord(in, id)
		if err := checkPartnership(ctx, tx, p, rec); err != nil {
			return err
		}
		out, err = scanPartnership(tx.QueryRow(ctx, `UPDATE atlas_partnerships
			SET authority_id = $2, partner_id = $3, kind = $4, start_year = $5, active = $6, provenance = $7,
				sources = CASE WHEN $7 = 'real' THEN sources ELSE '{}' END
			WHERE id = $1 RETURNING `+partnershipCols,
			id, rec.AuthorityID, rec.PartnerID, rec.Kind, rec.StartYear, rec.Active, rec.Provenance))
		if err != nil {
			return err
		}
		return audit(ctx, tx, p, "update", "partnerships", id, before, out)
	})
	return out, err
}

// DeletePartnership deletes partnership id and its projects.
func (s *Store) DeletePartnership(ctx context.Context, p atlas.Principal, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanPartnership(tx.QueryRow(ctx, `SELECT `+partnershipCols+` FROM atlas_partnerships WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("partnership", id)
		} else if err != nil {
			return err
		}
		if err := mayWrite(p, before.AuthorityID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `DELETE FROM atlas_projects WHERE partnership_id = $1 RETURNING `+projectCols, id)
		if err != nil {
			return err
		}
		projects, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (atlas.ProjectRecord, error) { return scanProject(r) })
		if err != nil {
			return err
		}
		for _, pr := range projects {
			if err := audit(ctx, tx, p, "delete", "projects", pr.ID, pr, nil); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM atlas_partnerships WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, p, "delete", "partnerships", id, before, nil)
	})
}

// ---- projects ----

const projectCols = `id, partnership_id, title, themes, start_year, provenance`

func scanProject(row pgx.Row) (atlas.ProjectRecord, error) {
	var r atlas.ProjectRecord
	err := row.Scan(&r.ID, &r.PartnershipID, &r.Title, &r.Themes, &r.StartYear, &r.Provenance)
	return r, err
}

func projectRecord(in atlas.ProjectInput, id string) atlas.ProjectRecord {
	prov := in.Provenance
	if prov == "" {
		prov = string(atlas.Real)
	}
	return atlas.ProjectRecord{ID: id, PartnershipID: in.PartnershipID, Title: in.Title, Themes: in.Themes,
		StartYear: in.StartYear, Provenance: prov}
}

// partnershipAuthority returns the authority of a partnership, for scope
// checks, and the stubs to validate a project under it.
func partnershipStubs(ctx context.Context, tx pgx.Tx, id string) (stubs, bool, error) {
	var st stubs
	err := tx.QueryRow(ctx, `SELECT ps.id, ps.authority_id, ps.partner_id, pt.country
		FROM atlas_partnerships ps JOIN atlas_partners pt ON pt.id = ps.partner_id WHERE ps.id = $1`, id).
		Scan(&st.partnership, &st.authority, &st.partner, &st.country)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, false, nil
	}
	return st, err == nil, err
}

func checkProject(ctx context.Context, tx pgx.Tx, p atlas.Principal, rec atlas.ProjectRecord) error {
	if rec.PartnershipID == "" {
		return atlas.FieldErrors{{Field: "partnership_id", Reason: "required"}}
	}
	st, ok, err := partnershipStubs(ctx, tx, rec.PartnershipID)
	if err != nil {
		return err
	}
	if !ok {
		if p.Admin {
			return atlas.FieldErrors{{Field: "partnership_id", Reason: fmt.Sprintf("no partnership %q", rec.PartnershipID)}}
		}
		// Do not tell a non-admin which ids exist elsewhere.
		return atlas.FieldErrors{{Field: "partnership_id", Reason: fmt.Sprintf("no partnership %q of authority %q", rec.PartnershipID, p.Authority)}}
	}
	if err := mayWrite(p, st.authority); err != nil {
		return err
	}
	var fe atlas.FieldErrors
	if rec.Provenance != string(atlas.Real) && !p.Admin {
		fe = append(fe, atlas.FieldError{Field: "provenance", Reason: `declared projects are "real"`})
	}
	if len(fe) > 0 {
		return fe
	}
	return validate(st, nil, &rec)
}

// CreateProject declares a new project under a partnership of the token's
// authority; its id is generated.
func (s *Store) CreateProject(ctx context.Context, p atlas.Principal, in atlas.ProjectInput) (atlas.ProjectRecord, error) {
	var out atlas.ProjectRecord
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		return idempotent(ctx, tx, p, "create project", in, &out, func() error { return s.createProject(ctx, tx, p, in, &out) })
	})
	return out, err
}

// createProject inserts in as a new declared project, in tx, into out.
func (s *Store) createProject(ctx context.Context, tx pgx.Tx, p atlas.Principal, in atlas.ProjectInput, out *atlas.ProjectRecord) error {
	rec := projectRecord(in, "DPRJ-?")
	if err := checkProject(ctx, tx, p, rec); err != nil {
		return err
	}
	var err error
	if rec.ID, err = nextDeclarationID(ctx, tx, "DPRJ"); err != nil {
		return err
	}
	*out, err = scanProject(tx.QueryRow(ctx, `INSERT INTO atlas_projects (`+projectCols+`, ord)
		VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(max(ord), -1) + 1 FROM atlas_projects))
		RETURNING `+projectCols,
		rec.ID, rec.PartnershipID, rec.Title, rec.Themes, rec.StartYear, rec.Provenance))
	if err != nil {
		return err
	}
	return audit(ctx, tx, p, "create", "projects", out.ID, nil, *out)
}

// UpdateProject replaces the fields of project id (it may move to another
// partnership of the same authority).
func (s *Store) UpdateProject(ctx context.Context, p atlas.Principal, id string, in atlas.ProjectInput) (atlas.ProjectRecord, error) {
	var out atlas.ProjectRecord
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, auth, err := lockProject(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(p, auth); err != nil {
			return err
		}
		rec := projectRecord(in, id)
		if err := checkProject(ctx, tx, p, rec); err != nil {
			return err
		}
		out, err = scanProject(tx.QueryRow(ctx, `UPDATE atlas_projects
			SET partnership_id = $2, title = $3, themes = $4, start_year = $5, provenance = $6
			WHERE id = $1 RETURNING `+projectCols,
			id, rec.PartnershipID, rec.Title, rec.Themes, rec.StartYear, rec.Provenance))
		if err != nil {
			return err
		}
		return audit(ctx, tx, p, "update", "projects", id, before, out)
	})
	return out, err
}

// DeleteProject deletes project id.
func (s *Store) DeleteProject(ctx context.Context, p atlas.Principal, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, auth, err := lockProject(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(p, auth); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM atlas_projects WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, p, "delete", "projects", id, before, nil)
	})
}

func lockProject(ctx context.Context, tx pgx.Tx, id string) (atlas.ProjectRecord, string, error) {
	var r atlas.ProjectRecord
	var auth string
	err := tx.QueryRow(ctx, `SELECT pr.id, pr.partnership_id, pr.title, pr.themes, pr.start_year, pr.provenance, ps.authority_id
		FROM atlas_projects pr JOIN atlas_partnerships ps ON ps.id = pr.partnership_id
		WHERE pr.id = $1 FOR UPDATE OF pr`, id).
		Scan(&r.ID, &r.PartnershipID, &r.Title, &r.Themes, &r.StartYear, &r.Provenance, &auth)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, "", notFound("project", id)
	}
	return r, auth, err
}

// ---- audit ----

func audit(ctx context.Context, tx pgx.Tx, p atlas.Principal, action, table, id string, before, after any) error {
	enc := func(v any) ([]byte, error) {
		if v == nil {
			return nil, nil
		}
		return json.Marshal(v)
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	var auth any
	if p.Authority != "" {
		auth = p.Authority
	}
	info := atlas.RequestInfoFrom(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO atlas_audit (token_id, authority_id, action, table_name, record_id, before, after,
		request_id, client_addr, user_agent, request)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11)`, p.TokenID, auth, action, table, id, nullJSON(b), nullJSON(a),
		info.ID, info.Client, info.UserAgent, info.Request)
	return err
}

// RecordRejected writes a refused write to the audit trail: status 401
// (no token, or an unknown or revoked one: p is zero) or 403 (p's scope).
func (s *Store) RecordRejected(ctx context.Context, p atlas.Principal, status int, reason string) error {
	var token, auth any
	if p.TokenID != 0 {
		token = p.TokenID
	}
	if p.Authority != "" {
		auth = p.Authority
	}
	info := atlas.RequestInfoFrom(ctx)
	_, err := s.pool.Exec(ctx, `INSERT INTO atlas_audit (token_id, authority_id, action, table_name, record_id,
		request_id, client_addr, user_agent, request, status, reason)
		VALUES ($1, $2, 'rejected', '', '', $3, $4, $5, $6, $7, $8)`, token, auth,
		info.ID, info.Client, info.UserAgent, info.Request, status, reason)
	return unavailable(err)
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// ---- validation with the dataset rules ----

// stubs are the existing records a candidate row refers to. They come from
// the database, so they pass the dataset rules themselves.
type stubs struct {
	authority, partner, country, partnership string
}

var emptyFC = []byte(`{"type":"FeatureCollection","features":[]}`)

// validate checks a candidate partnership or project row with dataset.Load
// on a one-row dataset (plus stub rows for what it refers to), so that the
// declarations obey exactly the rules of the dataset files. Errors are
// returned as field errors named like the JSON body.
func validate(st stubs, ps *atlas.PartnershipRecord, pr *atlas.ProjectRecord) error {
	var fe atlas.FieldErrors
	check := func(field, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			fe = append(fe, atlas.FieldError{Field: field, Reason: "must be valid UTF-8 text without NUL characters"})
		}
	}
	csvOf := func(header string, rows ...[]string) []byte {
		var b bytes.Buffer
		b.WriteString(header + "\n")
		w := csv.NewWriter(&b)
		_ = w.WriteAll(rows)
		return b.Bytes()
	}
	year := func(y int) string {
		if y == 0 {
			return ""
		}
		return strconv.Itoa(y)
	}
	fsys := fstest.MapFS{
		dataset.CountriesFile:    {Data: csvOf("iso2,iso3,name_fr,name_en,label_lon,label_lat", []string{st.country, "", "x", "x", "0", "0"})},
		dataset.AuthoritiesFile:  {Data: csvOf("id,type,code,name,departement,region,population,lon,lat", []string{st.authority, "commune", "x", "x", "", "", "", "0", "0"})},
		dataset.PartnersFile:     {Data: csvOf("id,geonameid,name,country,subdivision,population,lon,lat", []string{st.partner, "", "x", st.country, "", "", "0", "0"})},
		dataset.PartnershipsFile: {Data: csvOf("id,authority_id,partner_id,kind,start_year,active,provenance")},
		dataset.ProjectsFile:     {Data: csvOf("id,partnership_id,title,themes,start_year,provenance")},
		dataset.CountryShapes:    {Data: emptyFC},
		dataset.RegionShapes:     {Data: emptyFC},
		dataset.DepartementShape: {Data: emptyFC},
	}
	file := dataset.PartnershipsFile
	if ps != nil {
		check("kind", ps.Kind)
		check("provenance", ps.Provenance)
		fsys[dataset.PartnershipsFile] = &fstest.MapFile{Data: csvOf("id,authority_id,partner_id,kind,start_year,active,provenance",
			[]string{ps.ID, ps.AuthorityID, ps.PartnerID, ps.Kind, year(ps.StartYear), strconv.FormatBool(ps.Active), ps.Provenance})}
	}
	if pr != nil {
		file = dataset.ProjectsFile
		check("title", pr.Title)
		check("provenance", pr.Provenance)
		for _, t := range pr.Themes {
			check("themes", t)
			if strings.Contains(t, "|") {
				fe = append(fe, atlas.FieldError{Field: "themes", Reason: fmt.Sprintf("unknown theme %q", t)})
			}
		}
		fsys[dataset.PartnershipsFile] = &fstest.MapFile{Data: csvOf("id,authority_id,partner_id,kind,start_year,active,provenance",
			[]string{st.partnership, st.authority, st.partner, "jumelage", "", "true", "real"})}
		fsys[dataset.ProjectsFile] = &fstest.MapFile{Data: csvOf("id,partnership_id,title,themes,start_year,provenance",
			[]string{pr.ID, pr.PartnershipID, pr.Title, strings.Join(pr.Themes, "|"), year(pr.StartYear), pr.Provenance})}
	}
	if len(fe) > 0 {
		return fe
	}
	_, err := dataset.Load(fsys)
	if err == nil {
		return nil
	}
	var re *dataset.RowError
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		if errors.As(e, &re) && re.File == file && re.Field != "" {
			fe = append(fe, atlas.FieldError{Field: re.Field, Reason: re.Reason})
			continue
		}
		return fmt.Errorf("postgis: validate: %w", e) // a stub row failed: a bug
	}
	return fe
}
