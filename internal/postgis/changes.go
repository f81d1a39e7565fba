package postgis

import (
	"context"
	"fmt"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// maxChangedRows bounds an incremental refresh: beyond it, reading the whole
// dataset costs about as much as reading the rows that changed.
const maxChangedRows = 5000

// loadChanges reads what changed since prev from the change log
// (atlas_changes, migration 4) and returns the dataset at the database's
// current revision: prev's with the partnerships and projects that changed
// read again, the money side (sectors, APD, calls, applications) read again
// whole when one of its tables changed, its countries, authorities,
// partners and boundaries shared (so that index.Derive reuses prev's
// snapshot). It reads in one REPEATABLE
// READ, READ ONLY transaction, like LoadDataset. It returns nil, with no
// error, when the log cannot say: revisions pruned or missing, a change of
// another table, a TRUNCATE, a large statement, more than maxChangedRows
// rows; or when the rows it would produce do not add up to the tables'
// counts. The caller then reads everything.
func loadChanges(ctx context.Context, db Beginner, prev *loaded) (*loaded, error) {
	tx, rev, err := beginRead(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("postgis: load changes: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if rev < prev.rev {
		return nil, nil // the database was replaced by an older one
	}
	rows, err := tx.Query(ctx, `SELECT tbl, "full", ids FROM atlas_changes WHERE rev > $1 AND rev <= $2 ORDER BY rev`, prev.rev, rev)
	if err != nil {
		return nil, fmt.Errorf("postgis: load changes: %w", err)
	}
	pships, projs := map[string]bool{}, map[string]bool{}
	var n int64
	full, money := false, false
	for rows.Next() {
		var tbl string
		var isFull bool
		var ids []string
		if err := rows.Scan(&tbl, &isFull, &ids); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgis: load changes: %w", err)
		}
		n++
		set := map[string]map[string]bool{"atlas_partnerships": pships, "atlas_projects": projs}[tbl]
		if moneyTables[tbl] {
			money = true
			continue
		}
		if isFull || set == nil {
			full = true
			continue
		}
		for _, id := range ids {
			set[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: load changes: %w", err)
	}
	if full || n != rev-prev.rev || len(pships)+len(projs) > maxChangedRows {
		return nil, nil
	}
	next := &loaded{ds: &atlas.Dataset{}, rev: rev}
	*next.ds = *prev.ds
	next.ds.Partnerships, next.pshipOrd = prev.ds.Partnerships, prev.pshipOrd
	next.ds.Projects, next.projOrd = prev.ds.Projects, prev.projOrd
	if len(pships) > 0 {
		fresh, ords, err := collectChanged(ctx, tx, `SELECT ord, `+partnershipLoadCols+` FROM atlas_partnerships WHERE id = ANY($1) ORDER BY ord`, pships, scanLoadedPartnership)
		if err != nil {
			return nil, fmt.Errorf("postgis: load changes: partnerships: %w", err)
		}
		next.ds.Partnerships, next.pshipOrd = mergeChanged(prev.ds.Partnerships, prev.pshipOrd, func(p atlas.Partnership) string { return p.ID }, pships, fresh, ords)
	}
	if len(projs) > 0 {
		fresh, ords, err := collectChanged(ctx, tx, `SELECT ord, `+projectCols+` FROM atlas_projects WHERE id = ANY($1) ORDER BY ord`, projs, scanLoadedProject)
		if err != nil {
			return nil, fmt.Errorf("postgis: load changes: projects: %w", err)
		}
		next.ds.Projects, next.projOrd = mergeChanged(prev.ds.Projects, prev.projOrd, func(p atlas.Project) string { return p.ID }, projs, fresh, ords)
	}
	if money {
		next.ds.Sectors, next.ds.APD, next.ds.Calls, next.ds.Applications = nil, nil, nil, nil
		if err := readSteps(ctx, tx, moneySteps(next.ds)); err != nil {
			return nil, fmt.Errorf("postgis: load changes: %w", err)
		}
	}
	// The log and the tables must agree; if they do not (a change the log
	// missed), read everything.
	var np, npr int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM atlas_partnerships), (SELECT count(*) FROM atlas_projects)`).Scan(&np, &npr); err != nil {
		return nil, fmt.Errorf("postgis: load changes: counts: %w", err)
	}
	if np != len(next.ds.Partnerships) || npr != len(next.ds.Projects) {
		return nil, nil
	}
	return next, tx.Commit(ctx)
}

// collectChanged reads the rows of ids that still exist, in load order.
func collectChanged[T any](ctx context.Context, tx pgx.Tx, sql string, ids map[string]bool, scan func(pgx.Row) (T, int64, error)) ([]T, []int64, error) {
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	rows, err := tx.Query(ctx, sql, list)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []T
	var ords []int64
	for rows.Next() {
		v, ord, err := scan(rows)
		if err != nil {
			return nil, nil, err
		}
		out, ords = append(out, v), append(ords, ord)
	}
	return out, ords, rows.Err()
}

// mergeChanged returns old (in load order, with its ords) without the rows
// whose id changed, merged in load order with fresh (the changed rows as
// they are now, in load order). Rows that did not change keep their ord, so
// the result is the table in load order.
func mergeChanged[T any](old []T, oldOrd []int64, id func(T) string, changed map[string]bool, fresh []T, freshOrd []int64) ([]T, []int64) {
	out := make([]T, 0, len(old)+len(fresh))
	ords := make([]int64, 0, len(old)+len(fresh))
	j := 0
	for i, v := range old {
		if changed[id(v)] {
			continue
		}
		for ; j < len(fresh) && freshOrd[j] < oldOrd[i]; j++ {
			out, ords = append(out, fresh[j]), append(ords, freshOrd[j])
		}
		out, ords = append(out, v), append(ords, oldOrd[i])
	}
	return append(out, fresh[j:]...), append(ords, freshOrd[j:]...)
}
