/* Country view "/atlas/{ISO2}": France and the partner country side by side,
 * two synchronised MapLibre panes (selection and hover are shared), arcs with
 * their start years, themes summary, top partners and top French authorities. */
(function () {
  'use strict';
  var C = window.AtlasCore, t = C.t;
  var $ = function (id) { return document.getElementById(id); };
  var msgs = $('messages');
  var st = C.parseState(location.search);
  var m = /^\/atlas\/([^/]+)\/?$/.exec(location.pathname);
  var iso = m ? decodeURIComponent(m[1]).toUpperCase() : '';
  var facets = null, maps = [], charts = {};
  document.documentElement.lang = st.lang;
  st.errors.forEach(function (e) { C.showMessage(msgs, t('badParam', { p: e.param, v: e.value, why: e.why })); });
  if (/^[A-Z]{2}$/.test(iso)) st.filters.country = [iso];
  else { C.showMessage(msgs, t('badParam', { p: 'country', v: iso, why: t('unknownCountry') })); iso = ''; }

  var el = C.el;
  document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.getAttribute('data-t')); });
  document.querySelectorAll('[data-t-label]').forEach(function (n) { n.setAttribute('aria-label', t(n.getAttribute('data-t-label'))); });
  $('btn-lang').textContent = t('lang');
  $('btn-lang').addEventListener('click', function () {
    var q = new URLSearchParams(location.search);
    if (st.lang === 'en') q.delete('lang'); else q.set('lang', 'en');
    location.search = q.toString();
  });

  function countryName(code) {
    var c = facets && facets.countries.filter(function (x) { return x.iso2 === code; })[0];
    return c ? (st.lang === 'en' ? c.name_en : c.name_fr) : code;
  }

  function legend() {
    var ul = el('ul', { class: 'legend-list' });
    C.TYPES.forEach(function (r) { ul.appendChild(el('li', null, [el('span', { class: 'sw dot', style: 'background:' + r[3] }), C.label(C.TYPES, r[0])])); });
    ul.appendChild(el('li', null, [el('span', { class: 'sw dot', style: 'background:' + C.PARTNER_COLOR }), t('partners')]));
    C.KINDS.forEach(function (r) { ul.appendChild(el('li', null, [el('span', { class: 'sw line', style: 'background:' + r[3] }), C.label(C.KINDS, r[0])])); });
    ul.appendChild(el('li', null, [el('span', { class: 'sw line', style: 'background:' + C.GROUPED_COLOR }), t('arcsGrouped')]));
    $('legend').appendChild(el('h2', { class: 'h', text: t('legend') }));
    $('legend').appendChild(ul);
  }

  function chart(id, by, type, title, data, qs) {
    var groups = data.groups || [];
    if (by === 'year') groups = C.fillYears(groups, function (y) { return { key: y, count: 0 }; });
    var labels = groups.map(function (g) {
      if (by === 'theme') return C.label(C.THEMES, g.key);
      if (by === 'type') return C.label(C.TYPES, g.key);
      if (by === 'year' && !g.key) return t('yearNone');
      return g.label || g.key;
    });
    var colors = by === 'type' ? groups.map(function (g) { var r = C.TYPES.filter(function (x) { return x[0] === g.key; })[0]; return r ? r[3] : '#777'; }) : '#3a6ea5';
    var canvas = $(id);
    canvas.setAttribute('aria-label', t(title) + ' : ' + groups.map(function (g, i) { return labels[i] + ' ' + C.fmt(g.count); }).join(', '));
    charts[id] = new Chart(canvas, {
      type: type === 'doughnut' ? 'doughnut' : 'bar',
      data: { labels: labels, datasets: [{ label: t('unitPartnerships'), data: groups.map(function (g) { return g.count; }), backgroundColor: colors }] },
      options: { locale: C.locale(), animation: false, responsive: true, maintainAspectRatio: false, indexAxis: type === 'bar-h' ? 'y' : 'x',
        plugins: { legend: { display: type === 'doughnut', position: 'right' }, title: { display: true, text: t(title) } },
        scales: type === 'doughnut' ? {} : (function () {
          var counts = { beginAtZero: true, ticks: { precision: 0 } };
          var cats = { ticks: { autoSkip: type !== 'bar-h', font: { size: 11 }, callback: function (v) { return C.shortLabel(this.getLabelForValue(v), type === 'bar-h' ? 18 : 12); } } };
          return type === 'bar-h' ? { x: counts, y: cats } : { x: cats, y: counts };
        })() }
    });
    var box = document.querySelector('.chart-tools[data-for="' + by + '"]');
    if (box) {
      C.chartTools(box, 'pays-' + by, { caption: t(title), chart: charts[id], folded: true, rows: groups,
        csv: '/api/stats?by=' + by + '&unit=partnerships&format=csv' + (C.getLang() === 'en' ? '' : '&lang=fr') + qs,
        columns: [{ label: t(title), value: function (g) { return labels[groups.indexOf(g)]; } },
          { label: t('unitPartnerships'), num: true, value: function (g) { return C.fmt(g.count); } }] });
    }
  }

  function topList(id, features, sub) {
    var ol = $(id);
    ol.textContent = '';
    features.sort(function (a, b) { return (b.properties.partnerships || 0) - (a.properties.partnerships || 0); })
      .slice(0, 10).forEach(function (f) {
        var p = f.properties;
        ol.appendChild(el('li', null, [el('strong', { text: p.name }), ' ', el('span', { class: 'muted', text: sub(p) + ' · ' + t('partnershipsN', { n: +p.partnerships || 0 }) })]));
      });
  }

  function bounds(features) {
    var b = null;
    features.forEach(function (f) {
      var c = f.geometry && f.geometry.coordinates;
      if (!c) return;
      b = b ? b.extend(c) : new maplibregl.LngLatBounds(c, c);
    });
    return b;
  }

  var selected = null;
  function select(id) {
    selected = id || null;
    maps.forEach(function (mp) { if (mp.getLayer('partnerships-selected')) mp.setFilter('partnerships-selected', ['==', ['get', 'id'], selected || '__none__']); });
    var box = $('detail');
    if (!selected) { box.hidden = true; return; }
    C.api('/api/partnerships/' + encodeURIComponent(selected)).then(function (p) {
      var pr = p.properties || p;
      var a = pr.authority || { name: pr.authority_name, type: pr.authority_type };
      var b = pr.partner || { name: pr.partner_name };
      var themes = pr.themes || [];
      if (typeof themes === 'string') themes = themes.split('|').filter(Boolean);
      box.textContent = '';
      box.hidden = false;
      box.appendChild(el('div', { class: 'detail-head' }, [el('h2', { class: 'h', text: t('detail') }),
        el('button', { type: 'button', class: 'msg-close', 'aria-label': t('close'), text: '×', onclick: function () { select(null); } })]));
      var dl = el('dl');
      [[t('authority'), (a.name || '') + ' (' + C.label(C.TYPES, a.type) + ')'], [t('partner'), b.name || ''],
        [t('kind'), C.label(C.KINDS, pr.kind)], [t('start'), pr.start_year ? String(pr.start_year) : t('startUnknown')],
        [t('themes'), themes.map(function (s) { return C.label(C.THEMES, s); }).join(', ') || '—'],
        [t('projects'), String(Array.isArray(pr.projects) ? pr.projects.length : (pr.projects || 0))],
        [t('provenance'), C.provenanceText(pr)]].forEach(function (r) {
        dl.appendChild(el('dt', { text: r[0] }));
        dl.appendChild(el('dd', { text: r[1] }));
      });
      box.appendChild(dl);
    }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
  }

  function wire(mp) {
    mp.on('click', function (e) {
      var fs = mp.queryRenderedFeatures([[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]], { layers: ['partnerships-line', 'authorities-circle', 'partners-circle'] });
      if (!fs.length) return;
      var f = fs[0];
      if (f.properties.cluster) { mp.easeTo({ center: e.lngLat, zoom: mp.getZoom() + 2 }); return; }
      if (f.layer.id === 'partnerships-line') select(f.properties.id);
      else new maplibregl.Popup().setLngLat(e.lngLat).setText(f.properties.name + ' — ' + t('partnershipsN', { n: +f.properties.partnerships || 0 })).addTo(mp);
    });
    // Hover on an arc in one pane highlights it in both.
    mp.on('mousemove', 'partnerships-line', function (e) {
      var id = e.features[0] && e.features[0].properties.id;
      if (id && !selected) maps.forEach(function (o) { o.setFilter('partnerships-selected', ['==', ['get', 'id'], id]); });
      mp.getCanvas().style.cursor = 'pointer';
    });
    mp.on('mouseleave', 'partnerships-line', function () {
      if (!selected) maps.forEach(function (o) { o.setFilter('partnerships-selected', ['==', ['get', 'id'], '__none__']); });
      mp.getCanvas().style.cursor = '';
    });
  }

  function start() {
    legend();
    var facetsP = C.api('/api/facets').then(function (f) { facets = f; }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
    var valid = C.validate(st, '/api/stats?by=kind&unit=partnerships', function (text) { C.showMessage(msgs, text); })
      .catch(function (err) { C.showMessage(msgs, C.problemText(err)); return null; });
    Promise.all([facetsP, valid]).then(function (r) {
      var s = r[1];
      if (st.filters.country.indexOf(iso) < 0) iso = '';
      var name = iso ? countryName(iso) : '—';
      var title = iso ? t('countryView', { c: name }) : t('title');
      $('country-title').textContent = title;
      document.title = title + ' — ' + t('title');
      $('pane-partner-h').textContent = name;
      if (s) { $('counts').textContent = t('partnershipsN', { n: s.total }); $('counts').setAttribute('data-total', s.total); }
      var sel = $('country-select');
      sel.appendChild(el('option', { value: '', text: '—' }));
      (facets ? facets.countries : []).filter(function (c) { return c.iso2 !== 'FR' && (c.partnerships > 0 || c.iso2 === iso); })
        .sort(function (a, b) { return countryName(a.iso2).localeCompare(countryName(b.iso2), C.locale()); })
        .forEach(function (c) { var o = el('option', { value: c.iso2, text: countryName(c.iso2) }); if (c.iso2 === iso) o.selected = true; sel.appendChild(o); });
      sel.addEventListener('change', function () { if (sel.value) location.href = '/atlas/' + sel.value + location.search; });
      $('to-atlas').href = '/?' + C.pageQuery(st);

      var opts = { yearLabelsMinZoom: 0, highlightCountry: iso, onError: function (err) { C.showMessage(msgs, C.problemText(err)); } };
      var fr = C.makeMap('map-fr', { filters: st.filters, view: { zoom: 4.3, lat: 46.6, lon: 2.4 } }, opts);
      var pa = C.makeMap('map-partner', { filters: st.filters, view: { zoom: 1.5, lat: 20, lon: 20 } }, opts);
      maps = [fr, pa];
      window.atlasMap = fr;
      window.atlasMaps = maps;
      maps.forEach(wire);
      fr.fitBounds([[-5.3, 41.3], [9.6, 51.2]], { padding: 20, animate: false });
      var q = C.filterQuery(st.filters);
      var qs = q ? '&' + q : '';
      C.api('/geojson/partners?limit=10000' + qs).then(function (fc) {
        var b = iso && bounds(fc.features);
        if (b) pa.fitBounds(b, { padding: 50, maxZoom: 7, animate: false });
        topList('top-partners', fc.features, function (p) { return p.country_name || p.country; });
      }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
      C.api('/geojson/authorities?limit=10000' + qs).then(function (fc) {
        topList('top-authorities', fc.features, function (p) { return C.label(C.TYPES, p.type); });
      }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
      [['chart-theme', 'theme', 'bar-h', 'byTheme'], ['chart-type', 'type', 'doughnut', 'byType'], ['chart-year', 'year', 'bar', 'byYear']].forEach(function (c) {
        C.api('/api/stats?by=' + c[1] + '&unit=partnerships' + qs).then(function (s2) { chart(c[0], c[1], c[2], c[3], s2, qs); })
          .catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
      });
    });
  }
  // The print map, the link and the embed code of the view as it is
  // filtered.
  function actions() {
    var fmt = $('print-format'), page = $('print-page'), link = $('print-link');
    if (!fmt || !iso) return;
    function q() { var s = C.filterQuery(st.filters, 'country'); return s ? '&' + s : ''; }
    function update() {
      var wh = page.value.split('x');
      link.href = '/atlas/' + iso + '.' + fmt.value + '?width=' + wh[0] + '&height=' + wh[1] + q();
      link.setAttribute('download', 'atlas-' + iso + '-' + page.options[page.selectedIndex].text.replace(/\s+/g, '-') + '.' + fmt.value);
    }
    fmt.addEventListener('change', update);
    page.addEventListener('change', update);
    update();
    function done(what) { return function (ok) { $('copy-status').textContent = ok ? t(what) : t('copyFailed'); }; }
    $('btn-share').addEventListener('click', function () { C.copyText(location.href).then(done('copied')); });
    $('btn-embed').addEventListener('click', function () {
      var src = location.origin + '/embed?country=' + iso + q() + (st.lang === 'en' ? '&lang=en' : '');
      var code = '<iframe src="' + src.replace(/&/g, '&amp;') + '" title="' + C.escapeHTML(document.title) + '" width="100%" height="500" style="border:0" loading="lazy" allowfullscreen></iframe>';
      C.copyText(code).then(done('embedCopied'));
    });
  }
  actions();
  window.atlas = { select: select, countRendered: function () { return maps.map(C.countRendered); } };
  start();
})();
