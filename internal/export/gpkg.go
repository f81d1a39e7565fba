package export

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
)

// GeoPackage constants (OGC 12-128r17, GeoPackage 1.3).
const (
	gpkgApplicationID = 0x47504B47 // "GPKG"
	gpkgUserVersion   = 10300      // 1.3: what GDAL ≥ 3.1 reads without warning
	wgs84WKT          = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`
)

// gpkgGeometryType returns the declared geometry type of layer's table.
// Partnership arcs are always MULTILINESTRING (one part, or two when split
// at the antimeridian), boundaries always MULTIPOLYGON.
func gpkgGeometryType(layer string) string {
	switch layer {
	case index.LayerAuthorities, index.LayerPartners:
		return "POINT"
	case index.LayerPartnerships:
		return "MULTILINESTRING"
	}
	return "MULTIPOLYGON"
}

func gpkgColumnType(t string) string {
	switch t {
	case "integer":
		return "INTEGER"
	case "boolean":
		return "BOOLEAN"
	case "number":
		return "DOUBLE"
	}
	return "TEXT"
}

// WriteGeoPackage writes the features of layer that f selects to a new
// GeoPackage at path (which must not exist): one feature table named after
// the layer (fid, geom in EPSG:4326, the layer's fields with themes |-joined
// and projects as a count), its gpkg_contents and gpkg_geometry_columns
// rows, and an R-tree spatial index (gpkg_rtree_index extension, with the
// triggers that keep it up to date when the file is edited, e.g. in QGIS).
// Of o only APD is read: an apd_eur INTEGER column after the fields of the
// countries and authorities layers. It returns the number of features
// written.
func WriteGeoPackage(ctx context.Context, path string, snap *index.Snapshot, layer string, f atlas.Filter, o Options) (int, error) {
	if err := checkLayer(layer); err != nil {
		return 0, err
	}
	ids, sel, err := snap.Items(layer, f)
	if err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return 0, fmt.Errorf("gpkg: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("gpkg: %w", err)
	}
	defer conn.Close()
	exec := func(q string, args ...any) error {
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("gpkg: %s: %w", strings.Fields(q)[0], err)
		}
		return nil
	}
	cols := o.columns(layer)
	apd := o.apd(layer)
	geomType := gpkgGeometryType(layer)
	t := layer // table name: a plain lower-case identifier
	rtree := "rtree_" + t + "_geom"

	var ddl strings.Builder
	fmt.Fprintf(&ddl, `CREATE TABLE "%s" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom %s`, t, geomType)
	for _, c := range cols {
		fmt.Fprintf(&ddl, `, "%s" %s`, c.Name, gpkgColumnType(c.Type))
	}
	ddl.WriteString(")")
	l, _ := index.LayerByID(layer)
	for _, q := range []string{
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
		`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
		ddl.String(),
		fmt.Sprintf(`CREATE VIRTUAL TABLE "%s" USING rtree(id, minx, maxx, miny, maxy)`, rtree),
	} {
		if err := exec(q); err != nil {
			return 0, err
		}
	}
	for _, r := range [][]any{
		{"Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"},
		{"Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"},
		{"WGS 84 geodetic", 4326, "EPSG", 4326, wgs84WKT, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"},
	} {
		if err := exec(`INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)`, r...); err != nil {
			return 0, err
		}
	}

	if err := exec("BEGIN"); err != nil {
		return 0, err
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)+2), ", ")
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = `"` + c.Name + `"`
	}
	ins, err := conn.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO "%s" (fid, geom, %s) VALUES (%s)`, t, strings.Join(names, ", "), marks))
	if err != nil {
		return 0, fmt.Errorf("gpkg: prepare: %w", err)
	}
	defer ins.Close()
	insR, err := conn.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO "%s" VALUES (?, ?, ?, ?, ?)`, rtree))
	if err != nil {
		return 0, fmt.Errorf("gpkg: prepare: %w", err)
	}
	defer insR.Close()
	ext := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	args := make([]any, len(cols)+2)
	var blob []byte
	for k, i := range ids {
		if k%512 == 0 {
			if err := ctx.Err(); err != nil {
				return k, err
			}
		}
		g := gpkgGeometry(snap.Geometry(layer, i))
		b := g.Bound()
		ext = ext.Union(b)
		if blob, err = appendGPKGGeometry(blob[:0], g, b); err != nil {
			return k, err
		}
		fid := int64(k + 1)
		args[0], args[1] = fid, blob
		props := snap.Properties(layer, i, sel)
		for n, c := range cols {
			args[n+2] = gpkgValue(props[c.Name])
		}
		if apd != nil { // the last column
			args[len(args)-1] = apd(i)
		}
		if _, err := ins.ExecContext(ctx, args...); err != nil {
			return k, fmt.Errorf("gpkg: insert: %w", err)
		}
		if _, err := insR.ExecContext(ctx, fid, b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
			return k, fmt.Errorf("gpkg: rtree: %w", err)
		}
	}
	var minX, minY, maxX, maxY any
	if len(ids) > 0 {
		minX, minY, maxX, maxY = ext.Min[0], ext.Min[1], ext.Max[0], ext.Max[1]
	}
	desc := l.Description
	if !f.IsZero() {
		desc += " Filter: " + f.Encode() + "."
	}
	if err := exec(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)`,
		t, l.Title, desc, time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), minX, minY, maxX, maxY); err != nil {
		return 0, err
	}
	if err := exec(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)`, t, geomType); err != nil {
		return 0, err
	}
	if err := exec(`INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`, t); err != nil {
		return 0, err
	}
	for _, q := range rtreeTriggers(t, "geom", "fid") {
		if err := exec(q); err != nil {
			return 0, err
		}
	}
	if err := exec("COMMIT"); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// rtreeTriggers returns the triggers of the gpkg_rtree_index extension
