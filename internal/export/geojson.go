package export

import (
	"context"
	"io"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/encoding/geojson"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// stream batches small appends into writes of about chunk bytes and calls
// the flush callback after the first batch and then periodically.
type stream struct {
	w          io.Writer
	buf        []byte
	o          Options
	n          int64 // bytes written to w
	sinceFlush int
	flushed    bool
}

const chunk = 32 << 10

func newStream(w io.Writer, o Options) *stream {
	return &stream{w: w, buf: make([]byte, 0, 2*chunk), o: o}
}

// maybeWrite writes the buffer once it holds a chunk (or always when force).
func (s *stream) maybeWrite(force bool) error {
	if len(s.buf) < chunk && !force {
		return nil
	}
	if len(s.buf) > 0 {
		n, err := s.w.Write(s.buf)
		s.n += int64(n)
		s.sinceFlush += n
		if err != nil {
			return err
		}
		s.buf = s.buf[:0]
	}
	if s.o.Flush != nil && (!s.flushed || s.sinceFlush >= s.o.flushBytes()) {
		s.flushed, s.sinceFlush = true, 0
		return s.o.Flush()
	}
	return nil
}

// WriteGeoJSON streams the features of layer that f selects as an RFC 7946
// FeatureCollection (with a numberMatched member) to w, in load order. The
// features are those of /geojson/{layer} (same ids, geometries and
// properties; partnerships carry their projects), with coordinates rounded
// to geojson.Decimals decimals, and apd_eur last when o.APD gives it. It
// returns the number of features written.
func WriteGeoJSON(ctx context.Context, w io.Writer, snap *index.Snapshot, layer string, f atlas.Filter, o Options) (int, error) {
	if err := checkLayer(layer); err != nil {
		return 0, err
	}
	ids, sel, err := o.items(ctx, snap, layer, f)
	if err != nil {
		return 0, err
	}
	s := newStream(w, o)
	s.buf = append(s.buf, `{"type":"FeatureCollection","name":`...)
	s.buf = geojson.AppendString(s.buf, "atlas-"+layer)
	s.buf = append(s.buf, `,"numberMatched":`...)
	s.buf = strconv.AppendInt(s.buf, int64(len(ids)), 10)
	s.buf = append(s.buf, `,"features":[`...)
	s.buf = append(s.buf, '\n')
	apd := o.apd(layer)
	err = encodeParallel(ctx, len(ids), s, []byte(",\n"), func(b []byte, k int) []byte {
		b = snap.AppendFeature(b, layer, ids[k], sel)
		if apd == nil {
			return b
		}
		// The feature ends with its properties' "}}".
		b = strconv.AppendInt(append(b[:len(b)-2], `,"apd_eur":`...), apd(ids[k]), 10)
		return append(b, "}}"...)
	})
	if err != nil {
		return 0, err
	}
	s.buf = append(s.buf, "\n]}\n"...)
	return len(ids), s.maybeWrite(true)
}

// partnership is the typed view of a partnership's properties.
type partnership struct {
	p        *atlas.Partnership
	a        *atlas.Authority
	pt       *atlas.Partner
	country  string
	projects []index.ProjectJSON
	themes   []string
}

func partnershipOf(snap *index.Snapshot, i int32) partnership {
	ds := snap.Dataset()
	a, pt := snap.PartnershipEnds(i)
	v := partnership{p: &ds.Partnerships[i], a: &ds.Authorities[a], pt: &ds.Partners[pt],
		country: ds.Countries[snap.PartnershipCountry(i)].NameFR, projects: snap.PartnershipProjects(i)}
	var mask uint32
	for _, pr := range v.projects {
		for _, t := range pr.Themes {
			if ti := atlas.ThemeIndex(t); ti >= 0 {
				mask |= 1 << ti
			}
		}
	}
	v.themes = []string{}
	for ti, th := range allThemes {
		if mask&(1<<ti) != 0 {
			v.themes = append(v.themes, th.Slug)
		}
	}
	return v
}

var allThemes = atlas.Themes()
