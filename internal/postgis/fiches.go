package postgis

import (
	"context"
	"errors"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// ficheCols are the columns of atlas_fiches in atlas.Fiche's order, the
// date as YYYY-MM-DD.
const ficheCols = `authority_id, service, role, email, phone, website, presentation_fr, presentation_en, logo_url, version, to_char(updated_at, 'YYYY-MM-DD')`

func scanFiche(row pgx.Row) (atlas.Fiche, error) {
	var f atlas.Fiche
	err := row.Scan(&f.AuthorityID, &f.Service, &f.Role, &f.Email, &f.Phone, &f.Website, &f.PresentationFR, &f.PresentationEN, &f.LogoURL, &f.Version, &f.UpdatedAt)
	return f, err
}

// UpdateFiche writes the fiche of authority id: its own token (or an
// admin's) only; every field checked (atlas.FicheInput.Validate, 422 naming
// them); the version goes up by one and the date is today's; the audit
// trail keeps the fiche before and after. One transaction.
func (s *Store) UpdateFiche(ctx context.Context, p atlas.Principal, id string, in atlas.FicheInput) (atlas.Fiche, error) {
	if err := mayWrite(p, id); err != nil {
		return atlas.Fiche{}, err
	}
	if errs := in.Validate(); len(errs) > 0 {
		return atlas.Fiche{}, errs
	}
	var out atlas.Fiche
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM atlas_authorities WHERE id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notFound("authority", id)
		}
		var before any
		switch f, err := scanFiche(tx.QueryRow(ctx, `SELECT `+ficheCols+` FROM atlas_fiches WHERE authority_id = $1 FOR UPDATE`, id)); {
		case err == nil:
			before = f
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var err error
		out, err = scanFiche(tx.QueryRow(ctx, `INSERT INTO atlas_fiches AS f
			(authority_id, service, role, email, phone, website, presentation_fr, presentation_en, logo_url, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, current_date)
			ON CONFLICT (authority_id) DO UPDATE SET service = $2, role = $3, email = $4, phone = $5, website = $6,
				presentation_fr = $7, presentation_en = $8, logo_url = $9, version = f.version + 1, updated_at = current_date
			RETURNING `+ficheCols,
			id, in.Service, in.Role, in.Email, in.Phone, in.Website, in.PresentationFR, in.PresentationEN, in.LogoURL))
		if err != nil {
			return err
		}
		action := "update"
		if before == nil {
			action = "create"
		}
		return audit(ctx, tx, p, action, "fiches", id, before, out)
	})
	return out, err
}
