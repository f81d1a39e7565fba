/* The atlas page ("/") and the embed page ("/embed"): one map, a filter
 * panel, a legend, the result list, charts and the detail panel, all driven by
 * one state kept in the URL. Mode comes from <body data-mode="atlas|embed">. */
(function () {
  'use strict';
  var C = window.AtlasCore;
  // Strings of this file, looked up before the shared table of core.js.
  var MSG = {
    fr: {
      embedWidth: 'Largeur', embedHeight: 'Hauteur (px)', embedSizeHelp: 'Largeur en pixels (640) ou en pourcentage (100 %).',
      embedPreview: 'Aperçu', embedPreviewTitle: 'Aperçu de la carte intégrée', copiedBtn: 'Copié ✓', codeCopied: 'Code copié dans le presse-papiers.',
      copyFailed: 'Copie impossible : sélectionnez le code et copiez-le (Ctrl+C).',
      popupTitle: 'Partenariat', popupOpen: "Voir dans l'atlas complet", popupClose: 'Fermer la fenêtre',
      popupZoom: 'Zoomer sur ce groupe', popupGroup: '{n} partenariat regroupé|{n} partenariats regroupés',
      clusterAuth: 'Groupe de {n} collectivités françaises', clusterPartner: 'Groupe de {n} autorités partenaires',
      titleSince: 'depuis {y}', titleUntil: "jusqu'à {y}", titleAll: 'Tous les partenariats',
      mapKeys: 'Entrée : détails de l’élément au centre de la carte ; Échap : fermer.',
      showTable: 'Afficher en tableau', hideTable: 'Masquer le tableau', colDepartement: 'Département', colYear: 'Année',
      tableCaption: '{words}{n} partenariat|{words}{n} partenariats', tableSorted: 'triés par {col}, {dir}', sortAsc: 'croissant', sortDesc2: 'décroissant',
      tableGrouped: 'groupés par collectivité', tablePage: 'Page {p} sur {pages} · lignes {from} à {to} sur {n}', tableEmpty: 'Aucun partenariat ne correspond aux filtres.',
      tableCont: '(suite)', tableTitle: 'Tableau des partenariats', tablePrev: 'Page précédente', tableNext: 'Page suivante',
      tableNav: 'Pages du tableau', tableCsvPage: 'CSV de cette page', tableCsvAll: 'CSV de toute la sélection', tableScroll: 'Tableau des partenariats (défilement horizontal)',
      rowSelect: 'Voir sur la carte', rowSelectLabel: 'Voir sur la carte : {a} – {b}', detailLabel: 'Détail du partenariat (Échap : fermer)'
    },
    en: {
      embedWidth: 'Width', embedHeight: 'Height (px)', embedSizeHelp: 'Width in pixels (640) or as a percentage (100%).',
      embedPreview: 'Preview', embedPreviewTitle: 'Preview of the embedded map', copiedBtn: 'Copied ✓', codeCopied: 'Code copied to the clipboard.',
      copyFailed: 'Could not copy: select the code and copy it (Ctrl+C).',
      popupTitle: 'Partnership', popupOpen: 'View in the full atlas', popupClose: 'Close the popup',
      popupZoom: 'Zoom in on this group', popupGroup: '{n} grouped partnership|{n} grouped partnerships',
      clusterAuth: 'Group of {n} French authorities', clusterPartner: 'Group of {n} partner authorities',
      titleSince: 'from {y}', titleUntil: 'to {y}', titleAll: 'All partnerships',
      mapKeys: 'Enter: details of the feature at the centre of the map; Escape: close.',
      showTable: 'Show as a table', hideTable: 'Hide the table', colDepartement: 'Département', colYear: 'Year',
      tableCaption: '{words}{n} partnership|{words}{n} partnerships', tableSorted: 'sorted by {col}, {dir}', sortAsc: 'ascending', sortDesc2: 'descending',
      tableGrouped: 'grouped by local authority', tablePage: 'Page {p} of {pages} · rows {from} to {to} of {n}', tableEmpty: 'No partnership matches the filters.',
      tableCont: '(continued)', tableTitle: 'Table of partnerships', tablePrev: 'Previous page', tableNext: 'Next page',
      tableNav: 'Table pages', tableCsvPage: 'CSV of this page', tableCsvAll: 'CSV of the whole selection', tableScroll: 'Table of partnerships (scrolls sideways)',
      rowSelect: 'Show on the map', rowSelectLabel: 'Show on the map: {a} – {b}', detailLabel: 'Partnership detail (Escape: close)'
    }
  };
  function t(key, vars) {
    var own = MSG[C.getLang()] && MSG[C.getLang()][key];
    if (own === undefined) own = MSG.fr[key];
    if (own === undefined) return C.t(key, vars);
    var s = own;
    if (vars) {
      if (s.indexOf('|') >= 0 && 'n' in vars) s = s.split('|')[vars.n === 1 ? 0 : 1];
      s = s.replace(/\{(\w+)\}/g, function (m, k) { var v = vars[k]; return v === undefined ? m : (typeof v === 'number' ? C.fmt(v) : v); });
    }
    return s;
  }
  var mode = document.body.getAttribute('data-mode') || 'atlas';
  var embed = mode === 'embed';
  var st = C.parseState(location.search);
  var $ = function (id) { return document.getElementById(id); };
  var msgs = $('messages');
  var facets = null, map = null, charts = {}, listOffset = 0, listTotal = 0, applySeq = 0;
  var LIST_PAGE = 50;

  document.documentElement.lang = st.lang;
  st.errors.forEach(function (e) {
    C.showMessage(msgs, t('badParam', { p: e.param, v: e.value, why: e.why }));
  });

  var el = C.el;

  // ---- static texts ----------------------------------------------------------
  function translatePage() {
    document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.getAttribute('data-t')); });
    document.querySelectorAll('[data-t-label]').forEach(function (n) { n.setAttribute('aria-label', t(n.getAttribute('data-t-label'))); });
    document.querySelectorAll('[data-t-title]').forEach(function (n) { n.setAttribute('title', t(n.getAttribute('data-t-title'))); });
    document.title = t('title');
  }
  translatePage();

  // ---- URL and host page -------------------------------------------------------
  function syncURL() {
    var q = C.pageQuery(st, { panel: embed && st.panel });
    history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'atlas:state', state: publicState(), url: location.href }, '*');
    }
  }
  function publicState() {
    return { filters: JSON.parse(JSON.stringify(st.filters)), view: st.view, selected: st.sel, lang: st.lang };
  }

  // ---- legend ----------------------------------------------------------------------
  function buildLegend() {
    var box = $('legend');
    if (!box) return;
    box.textContent = '';
    var ul = el('ul', { class: 'legend-list' });
    C.TYPES.forEach(function (r) {
      ul.appendChild(el('li', null, [el('span', { class: 'sw dot', style: 'background:' + r[3] }), C.label(C.TYPES, r[0])]));
    });
    ul.appendChild(el('li', null, [el('span', { class: 'sw dot', style: 'background:' + C.PARTNER_COLOR }), t('partners')]));
    ul.appendChild(el('li', null, [el('span', { class: 'sw dot big', style: 'background:#54606e' }), t('cluster')]));
    C.KINDS.forEach(function (r) {
      ul.appendChild(el('li', null, [el('span', { class: 'sw line', style: 'background:' + r[3] }), C.label(C.KINDS, r[0])]));
    });
    ul.appendChild(el('li', null, [el('span', { class: 'sw line', style: 'background:' + C.GROUPED_COLOR }), t('arcsGrouped')]));
    box.appendChild(el('h2', { class: 'h', text: t('legend') }));
    box.appendChild(ul);
  }

  // ---- filter panel ---------------------------------------------------------------
  function checkboxGroup(name, table, legendKey) {
    var fs = el('fieldset', { class: 'group', 'data-facet': name }, [el('legend', { text: t(legendKey) })]);
    table.forEach(function (r) {
      var id = 'f-' + name + '-' + r[0];
      var cb = el('input', { type: 'checkbox', id: id, name: name, value: r[0], checked: st.filters[name].indexOf(r[0]) >= 0 });
      cb.addEventListener('change', function () {
        var cur = st.filters[name];
        var i = cur.indexOf(r[0]);
        if (cb.checked && i < 0) cur.push(r[0]);
        if (!cb.checked && i >= 0) cur.splice(i, 1);
        changed();
      });
      var sw = r[3] ? el('span', { class: 'sw dot', style: 'background:' + r[3] }) : null;
      // Full pages: the DSFR checkbox (fr-checkbox-group, the input then its
      // label); the embed, without the DSFR's CSS, a plain one.
      fs.appendChild(el('div', { class: embed ? 'cb' : 'fr-checkbox-group fr-checkbox-group--sm' }, [cb, el('label', { class: embed ? null : 'fr-label', for: id }, [sw, C.label(table, r[0])])]));
    });
    return fs;
  }

  function countryName(iso) {
    var c = facets && facets.countries.filter(function (x) { return x.iso2 === iso; })[0];
    return c ? (st.lang === 'en' ? c.name_en : c.name_fr) : iso;
  }

  function chips(facet, labeller) {
    var box = el('div', { class: 'chips', 'data-chips': facet });
    st.filters[facet].forEach(function (v) {
      box.appendChild(el('span', { class: 'chip' }, [labeller(v),
        el('button', { type: 'button', class: 'chip-x', 'aria-label': t('remove') + ' ' + labeller(v), text: '×',
          onclick: function () { st.filters[facet] = st.filters[facet].filter(function (x) { return x !== v; }); changed(true); } })]));
    });
    return box;
  }

  // placeSearch is the search box for places: French collectivités and
  // partner authorities (the server's name search: accents and case
  // ignored, prefixes, one typo) and countries. Each result opens its fiche
  // (Enter opens the first) or filters the map on it.
  function placeSearch() {
    var fs = el('fieldset', { class: 'group place-search' }, [el('legend', { text: t('placeSearchLabel') })]);
    var input = el('input', { type: 'search', id: 'place-search', placeholder: t('placeSearch'), 'aria-label': t('placeSearch'),
      autocomplete: 'off', 'aria-controls': 'place-results' });
    var list = el('ul', { id: 'place-results', class: 'place-results', 'aria-live': 'polite' });
    var timer = null, seq = 0, first = null, open = false;
    function item(kind, name, sub, href, filter) {
      var a = el('a', { href: href, class: 'place-link' }, [el('strong', { text: name }), ' ', el('span', { class: 'muted', text: kind + (sub ? ' · ' + sub : '') })]);
      var btn = el('button', { type: 'button', class: 'btn small', text: t('placeFilter'), 'aria-label': t('placeFilter') + ' : ' + name, onclick: function () {
        st.filters[filter[0]] = st.filters[filter[0]].indexOf(filter[1]) < 0 ? st.filters[filter[0]].concat([filter[1]]) : st.filters[filter[0]];
        names[filter[1]] = name;
        changed(true);
      } });
      if (!first) first = href;
      return el('li', null, [a, ' ', btn]);
    }
    function run() {
      var q = input.value.trim(), my = ++seq;
      list.textContent = '';
      first = null;
      if (q.length < 2) return;
      var fq = q.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      (facets ? facets.countries : []).filter(function (c) {
        return c.iso2 !== 'FR' && [c.name_fr, c.name_en].some(function (n) { return (n || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').indexOf(fq) === 0; });
      }).slice(0, 3).forEach(function (c) {
        list.appendChild(item(t('placeCountry'), st.lang === 'en' ? c.name_en : c.name_fr, t('partnershipsN', { n: c.partnerships }), '/atlas/' + c.iso2, ['country', c.iso2]));
      });
      C.api('/api/search?limit=6&q=' + encodeURIComponent(q)).then(function (r) {
        if (my !== seq) return;
        r.authorities.forEach(function (a) {
          list.appendChild(item(t('placeAuthority'), a.name, [C.label(C.TYPES, a.type), t('partnershipsN', { n: a.partnerships })].join(' · '),
            '/collectivites/' + encodeURIComponent(a.id), ['authority', a.id]));
        });
        r.partners.forEach(function (p) {
          list.appendChild(item(t('placePartner'), p.name, [p.country_name, t('partnershipsN', { n: p.partnerships })].join(' · '),
            '/partenaires/' + encodeURIComponent(p.id), ['partner', p.id]));
        });
        if (!list.children.length) list.appendChild(el('li', { class: 'muted', text: t('placeNone', { q: q }) }));
        if (open && first) location.href = first;
        open = false;
      }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { timer = null; run(); }, 200);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      // Enter opens the first result, once the answer is in.
      clearTimeout(timer);
      if (first && !timer) location.href = first;
      else { open = true; run(); }
      timer = null;
    });
    fs.appendChild(input);
    fs.appendChild(list);
    return fs;
  }

  function buildFilters() {
    var form = $('filters-form');
    if (!form) return;
    form.textContent = '';
    form.appendChild(placeSearch());
    // Countries: search box with suggestions, selected ones as chips.
    var cfs = el('fieldset', { class: 'group' }, [el('legend', { text: t('country') })]);
    var dl = el('datalist', { id: 'countries-list' });
    (facets ? facets.countries : []).forEach(function (c) {
      if (c.iso2 === 'FR') return;
      dl.appendChild(el('option', { value: (st.lang === 'en' ? c.name_en : c.name_fr) + ' (' + c.iso2 + ')' }));
    });
    var input = el('input', { type: 'search', id: 'country-search', list: 'countries-list', placeholder: t('countrySearch'), 'aria-label': t('countrySearch'), autocomplete: 'off' });
    function pick() {
      var m = /\(([A-Z]{2})\)\s*$/.exec(input.value);
      var iso = m ? m[1] : null;
      if (!iso && facets) {
        var v = input.value.trim().toLowerCase();
        var hit = facets.countries.filter(function (c) { return c.iso2.toLowerCase() === v || (c.name_fr || '').toLowerCase() === v || (c.name_en || '').toLowerCase() === v; })[0];
        iso = hit && hit.iso2;
      }
      if (iso && st.filters.country.indexOf(iso) < 0) { st.filters.country.push(iso); input.value = ''; changed(true); }
    }
    input.addEventListener('change', pick);
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); pick(); } });
    cfs.appendChild(input);
    cfs.appendChild(dl);
    cfs.appendChild(chips('country', countryName));
    form.appendChild(cfs);

    if (st.filters.authority.length) {
      form.appendChild(el('fieldset', { class: 'group' }, [el('legend', { text: t('authority') }), chips('authority', function (v) { return names[v] || v; })]));
    }
    if (st.filters.partner.length) {
      form.appendChild(el('fieldset', { class: 'group' }, [el('legend', { text: t('partner') }), chips('partner', function (v) { return names[v] || v; })]));
    }
    form.appendChild(checkboxGroup('theme', C.THEMES, 'themes'));
    form.appendChild(checkboxGroup('type', C.TYPES, 'types'));
    form.appendChild(checkboxGroup('kind', C.KINDS, 'kinds'));
    form.appendChild(checkboxGroup('provenance', C.PROVENANCES, 'provenance'));

    // Years: two range inputs (since, until). Full pages: the DSFR's double
    // range (fr-range--double: its script draws the span between the
    // thumbs and writes the output); the embed keeps two plain inputs.
    var ymin = facets && facets.years && facets.years.min || 1950, ymax = facets && facets.years && facets.years.max || new Date().getFullYear();
    var yfs = el('fieldset', { class: 'group years' }, [el('legend', { id: 'years-legend', text: t('years') })]);
    var out = el(embed ? 'output' : 'span', { id: 'years-out', class: embed ? null : 'fr-range__output', 'aria-hidden': embed ? null : 'true', 'aria-live': embed ? 'polite' : null });
    function yearsText() {
      out.textContent = (st.filters.since || ymin) + ' – ' + (st.filters.until || ymax);
    }
    var box = embed ? yfs : el('div', { class: 'fr-range fr-range--double fr-range--sm', 'data-fr-prefix': '' });
    if (!embed) box.appendChild(out);
    ['since', 'until'].forEach(function (p) {
      var val = st.filters[p] !== null ? st.filters[p] : (p === 'since' ? ymin : ymax);
      var r = el('input', { type: 'range', id: 'f-' + p, min: ymin, max: ymax, step: 1, value: val, 'aria-label': t(p),
        'aria-labelledby': embed ? null : 'f-' + p + ' years-legend', 'aria-describedby': embed ? null : 'years-now',
        'aria-valuetext': t(p) + ' ' + val });
      r.addEventListener('input', function () {
        var v = +r.value;
        var other = $(p === 'since' ? 'f-until' : 'f-since');
        if (p === 'since' && v > +other.value) { other.value = v; st.filters.until = v === ymax ? null : v; }
        if (p === 'until' && v < +other.value) { other.value = v; st.filters.since = v === ymin ? null : v; }
        st.filters[p] = (p === 'since' && v === ymin) || (p === 'until' && v === ymax) ? null : v;
        r.setAttribute('aria-valuetext', t(p) + ' ' + v);
        other.setAttribute('aria-valuetext', t(p === 'since' ? 'until' : 'since') + ' ' + other.value);
        yearsText();
        changed();
      });
      if (embed) yfs.appendChild(el('label', { class: 'range', for: 'f-' + p }, [t(p)]));
      box.appendChild(r);
    });
    yearsText();
    if (embed) yfs.appendChild(out);
    else {
      box.appendChild(el('span', { class: 'fr-range__min', 'aria-hidden': 'true', text: String(ymin) }));
      box.appendChild(el('span', { class: 'fr-range__max', 'aria-hidden': 'true', text: String(ymax) }));
      yfs.appendChild(el('div', { class: 'fr-range-group' }, [box]));
    }
    yfs.appendChild(el('p', { class: 'hint', id: 'years-now', text: t('yearsHint') }));
    form.appendChild(yfs);
    form.appendChild(el('button', { type: 'button', class: 'btn', id: 'reset', text: t('reset'), onclick: function () {
      st.filters = C.emptyFilters(); st.sel = null; changed(true);
    } }));
  }
  var names = {};

  // ---- updates -------------------------------------------------------------------------
  var timer = null;
  function changed(rebuild) {
    if (rebuild) buildFilters();
    clearTimeout(timer);
    timer = setTimeout(apply, 200);
  }

  // apply pushes the state everywhere: URL, tiles, counts, charts, list.
  function apply() {
    var seq = ++applySeq;
    syncURL();
    // The counts' answer carries the selection's bbox: fit the view to it,
    // then load the new tiles (the map is idle once both are done).
    var mapDone = refreshCounts(seq).then(function (s) {
      if (seq !== applySeq || !map || !map.getSource('atlas')) return;
      fitSelection(s && s.bbox, true);
      return C.setAtlasFilters(map, st.filters);
    });
    var jobs = [mapDone];
    if (!embed) { jobs.push(refreshList(seq, true)); tableOffset = 0; jobs.push(refreshTable(seq)); jobs.push(refreshCharts(seq)); }
    return Promise.all(jobs).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
  }

  function refreshCounts(seq) {
    var box = $('counts');
    var q = C.filterQuery(st.filters);
    var path = '/api/stats?by=kind&unit=partnerships' + (q ? '&' + q : '');
    return C.api(path).then(function (s) {
      if (seq !== applySeq) return s;
      showCounts(s);
      return s;
    });
  }
  function showCounts(s) {
    listTotal = s.total;
    var box = $('counts');
    if (box) {
      box.textContent = t('partnershipsN', { n: s.total });
      box.setAttribute('data-total', s.total);
    }
    showTitle();
  }

  // ---- fitting the view to the selection ----------------------------------------------
  // The view follows the filters: each change fits the map to the bbox of
  // both ends of the selected partnerships (/api/stats answers it). When the
  // French side is all of France (a country filter), that is France plus the
  // partner country, so both ends of every arc stay on screen. A fitted view
  // is not a choice of the user: it stays out of the URL and of the embed
  // snippet, which then fit again on load; once the user moves the map, the
  // URL carries view=zoom/lat/lon.
  var fitting = false;
  function anyFilter(f) {
    return C.LIST_FACETS.some(function (k) { return f[k].length > 0; }) || f.since !== null || f.until !== null;
  }
  function fitSelection(bbox, animate) {
    if (!map || !bbox || bbox.length !== 4) return false;
    var box = map.getContainer();
    var w = box.clientWidth, h = box.clientHeight;
    var pad = Math.max(8, Math.min(60, Math.round(Math.min(w, h) / 8)));
    var reduce = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    fitting = true;
    map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: pad, maxZoom: 8, duration: animate && !reduce ? 500 : 0 });
    return true;
  }

  // ---- title line (embed bar): the filters in words -----------------------------------
  function countryLabel(iso) {
    if (facets) return countryName(iso);
    try { return new Intl.DisplayNames([st.lang], { type: 'region' }).of(iso) || iso; } catch (e) { return iso; }
  }
  function filterWords() {
    var f = st.filters, out = [];
    if (f.country.length) out.push(f.country.map(countryLabel).join(', '));
    if (f.authority.length) out.push(f.authority.map(function (id) { return names[id] || id; }).join(', '));
    if (f.partner.length) out.push(f.partner.map(function (id) { return names[id] || id; }).join(', '));
    [['theme', C.THEMES], ['type', C.TYPES], ['kind', C.KINDS], ['provenance', C.PROVENANCES]].forEach(function (d) {
      if (f[d[0]].length) out.push(f[d[0]].map(function (v) { return C.label(d[1], v); }).join(', '));
    });
    var years = [];
    if (f.since !== null) years.push(t('titleSince', { y: String(f.since) }));
    if (f.until !== null) years.push(t('titleUntil', { y: String(f.until) }));
    if (years.length) out.push(years.join(' '));
    return out;
  }
  function showTitle() {
    var box = $('embed-title');
    if (!box) return;
    var words = filterWords();
    $('embed-filters').textContent = words.length ? words.join(' · ') + ' · ' : '';
    box.title = box.textContent;
  }

  // ---- result list ------------------------------------------------------------------------
  function refreshList(seq, reset) {
    var ul = $('result-list');
    if (!ul) return Promise.resolve();
    if (reset) listOffset = 0;
    var q = C.filterQuery(st.filters);
    var mine = ++listSeq; // the latest request wins: an older answer is dropped
    return C.api('/geojson/partnerships?limit=' + LIST_PAGE + '&offset=' + listOffset + (q ? '&' + q : '') + sortQuery()).then(function (fc) {
      if ((seq !== undefined && seq !== applySeq) || mine !== listSeq) return;
      if (reset) { ul.textContent = ''; lastGroup = null; }
      fc.features.forEach(function (f) {
        // Grouped by collectivité (the list is then sorted by it): a
        // heading before each one's partnerships.
        if (grouped() && f.properties.authority_id !== lastGroup) {
          lastGroup = f.properties.authority_id;
          ul.appendChild(el('li', { role: 'presentation', 'class': 'group-head', 'data-group': lastGroup, text: f.properties.authority_name }));
        }
        ul.appendChild(listItem(f.properties));
      });
      listOffset += fc.numberReturned || fc.features.length;
      var total = fc.numberMatched !== undefined ? fc.numberMatched : listOffset;
      $('list-status').textContent = total === 0 ? t('noResult') : t('showingN', { shown: listOffset, n: total });
      $('list-more').hidden = listOffset >= total;
      ul.setAttribute('data-matched', total);
    });
  }

  // The list's and the table's order: a field of the server's sortby (the
  // CSV and the GeoJSON downloads use the same), descending when asked;
  // grouping by collectivité sorts by it. The state is st.sortKey,
  // st.sortDesc and st.group (in the URL as sortby= and group=), shown by
  // the list's controls and the table's headers.
  var lastGroup = null, listSeq = 0;
  function grouped() { return !embed && st.group; }
  function sortParam() {
    var key = grouped() ? 'authority' : st.sortKey;
    return key ? (st.sortDesc ? '-' : '') + key : '';
  }
  function sortQuery() {
    var p = sortParam();
    return p ? '&sortby=' + p : '';
  }
  // showSort writes the sort state into the list's controls and the
  // table's headers.
  function showSort() {
    if ($('list-sort')) {
      $('list-sort').value = grouped() ? 'authority' : st.sortKey;
      $('list-sort').disabled = grouped();
      $('list-desc').checked = st.sortDesc;
      $('list-group').checked = grouped();
    }
    if ($('table-group')) $('table-group').checked = grouped();
    var key = grouped() ? 'authority' : st.sortKey;
    document.querySelectorAll('#results-table thead th[data-sort]').forEach(function (th) {
      var on = th.getAttribute('data-sort') === key;
      th.setAttribute('aria-sort', on ? (st.sortDesc ? 'descending' : 'ascending') : 'none');
    });
  }
  // sortChanged follows a new order or grouping: URL, list, table (both
  // back to their first page).
  function sortChanged() {
    showSort();
    syncURL();
    refreshList(undefined, true).catch(report);
    tableOffset = 0;
    refreshTable().catch(report);
  }
  function report(err) { C.showMessage(msgs, C.problemText(err)); }

  function listItem(p) {
    var year = p.start_year ? String(p.start_year) : '—';
    var li = el('li', { role: 'option', tabindex: '-1', 'data-id': p.id, 'aria-selected': String(p.id === st.sel) }, [
      el('span', { class: 'sw dot', style: 'background:' + typeColor(p.authority_type) }),
      el('span', { class: 'li-main' }, [el('strong', { text: p.authority_name }), ' — ', p.partner_name, ' ', el('span', { class: 'muted', text: '(' + (p.country_name || p.country) + ')' })]),
      el('span', { class: 'li-meta', text: C.label(C.KINDS, p.kind) + ' · ' + year + (p.provenance === 'synthetic' ? ' · ' + (st.lang === 'en' ? 'synthetic' : 'synthétique') : '') })
    ]);
    li.addEventListener('click', function () { select(p.id, true); });
    return li;
  }
  function typeColor(type) { var r = C.TYPES.filter(function (x) { return x[0] === type; })[0]; return r ? r[3] : '#777'; }

  function listKeys(e) {
    var ul = $('result-list');
    var items = Array.prototype.slice.call(ul.querySelectorAll('li[role=option]'));
    if (!items.length) return;
    var i = items.indexOf(document.activeElement);
    var next = null;
    if (e.key === 'ArrowDown') next = items[Math.min(items.length - 1, i + 1)];
    else if (e.key === 'ArrowUp') next = items[Math.max(0, i - 1)];
    else if (e.key === 'Home') next = items[0];
    else if (e.key === 'End') next = items[items.length - 1];
    else if ((e.key === 'Enter' || e.key === ' ') && i >= 0) { e.preventDefault(); select(items[i].getAttribute('data-id'), true); return; }
    if (next) { e.preventDefault(); items.forEach(function (x) { x.tabIndex = -1; }); next.tabIndex = 0; next.focus(); }
  }

  // ---- results table ----------------------------------------------------------------------------
  // The same selection and order as the list, one page of TABLE_PAGE rows at
  // a time, under headers that sort (server side, the list follows); grouped
  // by collectivité, each one's rows are a <tbody> under its heading. The
  // table's CSV link is exactly its page: same filters, order and rows.
  var TABLE_PAGE = 50, tableOffset = 0, tableTotal = 0, tableSeq = 0;
  var depNames = null, authDeps = {};
  var TABLE_COLS = [
    ['authority', 'sortAuthority'], ['type', 'sortType'], ['departement', 'colDepartement'], ['partner', 'sortPartner'],
    ['country', 'sortCountry'], ['kind', 'sortKind'], ['start_year', 'colYear'], ['themes', 'sortThemes']
  ];
  function tableOpen() { return !embed && st.table && !!$('results-table'); }
  // showTableBox shows or hides the table as st.table says; focus (a click
  // on the toggle) moves the focus to its heading and brings it into view.
  function showTableBox(focus) {
    var box = $('results-table');
    if (!box) return;
    box.hidden = !st.table;
    document.body.classList.toggle('table-open', !!st.table);
    var b = $('btn-table');
    if (b) { b.setAttribute('aria-expanded', String(!!st.table)); b.textContent = t(st.table ? 'hideTable' : 'showTable'); }
    if (map) map.resize();
    if (st.table && focus) $('table-h').focus({ preventScroll: true });
    if (st.table && focus) box.scrollIntoView({ block: 'start' });
  }
  function setTable(on) {
    st.table = on;
    showTableBox(on);
    syncURL();
    if (on) refreshTable().catch(report);
    else if ($('btn-table')) $('btn-table').focus();
  }
  function wireTable() {
    var box = $('results-table');
    if (!box) return;
    var tr = box.querySelector('thead tr');
    TABLE_COLS.forEach(function (c) {
      var btn = el('button', { type: 'button', 'class': 'th-sort', 'data-sort': c[0] }, [t(c[1]), el('span', { 'class': 'sort-icon', 'aria-hidden': 'true' })]);
      btn.addEventListener('click', function () { sortBy(c[0]); });
      tr.appendChild(el('th', { scope: 'col', 'data-sort': c[0], 'aria-sort': 'none' }, [btn]));
    });
    if ($('btn-table')) $('btn-table').addEventListener('click', function () { setTable(!st.table); });
    $('table-close').addEventListener('click', function () { setTable(false); });
    $('table-prev').addEventListener('click', function () { turnPage(-1); });
    $('table-next').addEventListener('click', function () { turnPage(1); });
  }
  // sortBy follows a click on a header: that column ascending, or the other
  // way when it already sorts the table. Another column than the
  // collectivité ends the grouping (which sorts by collectivité). The header
  // is kept, not redrawn, so the focus stays on its button.
  function sortBy(key) {
    var current = grouped() ? 'authority' : st.sortKey;
    if (current === key) st.sortDesc = !st.sortDesc;
    else { st.sortKey = key; st.sortDesc = false; if (key !== 'authority') st.group = false; }
    sortChanged();
  }
  function turnPage(dir) {
    var next = tableOffset + dir * TABLE_PAGE;
    if (next < 0 || next >= tableTotal) return;
    tableOffset = next;
    refreshTable().then(function () {
      // A button that became disabled would drop the focus: give it to the other.
      var b = $(dir < 0 ? 'table-prev' : 'table-next');
      if (document.activeElement === document.body || (b && b.disabled && document.activeElement === b)) $(dir < 0 ? 'table-next' : 'table-prev').focus();
    }).catch(report);
  }
  function tableCSV(q, page) {
    var href = '/export/partnerships.csv?' + (q ? q + '&' : '') + 'lang=' + (st.lang === 'en' ? 'en&bom=true' : 'fr') + sortQuery();
    return page ? href + '&offset=' + tableOffset + '&limit=' + TABLE_PAGE : href;
  }
  // departements resolves the département names of the page's collectivités:
  // their codes from the authorities layer, the names once from /api/stats.
  function departements(props) {
    var ids = [];
    props.forEach(function (p) { if (!(p.authority_id in authDeps) && ids.indexOf(p.authority_id) < 0) ids.push(p.authority_id); });
    var names = depNames ? Promise.resolve() : C.api('/api/stats?by=departement&unit=partnerships').then(function (s) {
      depNames = {};
      (s.groups || []).forEach(function (g) { if (g.key) depNames[g.key] = g.label; });
    });
    var codes = !ids.length ? Promise.resolve() : C.api('/geojson/authorities?limit=' + ids.length + '&authority=' + ids.map(encodeURIComponent).join(',')).then(function (fc) {
      ids.forEach(function (id) { authDeps[id] = ''; });
      fc.features.forEach(function (f) { authDeps[f.properties.id] = f.properties.departement || ''; });
    });
    return Promise.all([names, codes]).catch(function () { /* the column stays empty */ });
  }
  function refreshTable(seq) {
    if (!tableOpen()) return Promise.resolve();
    var q = C.filterQuery(st.filters);
    var mine = ++tableSeq; // the latest request wins: an older answer is dropped
    var offset = tableOffset;
    $('results-table').setAttribute('aria-busy', 'true');
    // Grouped, past the first page: one row more, the previous page's
    // last, tells whether the first collectivité continues from it.
    var before = grouped() && offset > 0 ? 1 : 0;
    return C.api('/geojson/partnerships?limit=' + (TABLE_PAGE + before) + '&offset=' + (offset - before) + (q ? '&' + q : '') + sortQuery()).then(function (fc) {
      var props = fc.features.map(function (f) { return f.properties; });
      var prev = before ? props.shift() : null;
      return departements(props).then(function () { return [fc, props, prev]; });
    }).then(function (r) {
      if ((seq !== undefined && seq !== applySeq) || mine !== tableSeq) return;
      drawTable(r[0], r[1], q, offset, r[2]);
    }).catch(function (err) {
      if (mine === tableSeq) $('results-table').removeAttribute('aria-busy');
      throw err;
    });
  }
  function drawTable(fc, props, q, offset, prev) {
    var table = $('results'), total = fc.numberMatched !== undefined ? fc.numberMatched : props.length;
    tableTotal = total;
    table.querySelectorAll('tbody').forEach(function (b) { b.remove(); });
    var body = null, last = null;
    function newBody(head) {
      body = el('tbody');
      if (head) body.appendChild(el('tr', { 'class': 'group-row' }, [el('th', { scope: 'rowgroup', colspan: String(TABLE_COLS.length), 'data-group': head.id, text: head.name })]));
      table.appendChild(body);
    }
    if (!grouped()) newBody(null);
    props.forEach(function (p, i) {
      if (grouped() && p.authority_id !== last) {
        last = p.authority_id;
        newBody({ id: p.authority_id, name: p.authority_name + (i === 0 && prev && prev.authority_id === p.authority_id ? ' ' + t('tableCont') : '') });
      }
      body.appendChild(tableRow(p));
    });
    if (!props.length) {
      if (!body) newBody(null);
      body.appendChild(el('tr', null, [el('td', { colspan: String(TABLE_COLS.length), text: t('tableEmpty') })]));
    }
    table.setAttribute('data-matched', total);
    table.setAttribute('data-offset', offset);
    var words = filterWords();
    var parts = [t('tableCaption', { n: total, words: words.length ? words.join(' · ') + ' · ' : '' })];
    var key = sortParam().replace(/^-/, '');
    if (grouped()) parts.push(t('tableGrouped') + (st.sortDesc ? ', ' + t('sortDesc2') : ''));
    else if (key) parts.push(t('tableSorted', { col: t(TABLE_COLS.filter(function (c) { return c[0] === key; })[0][1]).toLowerCase(), dir: t(st.sortDesc ? 'sortDesc2' : 'sortAsc') }));
    $('table-caption-text').textContent = parts.join(', ');
    var pages = Math.max(1, Math.ceil(total / TABLE_PAGE));
    $('table-page').textContent = total === 0 ? t('tableEmpty') : t('tablePage', { p: Math.floor(offset / TABLE_PAGE) + 1, pages: pages, from: offset + 1, to: offset + props.length, n: total });
    $('table-prev').disabled = offset <= 0;
    $('table-next').disabled = offset + TABLE_PAGE >= total;
    $('table-csv').href = tableCSV(q, true);
    $('table-csv-all').href = tableCSV(q, false);
    $('results-table').removeAttribute('aria-busy');
  }
  // tableRow is one partnership. Its first cell holds a button that selects
  // it on the map (as a click on its arc does: fitted view, highlighted
  // arc, detail focused); a click elsewhere on the row, off its links, does
  // the same.
  function tableRow(p) {
    var dep = authDeps[p.authority_id];
    var themes = (p.themes || []).map(function (x) { return C.label(C.THEMES, x); }).join(', ');
    var pick = el('button', { type: 'button', 'class': 'fr-btn fr-btn--tertiary fr-btn--sm row-select', 'data-select': p.id,
      'aria-label': t('rowSelectLabel', { a: p.authority_name, b: p.partner_name }), text: t('rowSelect') });
    pick.addEventListener('click', function () { selectFromTable(p.id); });
    var tr = el('tr', { 'data-id': p.id, 'class': p.id === st.sel ? 'row-selected' : null, 'aria-current': p.id === st.sel ? 'true' : null }, [
      el('td', null, [el('a', { href: '/collectivites/' + encodeURIComponent(p.authority_id), text: p.authority_name }), el('br'), pick]),
      el('td', { text: C.label(C.TYPES, p.authority_type) }),
      el('td', { text: dep ? (depNames && depNames[dep] || dep) : '—' }),
      el('td', null, [el('a', { href: '/partenaires/' + encodeURIComponent(p.partner_id), text: p.partner_name })]),
      el('td', { text: p.country_name || p.country }),
      el('td', { text: C.label(C.KINDS, p.kind) }),
      el('td', { 'class': 'num', text: p.start_year ? String(p.start_year) : '—' }),
      el('td', { text: themes || '—' })
    ]);
    tr.addEventListener('click', function (e) {
      if (e.target.closest('a, button, input, select, textarea')) return;
      selectFromTable(p.id);
    });
    return tr;
  }
  // selectFromTable selects a row's partnership on the map and gives the
  // focus to its detail, beside the map; Escape or the detail's close
  // button gives it back to the row's button.
  var detailFrom = null;
  function selectFromTable(id) {
    detailFrom = id;
    var wide = window.innerWidth > 1000, lay = document.querySelector('.layout');
    if (wide && lay) lay.scrollIntoView({ block: 'start' });
    return select(id, true).then(function () {
      var box = $('detail');
      if (st.sel === id && box && !box.hidden) box.focus({ preventScroll: wide });
    });
  }
  function closeDetail() {
    var from = detailFrom;
    detailFrom = null;
    select(null);
    var b = from && document.querySelector('#results button[data-select="' + CSS.escape(from) + '"]');
    if (b) { b.focus({ preventScroll: true }); b.scrollIntoView({ block: 'nearest' }); }
  }

  // ---- download: exactly the filtered set ----------------------------------------------------
  function fetchAll(q) {
    var all = [], offset = 0, limit = 10000;
    function page() {
      return C.api('/geojson/partnerships?limit=' + limit + '&offset=' + offset + (q ? '&' + q : '') + sortQuery()).then(function (fc) {
        all = all.concat(fc.features);
        offset += fc.features.length;
        var total = fc.numberMatched !== undefined ? fc.numberMatched : offset;
        if (fc.features.length > 0 && offset < total) return page();
        return { type: 'FeatureCollection', numberMatched: total, features: all };
      });
    }
    return page();
  }
  function download(kind) {
    var q = C.filterQuery(st.filters);
    var status = $('download-status');
    if (kind === 'csv') {
      // The server's export: in French, the spreadsheet's CSV (";", decimal
      // comma, labels, département and project titles); in English, the
      // plain one.
      var href = '/export/partnerships.csv?' + (q ? q + '&' : '') + 'lang=' + (st.lang === 'en' ? 'en&bom=true' : 'fr') + sortQuery();
      var a0 = el('a', { href: href, download: '' });
      document.body.appendChild(a0);
      a0.click();
      a0.remove();
      status.textContent = t('partnershipsN', { n: listTotal || 0 }) + ' — CSV';
      window.atlasLastDownload = { kind: kind, href: href };
      return Promise.resolve();
    }
    status.textContent = t('downloading');
    return fetchAll(q).then(function (fc) {
      var name = 'partenariats' + (q ? '-filtre' : '') + '.geojson';
      var blob = new Blob([JSON.stringify(fc)], { type: 'application/geo+json' });
      var a = el('a', { href: URL.createObjectURL(blob), download: name });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      status.textContent = t('partnershipsN', { n: fc.features.length }) + ' — ' + name;
      window.atlasLastDownload = { kind: kind, count: fc.features.length, matched: fc.numberMatched };
    }).catch(function (err) { status.textContent = ''; C.showMessage(msgs, C.problemText(err)); });
  }

  // ---- charts --------------------------------------------------------------------------------
  var CHARTS = [
    ['theme', 'chart-theme', 'byTheme', 'bar-h'],
    ['country', 'chart-country', 'byCountry', 'bar-h'],
    ['year', 'chart-year', 'byYear', 'bar'],
    ['type', 'chart-type', 'byType', 'doughnut']
  ];
  function refreshCharts(seq) {
    if (!window.Chart || !$('chart-theme')) return Promise.resolve();
    var q = C.filterQuery(st.filters);
    return Promise.all(CHARTS.map(function (c) {
      return C.api('/api/stats?by=' + c[0] + '&unit=partnerships' + (q ? '&' + q : '')).then(function (s) {
        if (seq !== applySeq) return;
        drawChart(c, s);
      });
    }));
  }
  function groupLabel(by, g) {
    if (by === 'theme') return C.label(C.THEMES, g.key);
    if (by === 'type') return C.label(C.TYPES, g.key);
    if (by === 'kind') return C.label(C.KINDS, g.key);
    if (by === 'country') return st.lang === 'en' && facets ? countryName(g.key) : (g.label || g.key);
    if (by === 'year' && !g.key) return t('yearNone');
    return g.label || g.key;
  }
  function drawChart(c, s) {
    var groups = s.groups || [];
    if (c[0] === 'year') groups = C.fillYears(groups, function (y) { return { key: y, count: 0 }; });
    if (c[0] === 'country') groups = groups.slice(0, 15);
    var labels = groups.map(function (g) { return groupLabel(c[0], g); });
    var data = groups.map(function (g) { return g.count; });
    var colors = c[0] === 'type' ? groups.map(function (g) { return typeColor(g.key); }) : '#3a6ea5';
    var canvas = $(c[1]);
    canvas.setAttribute('aria-label', t(c[2]) + ' : ' + groups.map(function (g, i) { return labels[i] + ' ' + C.fmt(g.count); }).join(', '));
    canvas.setAttribute('data-total', s.total);
    if (charts[c[0]]) {
      var ch = charts[c[0]];
      ch.data.labels = labels;
      ch.data.datasets[0].data = data;
      ch.data.datasets[0].backgroundColor = colors;
      ch.options.plugins.title.text = t(c[2]);
      ch.update();
      return;
    }
    var horizontal = c[3] === 'bar-h';
    // Counts have integer ticks; long category labels are cut on the axis
    // (whole in the tooltip and the table).
    var counts = { beginAtZero: true, ticks: { precision: 0 } };
    var cats = { ticks: { autoSkip: !horizontal, font: { size: 11 }, callback: function (v) { return C.shortLabel(this.getLabelForValue(v), horizontal ? 18 : 12); } } };
    charts[c[0]] = new Chart(canvas, {
      type: c[3] === 'doughnut' ? 'doughnut' : 'bar',
      data: { labels: labels, datasets: [{ label: t('unitPartnerships'), data: data, backgroundColor: colors }] },
      options: {
        locale: C.locale(), animation: false, responsive: true, maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        plugins: { legend: { display: c[3] === 'doughnut', position: 'right' }, title: { display: true, text: t(c[2]) } },
        scales: c[3] === 'doughnut' ? {} : horizontal ? { x: counts, y: cats } : { x: cats, y: counts }
      }
    });
    chartTable(c, s, groups);
  }
  // chartTable puts the chart's figures under it: the table, the CSV of
  // the same statistics and a PNG of the chart.
  function chartTable(c, s, groups) {
    var box = document.querySelector('.chart-tools[data-for="' + c[0] + '"]');
    if (!box) return;
    var q = C.filterQuery(st.filters);
    C.chartTools(box, 'atlas-' + c[0], { caption: t(c[2]), chart: charts[c[0]], folded: true, rows: groups,
      csv: '/api/stats?by=' + c[0] + '&unit=partnerships&format=csv' + (st.lang === 'en' ? '' : '&lang=fr') + (q ? '&' + q : ''),
      columns: [{ label: t(c[2]), value: function (g) { return groupLabel(c[0], g); } },
        { label: t('unitPartnerships'), num: true, value: function (g) { return C.fmt(g.count); } }] });
  }

  // ---- detail panel --------------------------------------------------------------------------
  function select(id, fly) {
    st.sel = id || null;
    if (map && map.getLayer('partnerships-selected')) map.setFilter('partnerships-selected', ['==', ['get', 'id'], st.sel || '__none__']);
    document.querySelectorAll('#result-list li[role=option]').forEach(function (li) { li.setAttribute('aria-selected', String(li.getAttribute('data-id') === st.sel)); });
    document.querySelectorAll('#results tbody tr[data-id]').forEach(function (tr) {
      var on = tr.getAttribute('data-id') === st.sel;
      tr.classList.toggle('row-selected', on);
      if (on) tr.setAttribute('aria-current', 'true'); else tr.removeAttribute('aria-current');
    });
    syncURL();
    var box = $('detail');
    if (!st.sel) { if (box) box.hidden = true; return Promise.resolve(); }
    return C.api('/api/partnerships/' + encodeURIComponent(st.sel)).then(function (p) {
      showDetail(p);
      if (fly && map) {
        var a = p.authority || {}, b = p.partner || {};
        var pts = [coords(a), coords(b)].filter(Boolean);
        if (pts.length === 2) {
          var bounds = new maplibregl.LngLatBounds(pts[0], pts[0]).extend(pts[1]);
          map.fitBounds(bounds, { padding: 60, maxZoom: 6, duration: 600 });
        }
      }
    }).catch(function (err) {
      C.showMessage(msgs, C.problemText(err) + (err.status === 404 ? ' (sel)' : ''));
      st.sel = null; syncURL();
    });
  }
  function coords(o) {
    if (!o) return null;
    if (Array.isArray(o.point) && (o.point[0] || o.point[1])) return o.point;
    if (o.geometry && o.geometry.coordinates) return o.geometry.coordinates;
    if (Array.isArray(o.coordinates)) return o.coordinates;
    if (o.lon !== undefined && o.lat !== undefined) return [o.lon, o.lat];
    if (o.location && o.location.lon !== undefined) return [o.location.lon, o.location.lat];
    return null;
  }
  function showDetail(p) {
    var box = $('detail');
    if (!box) return;
    var pr = p.properties || p;
    var a = pr.authority || { id: pr.authority_id, name: pr.authority_name, type: pr.authority_type };
    var b = pr.partner || { id: pr.partner_id, name: pr.partner_name, country: pr.country, country_name: pr.country_name };
    var themes = pr.themes || [];
    if (typeof themes === 'string') themes = themes.split('|').filter(Boolean);
    var projects = Array.isArray(pr.projects) ? pr.projects : [];
    box.textContent = '';
    box.hidden = false;
    var prov = C.provenanceText(pr);
    box.appendChild(el('div', { class: 'detail-head' }, [
      el('h2', { class: 'h', text: t('detail') }),
      el('button', { type: 'button', class: 'msg-close', 'aria-label': t('close'), text: '×', onclick: closeDetail })
    ]));
    var dl = el('dl');
    function row(k, v) { if (v !== null && v !== undefined && v !== '') { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', null, [v])); } }
    row(t('authority'), el('span', null, [el('strong', { text: a.name || a.id }), ' (' + C.label(C.TYPES, a.type) + ')']));
    row(t('partner'), el('span', null, [el('strong', { text: b.name || b.id }), ' (' + (b.country_name || pr.country_name || b.country || pr.country || '') + ')']));
    row(t('kind'), C.label(C.KINDS, pr.kind));
    row(t('start'), pr.start_year ? String(pr.start_year) : t('startUnknown'));
    if (pr.active !== undefined) row(t('active'), pr.active ? '✓' : '✗');
    row(t('themes'), themes.map(function (s) { return C.label(C.THEMES, s); }).join(', ') || '—');
    row(t('provenance'), el('span', { class: pr.provenance === 'synthetic' ? 'prov-syn' : 'prov-real', text: prov }));
    box.appendChild(dl);
    if (projects.length) {
      box.appendChild(el('h3', { class: 'h3', text: t('projectsN', { n: projects.length }) }));
      var ul = el('ul', { class: 'projects' });
      projects.forEach(function (pj) {
        var th = (pj.themes || []).map(function (s) { return C.label(C.THEMES, s); }).join(', ');
        ul.appendChild(el('li', null, [el('span', { text: pj.title || pj.id }), pj.start_year ? ' (' + pj.start_year + ')' : '', th ? el('span', { class: 'muted', text: ' — ' + th }) : null]));
      });
      box.appendChild(ul);
    }
    if (a.id) names[a.id] = a.name;
    if (b.id) names[b.id] = b.name;
    var actions = el('div', { class: 'actions' });
    if (a.id) actions.appendChild(el('button', { type: 'button', class: 'btn', text: t('filterOn') + ' ' + (a.name || a.id), onclick: function () { st.filters.authority = [a.id]; changed(true); } }));
    box.appendChild(actions);
  }

  // ---- map interactions ----------------------------------------------------------------------
  function wireMap() {
    var popup = new maplibregl.Popup({ closeButton: true, maxWidth: '280px' });
    window.atlasPopup = popup;
    var box0 = map.getContainer();
    popup.on('close', function () {
      // Focus goes back to the map, not to the top of the page.
      var a = document.activeElement;
      if (!a || a === document.body || !document.body.contains(a)) box0.focus();
    });
    // showPopup opens the popup on body, focused so that Tab reaches its
    // links and buttons, and Escape closes it.
    function showPopup(lngLat, body) {
      popup.setLngLat(lngLat).setDOMContent(body).addTo(map);
      var pe = popup.getElement();
      pe.setAttribute('role', 'dialog');
      pe.setAttribute('aria-label', body.getAttribute('data-label') || t('popupTitle'));
      var x = pe.querySelector('.maplibregl-popup-close-button');
      if (x) { x.setAttribute('aria-label', t('popupClose')); x.setAttribute('title', t('popupClose')); }
      if (!pe.hasAttribute('data-keys')) {
        pe.setAttribute('data-keys', '1');
        pe.addEventListener('keydown', function (ev) {
          if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); popup.remove(); box0.focus(); }
        });
      }
      body.setAttribute('tabindex', '-1');
      body.focus({ preventScroll: true });
    }
    function atlasHref(filters, sel) {
      var q = C.pageQuery({ filters: filters, view: null, sel: sel || null, lang: st.lang, tab: 'list' }, { embed: true });
      return '/' + (q ? '?' + q : '');
    }
    function zoomButton(center) {
      return el('button', { type: 'button', class: 'btn small', text: t('popupZoom'), onclick: function () {
        popup.remove(); box0.focus();
        map.easeTo({ center: center, zoom: Math.min(map.getZoom() + 2, 12) });
      } });
    }
    // An arc: both ends, kind, year, themes and a link to the full atlas.
    function arcPopup(id, lngLat) {
      var body = el('div', { class: 'popup', 'data-id': id, 'data-label': t('popupTitle') }, [el('span', { class: 'muted', text: t('loading') })]);
      showPopup(lngLat, body);
      return C.api('/api/partnerships/' + encodeURIComponent(id)).then(function (p) {
        var pr = p.properties || p;
        var a = pr.authority || { id: pr.authority_id, name: pr.authority_name, type: pr.authority_type };
        var b = pr.partner || { id: pr.partner_id, name: pr.partner_name, country_name: pr.country_name };
        var themes = pr.themes || [];
        if (typeof themes === 'string') themes = themes.split('|').filter(Boolean);
        if (a.id) names[a.id] = a.name;
        if (b.id) names[b.id] = b.name;
        var country = b.country_name || pr.country_name || b.country || pr.country || '';
        body.textContent = '';
        body.setAttribute('data-label', t('popupTitle') + ' : ' + (a.name || a.id) + ' – ' + (b.name || b.id));
        popup.getElement() && popup.getElement().setAttribute('aria-label', body.getAttribute('data-label'));
        [
          el('strong', { class: 'popup-end', text: (a.name || a.id) }),
          el('span', { class: 'muted', text: C.label(C.TYPES, a.type) }),
          el('strong', { class: 'popup-end', text: '↔ ' + (b.name || b.id) }),
          el('span', { class: 'muted', text: country }),
          el('div', { text: C.label(C.KINDS, pr.kind) + ' · ' + t('start') + ' : ' + (pr.start_year ? String(pr.start_year) : t('startUnknown')) }),
          el('div', { text: t('themes') + ' : ' + (themes.map(function (x) { return C.label(C.THEMES, x); }).join(', ') || '—') }),
          el('a', { href: atlasHref(st.filters, id), target: '_blank', rel: 'noopener', text: t('popupOpen') })
        ].forEach(function (n) { body.appendChild(n); });
        // Place it again now that it is taller (MapLibre picks the side).
        if (popup.isOpen()) popup.setLngLat(popup.getLngLat());
      }).catch(function (err) { body.textContent = C.problemText(err); });
    }
    // A cluster of points or a group of arcs (zoomed out): what it gathers,
    // a button to zoom in and, for arcs, the atlas on that country.
    function clusterPopup(f, lngLat) {
      var p = f.properties, n = +p.count || 0;
      var center = f.geometry.type === 'Point' ? f.geometry.coordinates : [lngLat.lng, lngLat.lat];
      var kids;
      if (f.layer.id === 'partnerships-line') {
        var fl = JSON.parse(JSON.stringify(st.filters));
        if (p.country && fl.country.indexOf(p.country) < 0) fl.country = [p.country];
        kids = [
          el('strong', { text: (p.name || '') + ' ↔ ' + (p.country_name || p.country || '') }),
          el('div', { text: t('popupGroup', { n: n }) }),
          zoomButton(center),
          el('a', { href: atlasHref(fl), target: '_blank', rel: 'noopener', text: t('popupOpen') })
        ];
      } else {
        var auth = f.layer.id === 'authorities-circle';
        kids = [
          el('strong', { text: t(auth ? 'clusterAuth' : 'clusterPartner', { n: n }) }),
          p.country_name ? el('span', { class: 'muted', text: p.country_name }) : null,
          el('div', { text: t('partnershipsN', { n: +p.partnerships || 0 }) }),
          zoomButton(center)
        ];
      }
      var body = el('div', { class: 'popup', 'data-label': kids[0].textContent }, kids);
      showPopup(lngLat, body);
    }
    function featureAt(point, r) {
      var fs = map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]], { layers: ['authorities-circle', 'partners-circle', 'partnerships-line'] });
      // Points before arcs: they are drawn above.
      fs.sort(function (a, b) { return (a.layer.id === 'partnerships-line') - (b.layer.id === 'partnerships-line'); });
      return fs[0] || null;
    }
    if (embed) {
      // Keyboard: Enter opens the popup of the feature at the map's centre,
      // Escape closes it.
      box0.setAttribute('aria-description', t('mapKeys'));
      box0.addEventListener('keydown', function (ev) {
        if (popup.isOpen() && popup.getElement().contains(ev.target)) return;
        if (ev.key === 'Escape' && popup.isOpen()) { popup.remove(); box0.focus(); return; }
        if (ev.key !== 'Enter') return;
        var c = map.project(map.getCenter());
        var f = featureAt(c, 24);
        if (!f) return;
        ev.preventDefault();
        openFeature(f, map.getCenter());
      });
    }
    function openFeature(f, lngLat) {
      var p = f.properties;
      if (p.cluster) {
        if (embed) { clusterPopup(f, lngLat); return; }
        map.easeTo({ center: f.geometry.type === 'Point' ? f.geometry.coordinates : lngLat, zoom: Math.min(map.getZoom() + 2, 12) });
        return;
      }
      if (f.layer.id === 'partnerships-line') { if (embed) arcPopup(p.id, lngLat); else select(p.id, false); return; }
      pointPopup(f, lngLat);
    }
    map.on('click', function (e) {
      var f = featureAt(e.point, 4);
      if (f) openFeature(f, e.lngLat);
    });
    function pointPopup(f, lngLat) {
      var p = f.properties;
      var isAuth = f.layer.id === 'authorities-circle';
      names[p.id] = p.name;
      var body = el('div', { class: 'popup' }, [
        el('strong', { text: p.name }),
        el('div', { class: 'muted', text: isAuth ? C.label(C.TYPES, p.type) : (p.country_name || p.country) }),
        el('div', { text: t('partnershipsN', { n: +p.partnerships || 0 }) }),
        el('button', { type: 'button', class: 'btn small', text: t('filterOn') + ' ' + p.name, onclick: function () {
          st.filters[isAuth ? 'authority' : 'partner'] = [p.id]; popup.remove(); changed(true);
        } })
      ]);
      showPopup(lngLat, body);
    }
    FEATURE_CURSOR.forEach(function (l) {
      map.on('mouseenter', l, function () { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', l, function () { map.getCanvas().style.cursor = ''; });
    });
    map.on('moveend', function (e) {
      if (fitting && !e.originalEvent) { fitting = false; st.view = null; syncURL(); return; }
      fitting = false;
      var c = map.getCenter();
      st.view = { zoom: map.getZoom(), lat: c.lat, lon: c.lng };
      syncURL();
    });
    if (embed) {
      // Do not capture the host page's scrolling: wheel zoom only once the
      // map has been clicked or focused.
      map.scrollZoom.disable();
      var box = map.getContainer();
      box.addEventListener('focusin', function () { map.scrollZoom.enable(); });
      box.addEventListener('mousedown', function () { map.scrollZoom.enable(); });
      box.addEventListener('focusout', function () { map.scrollZoom.disable(); });
      box.addEventListener('mouseleave', function () { map.scrollZoom.disable(); });
    }
  }
  var FEATURE_CURSOR = ['authorities-circle', 'partners-circle', 'partnerships-line'];

  // ---- embed dialog and share ----------------------------------------------------------------
  // embedOptions reads the dialog's size and panel options; a malformed
  // width or height falls back to 100% × 480.
  function embedOptions() {
    var w = ($('embed-width') && $('embed-width').value || '').replace(/\s+/g, '');
    var m = /^(\d{2,4})(px|%)?$/.exec(w);
    var width = m ? (m[2] === '%' ? Math.min(100, +m[1]) + '%' : String(Math.max(200, Math.min(4000, +m[1])))) : '100%';
    var h = +($('embed-height') && $('embed-height').value);
    var height = h >= 200 && h <= 2000 ? String(Math.round(h)) : '480';
    return { width: width, height: height, panel: !!($('embed-panel') && $('embed-panel').checked) };
  }
  function embedSrc(o) {
    // The view is carried once the user has moved the map; otherwise the
    // embed fits the selection on load.
    var q = C.pageQuery(st, { panel: o.panel, embed: true });
    return location.origin + '/embed' + (q ? '?' + q : '');
  }
  function embedSnippet() {
    var o = embedOptions();
    return '<iframe src="' + embedSrc(o).replace(/&/g, '&amp;') + '" title="' + t('title') + '" width="' + o.width + '" height="' + o.height + '" style="border:0" loading="lazy" allowfullscreen></iframe>';
  }
  // refreshEmbed rewrites the snippet and reloads the live preview when its
  // source changed.
  function refreshEmbed() {
    var o = embedOptions();
    $('embed-code').value = embedSnippet();
    var f = $('embed-preview');
    if (!f) return;
    var src = embedSrc(o);
    f.style.width = /%$/.test(o.width) ? o.width : o.width + 'px';
    f.style.height = o.height + 'px';
    if (f.getAttribute('src') !== src) f.setAttribute('src', src);
  }
  function wireChrome() {
    var d = $('embed-dialog');
    if ($('btn-embed') && d) {
      // The DSFR modal (dialog.fr-modal), opened as a modal dialog: the
      // browser keeps the focus inside and closes it on Escape.
      $('btn-embed').addEventListener('click', function () { refreshEmbed(); d.showModal(); d.classList.add('fr-modal--opened'); $('btn-embed').setAttribute('aria-expanded', 'true'); $('embed-code').select(); });
      $('embed-x').addEventListener('click', function () { d.close(); });
      d.addEventListener('click', function (e) { if (e.target === d || e.target.classList.contains('fr-container') || e.target.classList.contains('fr-grid-row')) d.close(); });
      ['embed-panel', 'embed-width', 'embed-height'].forEach(function (id) {
        $(id).addEventListener('input', refreshEmbed);
        $(id).addEventListener('change', refreshEmbed);
      });
      var copyTimer = null;
      $('embed-copy').addEventListener('click', function () {
        var btn = $('embed-copy');
        copy($('embed-code').value).then(function (ok) {
          $('embed-status').textContent = ok ? t('codeCopied') : t('copyFailed');
          if (!ok) { $('embed-code').focus(); $('embed-code').select(); return; }
          btn.textContent = t('copiedBtn');
          clearTimeout(copyTimer);
          copyTimer = setTimeout(function () { btn.textContent = t('copy'); $('embed-status').textContent = ''; }, 4000);
        });
      });
      // Closing unloads the preview (its map and tiles).
      d.addEventListener('close', function () {
        d.classList.remove('fr-modal--opened');
        $('btn-embed').setAttribute('aria-expanded', 'false');
        if ($('embed-preview')) $('embed-preview').removeAttribute('src');
      });
    }
    if ($('btn-share')) $('btn-share').addEventListener('click', function () { copy(location.href); C.showMessage(msgs, t('copied'), 'info'); });
    if ($('btn-lang')) {
      $('btn-lang').textContent = t('lang');
      $('btn-lang').addEventListener('click', function () {
        st.lang = st.lang === 'en' ? 'fr' : 'en';
        C.setLang(st.lang);
        syncURL();
        location.reload();
      });
    }
    if ($('list-more')) $('list-more').addEventListener('click', function () { refreshList(undefined, false); });
    ['list-sort', 'list-desc', 'list-group', 'table-group'].forEach(function (id) {
      if ($(id)) $(id).addEventListener('change', function () {
        if (id === 'list-group' || id === 'table-group') {
          st.group = $(id).checked;
          if (st.group) st.sortKey = 'authority';
        } else if (id === 'list-sort') st.sortKey = $('list-sort').value;
        else st.sortDesc = $('list-desc').checked;
        sortChanged();
      });
    });
    wireTable();
    if ($('detail')) $('detail').addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !$('detail').hidden) { e.preventDefault(); closeDetail(); }
    });
    if ($('result-list')) $('result-list').addEventListener('keydown', listKeys);
    if ($('dl-csv')) $('dl-csv').addEventListener('click', function () { download('csv'); });
    if ($('dl-geojson')) $('dl-geojson').addEventListener('click', function () { download('geojson'); });
    document.querySelectorAll('.side-tabs [role=tabpanel]').forEach(function (panel) {
      panel.addEventListener('dsfr.disclose', function () {
        st.tab = panel.id === 'pane-stats' ? 'stats' : 'list';
        tabShown();
      });
    });
    if ($('toggle-filters')) $('toggle-filters').addEventListener('click', function () {
      var p = $('filters');
      p.hidden = !p.hidden;
      $('toggle-filters').setAttribute('aria-expanded', String(!p.hidden));
    });
    var open = $('open-atlas');
    if (open) open.addEventListener('click', function () { open.href = '/?' + C.pageQuery(st, { embed: true }); });
  }
  // showTab marks the panel the URL asks for (list or statistics) before
  // the DSFR's script starts: from then on the tabs are its own (fr-tabs:
  // the arrow keys, Home and End move between them, and dsfr.disclose says
  // which panel it shows).
  function showTab(name) {
    st.tab = name === 'stats' ? 'stats' : 'list';
    document.querySelectorAll('.side-tabs [role=tab]').forEach(function (tab) {
      var on = tab.getAttribute('data-tab') === st.tab;
      tab.setAttribute('aria-selected', String(on));
      tab.setAttribute('tabindex', on ? '0' : '-1');
      $(tab.getAttribute('aria-controls')).classList.toggle('fr-tabs__panel--selected', on);
    });
    tabShown();
  }
  function tabShown() {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    syncURL();
  }
  // copy resolves true once text is on the clipboard, false when the
  // browser refused.
  var copy = C.copyText;

  // ---- host page API (postMessage) ----------------------------------------------------------
  function setFilters(f, replace) {
    var next = replace ? C.emptyFilters() : st.filters;
    var errs = [];
    Object.keys(f || {}).forEach(function (k) {
      if (!(k in next)) { errs.push(k); return; }
      var v = f[k];
      if (k === 'since' || k === 'until') next[k] = v === null || v === '' || v === undefined ? null : +v;
      else next[k] = v === null || v === undefined ? [] : (Array.isArray(v) ? v.slice() : String(v).split(',')).filter(Boolean);
    });
    // Reuse the URL parser for the same validation as a typed URL.
    var probe = C.parseState('?' + C.filterQuery(next) + '&lang=' + st.lang);
    probe.errors.forEach(function (e) { C.showMessage(msgs, t('badParam', { p: e.param, v: e.value, why: e.why })); });
    errs.forEach(function (k) { C.showMessage(msgs, t('badParamNoValue', { p: k, why: st.lang === 'en' ? 'unknown parameter' : 'paramètre inconnu' })); });
    st.filters = probe.filters;
    buildFilters();
    return validateThenApply();
  }
  function validateThenApply() {
    return C.validate(st, '/api/stats?by=kind&unit=partnerships', function (text) { C.showMessage(msgs, text); })
      .then(function () { buildFilters(); return apply(); })
      .catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
  }
  window.addEventListener('message', function (e) {
    var m = e.data;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string' || m.type.indexOf('atlas:') !== 0) return;
    if (m.type === 'atlas:setFilters') setFilters(m.filters, m.replace !== false);
    else if (m.type === 'atlas:setView' && map) map.jumpTo({ center: m.center, zoom: m.zoom });
    else if (m.type === 'atlas:select') select(m.id, true);
    else if (m.type === 'atlas:getState' && e.source) e.source.postMessage({ type: 'atlas:state', state: publicState(), url: location.href }, e.origin === 'null' ? '*' : e.origin);
  });

  // ---- start -----------------------------------------------------------------------------------
  function start() {
    buildLegend();
    wireChrome();
    if ($('filters')) {
      if (embed) {
        // On a phone the panel would hide the map: start it folded.
        $('filters').hidden = !st.panel || window.innerWidth < 560;
        if ($('toggle-filters')) { $('toggle-filters').hidden = !st.panel; $('toggle-filters').setAttribute('aria-expanded', String(!$('filters').hidden)); }
      }
    }
    if (!embed) { showTab(st.tab); showSort(); showTableBox(false); }
    var needFacets = !embed || st.panel;
    var facetsP = needFacets ? C.api('/api/facets').then(function (f) { facets = f; }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); }) : Promise.resolve();
    // Validate the URL filters with the server before the map asks for tiles.
    var valid = C.validate(st, '/api/stats?by=kind&unit=partnerships', function (text) { C.showMessage(msgs, text); })
      .then(function (s) { showCounts(s); return s; })
      .catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
    valid.then(function (s) {
      syncURL();
      map = C.makeMap('map', st, {
        defaultView: embed ? { zoom: 1.2, lat: 30, lon: 30 } : null,
        onError: function (err) { C.showMessage(msgs, C.problemText(err)); }
      });
      window.atlasMap = map;
      wireMap();
      // No view in the URL: fit the filtered selection.
      if (!st.view && s && anyFilter(st.filters)) fitSelection(s.bbox, false);
      map.on('load', function () {
        if (st.sel) select(st.sel, false);
        if (window.parent !== window) window.parent.postMessage({ type: 'atlas:ready', state: publicState() }, '*');
      });
      if (!embed) {
        // Opened with table=1: once the list and the table are drawn (the
        // list above it has its height), bring the table into view.
        Promise.all([refreshList(applySeq, true), refreshTable(applySeq)]).then(function () {
          if (st.table && $('results-table')) $('results-table').scrollIntoView({ block: 'start' });
        }).catch(report);
      }
      return facetsP.then(function () {
        buildFilters();
        if (!embed) return refreshCharts(applySeq);
      });
    }).catch(function (err) { C.showMessage(msgs, C.problemText(err)); });
  }

  window.atlas = {
    getState: publicState,
    setFilters: function (f) { return setFilters(f, true); },
    setView: function (v) { map.jumpTo({ center: [v.lon, v.lat], zoom: v.zoom }); },
    select: function (id) { return select(id, true); },
    countRendered: function () { return C.countRendered(map); },
    download: download
  };
  start();
})();