// (GeoPackage 1.2+, clause F.3) that keep the index in step with edits.
func rtreeTriggers(t, c, i string) []string {
	r := "rtree_" + t + "_" + c
	return []string{
		fmt.Sprintf(`CREATE TRIGGER "%[4]s_insert" AFTER INSERT ON "%[1]s" WHEN (new."%[2]s" NOT NULL AND NOT ST_IsEmpty(NEW."%[2]s")) BEGIN INSERT OR REPLACE INTO "%[4]s" VALUES (NEW."%[3]s", ST_MinX(NEW."%[2]s"), ST_MaxX(NEW."%[2]s"), ST_MinY(NEW."%[2]s"), ST_MaxY(NEW."%[2]s")); END`, t, c, i, r),
		fmt.Sprintf(`CREATE TRIGGER "%[4]s_update1" AFTER UPDATE OF "%[2]s" ON "%[1]s" WHEN OLD."%[3]s" = NEW."%[3]s" AND (NEW."%[2]s" NOTNULL AND NOT ST_IsEmpty(NEW."%[2]s")) BEGIN INSERT OR REPLACE INTO "%[4]s" VALUES (NEW."%[3]s", ST_MinX(NEW."%[2]s"), ST_MaxX(NEW."%[2]s"), ST_MinY(NEW."%[2]s"), ST_MaxY(NEW."%[2]s")); END`, t, c, i, r),
		fmt.Sprintf(`CREATE TRIGGER "%[4]s_update2" AFTER UPDATE OF "%[2]s" ON "%[1]s" WHEN OLD."%[3]s" = NEW."%[3]s" AND (NEW."%[2]s" ISNULL OR ST_IsEmpty(NEW."%[2]s")) BEGIN DELETE FROM "%[4]s" WHERE id = OLD."%[3]s"; END`, t, c, i, r),
		fmt.Sprintf(`CREATE TRIGGER "%[4]s_update3" AFTER UPDATE ON "%[1]s" WHEN OLD."%[3]s" != NEW."%[3]s" AND (NEW."%[2]s" NOTNULL AND NOT ST_IsEmpty(NEW."%[2]s")) BEGIN DELETE FROM "%[4]s" WHERE id = OLD."%[3]s"; INSERT OR REPLACE INTO "%[4]s" VALUES (NEW."%[3]s", ST_MinX(NEW."%[2]s"), ST_MaxX(NEW."%[2]s"), ST_MinY(NEW."%[2]s"), ST_MaxY(NEW."%[2]s")); END`, t, c, i, r),
		fmt.Sprintf(`CREATE TRIGGER "%[4]s_update4" AFTER UPDATE ON "%[1]s" WHEN OLD."%[3]s" != NEW."%[3]s" AND (NEW."%[2]s" ISNULL OR ST_IsEmpty(NEW."%[2]s")) BEGIN DELETE FROM "%[4]s" WHERE id IN (OLD."%[3]s", NEW."%[3]s"); END`, t, c, i, r),
		fmt.Sprintf(`CREATE TRIGGER "%[4]s_delete" AFTER DELETE ON "%[1]s" WHEN old."%[2]s" NOT NULL BEGIN DELETE FROM "%[4]s" WHERE id = OLD."%[3]s"; END`, t, c, i, r),
	}
}

// gpkgGeometry normalises g to the table's declared type.
func gpkgGeometry(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.LineString:
		return orb.MultiLineString{g}
	case orb.Polygon:
		return orb.MultiPolygon{g}
	}
	return g
}

// appendGPKGGeometry appends the GeoPackage binary encoding of g: the "GP"
// header (version 0, little endian, envelope [minx, maxx, miny, maxy],
// srs_id 4326) followed by the little-endian WKB.
func appendGPKGGeometry(b []byte, g orb.Geometry, bound orb.Bound) ([]byte, error) {
	b = append(b, 'G', 'P', 0, 0x01|0x01<<1)
	b = binary.LittleEndian.AppendUint32(b, 4326)
	for _, x := range []float64{bound.Min[0], bound.Max[0], bound.Min[1], bound.Max[1]} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	data, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, fmt.Errorf("gpkg: wkb: %w", err)
	}
	return append(b, data...), nil
}

func gpkgValue(v any) any {
	switch v := v.(type) {
	case []string:
		return strings.Join(v, "|")
	case []index.ProjectJSON:
		return len(v)
	case bool:
		if v {
			return 1
		}
		return 0
	}
	return v
}
