package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// requestCols are the columns of atlas_requests in atlas.Request's order,
// dates as YYYY-MM-DD.
const requestCols = `id, coalesce(partner_id, ''), name, country, lon, lat, themes, description, sought_types, min_population, max_population,
	languages, to_char(valid_until, 'YYYY-MM-DD'), status, to_char(published, 'YYYY-MM-DD')`

func scanRequest(row pgx.Row) (atlas.Request, error) {
	var r atlas.Request
	var types []string
	err := row.Scan(&r.ID, &r.PartnerID, &r.Name, &r.Country, &r.Point[0], &r.Point[1], &r.Themes, &r.Description, &types,
		&r.MinPopulation, &r.MaxPopulation, &r.Languages, &r.ValidUntil, &r.Status, &r.Published)
	r.SoughtTypes = atlas.SortedTypes(types)
	return r, err
}

// ministry checks that p is the ministry's: it alone publishes the
// requests and sees the interests (an admin token, made to manage the
// declarations, does not).
func ministry(p atlas.Principal) error {
	if p.Ministry {
		return nil
	}
	return forbidden("only a ministry token publishes the bourse-projets' requests and sees the interests")
}

// requestPlace resolves the place of in: the partner's, or the new one
// (whose country must exist).
func requestPlace(ctx context.Context, tx pgx.Tx, in atlas.RequestInput) (name, country string, pt orb.Point, err error) {
	if in.PartnerID != "" {
		err = tx.QueryRow(ctx, `SELECT name, country, lon, lat FROM atlas_partners WHERE id = $1`, in.PartnerID).Scan(&name, &country, &pt[0], &pt[1])
		if errors.Is(err, pgx.ErrNoRows) {
			err = atlas.FieldErrors{{Field: "partner_id", Reason: fmt.Sprintf("no partner %q in the atlas", in.PartnerID)}}
		}
		return name, country, pt, err
	}
	var ok bool
	if err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM atlas_countries WHERE iso2 = $1)`, in.Country).Scan(&ok); err == nil && !ok {
		err = atlas.FieldErrors{{Field: "country", Reason: fmt.Sprintf("no country %q in the atlas", in.Country)}}
	}
	return strings.TrimSpace(in.Name), in.Country, orb.Point{in.Point[0], in.Point[1]}, err
}

// CreateRequest publishes a request of the bourse-projets (a ministry
// token); its id is generated (BRS-000001), its date is today's.
func (s *Store) CreateRequest(ctx context.Context, p atlas.Principal, in atlas.RequestInput) (atlas.Request, error) {
	return s.writeRequest(ctx, p, "", in)
}

// UpdateRequest replaces request id (a ministry token): closing it is
// status "closed".
func (s *Store) UpdateRequest(ctx context.Context, p atlas.Principal, id string, in atlas.RequestInput) (atlas.Request, error) {
	return s.writeRequest(ctx, p, id, in)
}

func (s *Store) writeRequest(ctx context.Context, p atlas.Principal, id string, in atlas.RequestInput) (atlas.Request, error) {
	if err := ministry(p); err != nil {
		return atlas.Request{}, err
	}
	if errs := in.Validate(); len(errs) > 0 {
		return atlas.Request{}, errs
	}
	if in.Status == "" {
		in.Status = atlas.RequestOpen
	}
	var out atlas.Request
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		name, country, pt, err := requestPlace(ctx, tx, in)
		if err != nil {
			return err
		}
		var partner any
		if in.PartnerID != "" {
			partner = in.PartnerID
		}
		types := make([]string, 0, len(in.SoughtTypes))
		for _, t := range atlas.SortedTypes(in.SoughtTypes) {
			types = append(types, string(t))
		}
		args := []any{partner, name, country, pt[0], pt[1], in.Themes, in.Description, types, in.MinPopulation, in.MaxPopulation, in.Languages, in.ValidUntil, in.Status}
		if id == "" {
			if id, err = nextDeclarationID(ctx, tx, "BRS"); err != nil {
				return err
			}
			out, err = scanRequest(tx.QueryRow(ctx, `INSERT INTO atlas_requests (id, partner_id, name, country, lon, lat, themes, description,
				sought_types, min_population, max_population, languages, valid_until, status, published)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, current_date) RETURNING `+requestCols, append([]any{id}, args...)...))
			if err != nil {
				return err
			}
			return audit(ctx, tx, p, "create", "requests", id, nil, out)
		}
		before, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestCols+` FROM atlas_requests WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("request", id)
		} else if err != nil {
			return err
		}
		out, err = scanRequest(tx.QueryRow(ctx, `UPDATE atlas_requests SET partner_id = $2, name = $3, country = $4, lon = $5, lat = $6,
			themes = $7, description = $8, sought_types = $9, min_population = $10, max_population = $11, languages = $12,
			valid_until = $13, status = $14 WHERE id = $1 RETURNING `+requestCols, append([]any{id}, args...)...))
		if err != nil {
			return err
		}
		return audit(ctx, tx, p, "update", "requests", id, before, out)
	})
	return out, err
}

// ExpressInterest records that the token's collectivité is interested in
// request id (again: its message replaced). Only an authority's token; the
// request must be open: a closed or expired one is a conflict naming its
// date.
func (s *Store) ExpressInterest(ctx context.Context, p atlas.Principal, id, message string) (atlas.Interest, error) {
	if p.Authority == "" {
		return atlas.Interest{}, forbidden("a collectivité's own token expresses its interest")
	}
	if n := utf8.RuneCountInString(message); n > atlas.MaxInterestMessage || !utf8.ValidString(message) ||
		strings.ContainsFunc(message, func(r rune) bool { return r < 0x20 && r != '\n' }) {
		return atlas.Interest{}, atlas.FieldErrors{{Field: "message", Reason: "want at most 2,000 characters of text"}}
	}
	var out atlas.Interest
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestCols+` FROM atlas_requests WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("request", id)
		} else if err != nil {
			return err
		}
		if today := time.Now().UTC().Format(time.DateOnly); !r.IsOpen(today) {
			state := "expired"
			if r.Status == atlas.RequestClosed {
				state = "closed"
			}
			return fmt.Errorf("%w: request %s is %s (valid until %s)", atlas.ErrConflict, id, state, r.ValidUntil)
		}
		var before any
		if prev, err := scanInterest(tx.QueryRow(ctx, interestSelect+` WHERE i.request_id = $1 AND i.authority_id = $2`, id, p.Authority)); err == nil {
			before = prev
		}
		if _, err := tx.Exec(ctx, `INSERT INTO atlas_interests (request_id, authority_id, message) VALUES ($1, $2, $3)
			ON CONFLICT (request_id, authority_id) DO UPDATE SET message = $3, updated_at = now()`, id, p.Authority, message); err != nil {
			return err
		}
		if out, err = scanInterest(tx.QueryRow(ctx, interestSelect+` WHERE i.request_id = $1 AND i.authority_id = $2`, id, p.Authority)); err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return audit(ctx, tx, p, action, "interests", id+"/"+p.Authority, before, out)
	})
	return out, err
}

const interestSelect = `SELECT i.request_id, i.authority_id, a.name, i.message,
	to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM atlas_interests i JOIN atlas_authorities a ON a.id = i.authority_id`

func scanInterest(row pgx.Row) (atlas.Interest, error) {
	var i atlas.Interest
	err := row.Scan(&i.RequestID, &i.AuthorityID, &i.Name, &i.Message, &i.CreatedAt, &i.UpdatedAt)
	return i, err
}

// Interests returns the interests in request id, the first expressed
// first: the ministry's tokens only.
func (s *Store) Interests(ctx context.Context, p atlas.Principal, id string) ([]atlas.Interest, error) {
	if err := ministry(p); err != nil {
		return nil, err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM atlas_requests WHERE id = $1)`, id).Scan(&exists); err != nil {
		return nil, unavailable(err)
	}
	if !exists {
		return nil, notFound("request", id)
	}
	rows, err := s.pool.Query(ctx, interestSelect+` WHERE i.request_id = $1 ORDER BY i.created_at, i.authority_id`, id)
	if err != nil {
		return nil, unavailable(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (atlas.Interest, error) { return scanInterest(r) })
	if out == nil {
		out = []atlas.Interest{}
	}
	return out, unavailable(err)
}
