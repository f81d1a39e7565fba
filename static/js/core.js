/* Atlas français de la coopération décentralisée — shared browser code.
 * State <-> URL, translations, API calls, map style and layers, messages.
 * Every request goes to the page's own origin. */
(function () {
  'use strict';

  var ORIGIN = location.origin;

  var THEMES = [
    ['economie-durable', 'Économie durable', 'Sustainable economy'],
    ['education-recherche', 'Éducation et recherche', 'Education and research'],
    ['environnement-climat-energie', 'Environnement, climat et énergie', 'Environment, climate and energy'],
    ['culture-patrimoine', 'Culture et patrimoine', 'Culture and heritage'],
    ['gouvernance-humanitaire', 'Gouvernance locale et action humanitaire', 'Local governance and humanitarian action'],
    ['tourisme', 'Tourisme', 'Tourism'],
    ['numerique', 'Numérique', 'Digital'],
    ['agriculture-alimentation', 'Agriculture et alimentation', 'Agriculture and food'],
    ['jeunesse-formation', 'Jeunesse et formation', 'Youth and training'],
    ['sante', 'Santé', 'Health'],
    ['eau-assainissement', 'Eau et assainissement', 'Water and sanitation']
  ];
  var TYPES = [
    ['region', 'Région', 'Region', '#1d4e89'],
    ['departement', 'Département', 'Département', '#2a9d8f'],
    ['groupement', 'Groupement (EPCI)', 'Inter-municipal body', '#e09f3e'],
    ['commune', 'Commune', 'Municipality', '#c8553d']
  ];
  var KINDS = [
    ['jumelage', 'Jumelage', 'Twinning', '#3a7bd5'],
    ['cooperation', 'Coopération décentralisée', 'Decentralised cooperation', '#d1495b'],
    ['amitie', "Pacte d'amitié", 'Friendship pact', '#7b4fa0']
  ];
  var PROVENANCES = [
    ['real', 'Données réelles', 'Real data'],
    ['synthetic', 'Données synthétiques (fictives)', 'Synthetic (made-up) data']
  ];
  // The public lists a real partnership comes from (its "sources").
  var SOURCES = [
    ['wikipedia-en', 'Wikipédia en anglais', 'English Wikipedia'],
    ['wikidata', 'Wikidata', 'Wikidata'],
    ['wikipedia-it', 'Wikipédia en italien', 'Italian Wikipedia']
  ];
  // provenanceText is the provenance of a partnership's properties (GeoJSON,
  // tile or API: sources an array or a |-joined string), naming its sources.
  function provenanceText(pr) {
    if (pr.provenance === 'synthetic') return t('provSynthetic');
    var src = pr.sources || [];
    if (typeof src === 'string') src = src.split('|').filter(Boolean);
    if (!src.length) return t('provReal');
    return t('provRealFrom', { list: src.map(function (s) { return label(SOURCES, s); }).join(', ') });
  }
  var PARTNER_COLOR = '#5b3f8c', GROUPED_COLOR = '#8a5a44';

  var I18N = {
    fr: {
      title: 'Atlas français de la coopération décentralisée',
      filters: 'Filtres', country: 'Pays partenaire', countrySearch: 'Rechercher un pays…',
      printMap: 'Carte à imprimer', printFormat: 'Format', printPage: 'Page', a4l: 'A4 paysage', a4p: 'A4 portrait', a3l: 'A3 paysage', a3p: 'A3 portrait',
      embedCopy: 'Copier le code d\u2019intégration', embedCopied: 'Code d\u2019intégration copié.', copyFailed: 'Copie impossible : sélectionnez le texte.',
      sortBy: 'Trier par', sortNone: 'ordre de la liste', sortDesc: 'Décroissant', groupByAuthority: 'Grouper par collectivité',
      sortAuthority: 'Collectivité', sortType: 'Type de collectivité', sortDepartement: 'Département', sortPartner: 'Autorité partenaire',
      sortCountry: 'Pays', sortKind: 'Nature', sortYear: 'Année de début', sortThemes: 'Thématiques', groupN: '{name} · {n}',
      downloadCSV: 'Télécharger le CSV', downloadPNG: 'Télécharger l\u2019image (PNG)', tableOf: 'Tableau : {what}',
      placeSearch: 'Rechercher une collectivité, une ville, un pays…', placeSearchLabel: 'Rechercher', placeNone: 'Aucun résultat pour « {q} ».',
      placeAuthority: 'Collectivité française', placePartner: 'Autorité partenaire', placeCountry: 'Pays', placeFilter: 'Filtrer la carte',
      themes: 'Thématiques', types: 'Type de collectivité', kinds: 'Nature du partenariat',
      provenance: 'Provenance', years: 'Année de début', since: 'Depuis', until: "Jusqu'à",
      yearsHint: 'Les jumelages réels sans année connue sont exclus dès que les années sont filtrées.',
      reset: 'Réinitialiser', remove: 'Retirer', authority: 'Collectivité', partner: 'Autorité partenaire',
      legend: 'Légende', arcs: 'Partenariats', arcsGrouped: 'Partenariats regroupés (vue éloignée)', partners: 'Autorités partenaires', cluster: 'Groupe (nombre)',
      list: 'Liste', stats: 'Statistiques', detail: 'Détail', more: 'Afficher plus',
      download: 'Télécharger', csv: 'CSV', geojson: 'GeoJSON',
      embed: 'Intégrer', share: 'Copier le lien', copied: 'Lien copié.', copy: 'Copier', close: 'Fermer',
      embedTitle: 'Intégrer cette carte', embedHelp: "Collez ce code dans une page web : la carte s'ouvrira avec les filtres et la vue actuels.",
      withPanel: 'Afficher le panneau de filtres', openAtlas: "Ouvrir l'atlas complet",
      partnershipsN: '{n} partenariat|{n} partenariats', authoritiesN: '{n} collectivité française|{n} collectivités françaises',
      partnersN: '{n} autorité partenaire|{n} autorités partenaires', projectsN: '{n} projet|{n} projets',
      showingN: '{shown} affichés sur {n}', noResult: 'Aucun partenariat ne correspond à ces filtres.',
      byTheme: 'Partenariats par thématique', byCountry: 'Partenariats par pays (15 premiers)',
      byYear: 'Partenariats par année de début', byType: 'Partenariats par type de collectivité',
      kind: 'Nature', start: 'Début', startUnknown: 'non renseignée', projects: 'Projets', active: 'Actif', inactive: 'Inactif',
      provReal: 'Données réelles (source publique)', provRealFrom: 'Données réelles : {list}', provSynthetic: 'Données synthétiques : partenariat fictif, généré pour la démonstration',
      filterOn: 'Filtrer sur', zoomIn: 'Zoomer', loading: 'Chargement…',
      badParam: 'Paramètre « {p} » : valeur « {v} » non reconnue ({why}). La carte est affichée sans ce filtre.',
      badParamNoValue: 'Paramètre « {p} » refusé ({why}). La carte est affichée sans ce filtre.',
      apiError: 'Erreur du serveur ({status}) : {why}', netError: 'Le serveur ne répond pas : {why}',
      unknownCountry: 'code pays inconnu', unknownTheme: 'thématique inconnue', unknownType: 'type de collectivité inconnu',
      unknownKind: 'nature inconnue', unknownProv: 'provenance inconnue', badYear: 'année mal formée (attendu : 4 chiffres)',
      badSort: 'tri inconnu (attendu : authority, type, departement, partner, country, kind, start_year ou themes, précédé de - pour décroissant)',
      badGroup: 'regroupement inconnu (attendu : authority)', badTable: 'valeur inconnue (attendu : 1)',
      badRange: "l'année de début dépasse l'année de fin", badView: 'vue mal formée (attendu : zoom/latitude/longitude)',
      lang: 'English', langCode: 'en', mapLabel: 'Carte des partenariats', listLabel: 'Liste des partenariats filtrés', tabsLabel: 'Vues de la sélection',
      france: 'France', topPartners: 'Principales autorités partenaires', topAuthorities: 'Principales collectivités françaises',
      countryView: 'Coopérations décentralisées France – {c}', otherCountry: 'Autre pays…',
      yearNone: 'Non renseignée', unitPartnerships: 'partenariats', downloading: 'Préparation du téléchargement…',
      frenchSide: 'Côté français', partnerSide: 'Côté partenaire', links: 'Liens (année de début)',
      noticeMostly: 'Données en grande partie fictives : {l} % des partenariats et {p} % des projets sont un complément synthétique, généré pour montrer l’atlas à l’échelle ; les autres viennent de listes publiques.',
      noticePart: 'Données en partie fictives : {l} % des partenariats et {p} % des projets sont un complément synthétique.',
      noticeNone: 'Toutes les données affichées viennent de sources publiques ou de déclarations.',
      noticeShort: '{l} % de partenariats fictifs', noticeLink: 'Données et sources', sourcesLink: 'Sources et licences'
    },
    en: {
      title: 'French atlas of decentralised cooperation',
      filters: 'Filters', country: 'Partner country', countrySearch: 'Search a country…',
      printMap: 'Print map', printFormat: 'Format', printPage: 'Page', a4l: 'A4 landscape', a4p: 'A4 portrait', a3l: 'A3 landscape', a3p: 'A3 portrait',
      embedCopy: 'Copy the embed code', embedCopied: 'Embed code copied.', copyFailed: 'Copy failed: select the text.',
      sortBy: 'Sort by', sortNone: 'list order', sortDesc: 'Descending', groupByAuthority: 'Group by local authority',
      sortAuthority: 'Local authority', sortType: 'Type of authority', sortDepartement: 'Département', sortPartner: 'Partner authority',
      sortCountry: 'Country', sortKind: 'Kind', sortYear: 'Start year', sortThemes: 'Themes', groupN: '{name} · {n}',
      downloadCSV: 'Download the CSV', downloadPNG: 'Download the image (PNG)', tableOf: 'Table: {what}',
      placeSearch: 'Search a local authority, a town, a country…', placeSearchLabel: 'Search', placeNone: 'Nothing found for “{q}”.',
      placeAuthority: 'French local authority', placePartner: 'Partner authority', placeCountry: 'Country', placeFilter: 'Filter the map',
      themes: 'Themes', types: 'Authority type', kinds: 'Kind of partnership',
      provenance: 'Provenance', years: 'Start year', since: 'From', until: 'To',
      yearsHint: 'Real twinnings with no known year are excluded as soon as years are filtered.',
      reset: 'Reset', remove: 'Remove', authority: 'Authority', partner: 'Partner authority',
      legend: 'Legend', arcs: 'Partnerships', arcsGrouped: 'Grouped partnerships (zoomed out)', partners: 'Partner authorities', cluster: 'Group (count)',
      list: 'List', stats: 'Statistics', detail: 'Detail', more: 'Show more',
      download: 'Download', csv: 'CSV', geojson: 'GeoJSON',
      embed: 'Embed', share: 'Copy link', copied: 'Link copied.', copy: 'Copy', close: 'Close',
      embedTitle: 'Embed this map', embedHelp: 'Paste this code in a web page: the map opens with the current filters and view.',
      withPanel: 'Show the filter panel', openAtlas: 'Open the full atlas',
      partnershipsN: '{n} partnership|{n} partnerships', authoritiesN: '{n} French authority|{n} French authorities',
      partnersN: '{n} partner authority|{n} partner authorities', projectsN: '{n} project|{n} projects',
      showingN: '{shown} shown of {n}', noResult: 'No partnership matches these filters.',
      byTheme: 'Partnerships by theme', byCountry: 'Partnerships by country (top 15)',
      byYear: 'Partnerships by start year', byType: 'Partnerships by authority type',
      kind: 'Kind', start: 'Start', startUnknown: 'unknown', projects: 'Projects', active: 'Active', inactive: 'Inactive',
      provReal: 'Real data (public source)', provRealFrom: 'Real data: {list}', provSynthetic: 'Synthetic data: a made-up partnership, generated for demonstration',
      filterOn: 'Filter on', zoomIn: 'Zoom in', loading: 'Loading…',
      badParam: 'Parameter “{p}”: value “{v}” not recognised ({why}). The map is shown without this filter.',
      badParamNoValue: 'Parameter “{p}” rejected ({why}). The map is shown without this filter.',
      apiError: 'Server error ({status}): {why}', netError: 'The server does not answer: {why}',
      unknownCountry: 'unknown country code', unknownTheme: 'unknown theme', unknownType: 'unknown authority type',
      unknownKind: 'unknown kind', unknownProv: 'unknown provenance', badYear: 'malformed year (expected 4 digits)',
      badSort: 'unknown sort (expected authority, type, departement, partner, country, kind, start_year or themes, with - before it for descending)',
      badGroup: 'unknown grouping (expected authority)', badTable: 'unknown value (expected 1)',
      badRange: 'start year is after end year', badView: 'malformed view (expected zoom/latitude/longitude)',
      lang: 'Français', langCode: 'fr', mapLabel: 'Map of partnerships', listLabel: 'List of the filtered partnerships', tabsLabel: 'Views of the selection',
      france: 'France', topPartners: 'Top partner authorities', topAuthorities: 'Top French authorities',
      countryView: 'Decentralised cooperation France – {c}', otherCountry: 'Other country…',
      yearNone: 'Unknown', unitPartnerships: 'partnerships', downloading: 'Preparing the download…',
      frenchSide: 'French side', partnerSide: 'Partner side', links: 'Links (start year)',
      noticeMostly: 'Mostly made-up data: {l} % of the partnerships and {p} % of the projects are a synthetic complement, generated to show the atlas at scale; the others come from public lists.',
      noticePart: 'Partly made-up data: {l} % of the partnerships and {p} % of the projects are a synthetic complement.',
      noticeNone: 'All the data shown comes from public sources or declarations.',
      noticeShort: '{l} % made-up partnerships', noticeLink: 'Data and sources', sourcesLink: 'Sources and licences'
    }
  };

  var LIST_FACETS = ['country', 'theme', 'type', 'kind', 'provenance', 'authority', 'partner'];
  // The fields the partnership list sorts by (the server's sortby keys).
  var SORT_KEYS = ['authority', 'type', 'departement', 'partner', 'country', 'kind', 'start_year', 'themes'];
  var YEAR_MIN = 1900, YEAR_MAX = 2100;

  var lang = 'fr';
  function t(key, vars) {
    var s = (I18N[lang] && I18N[lang][key]) || I18N.fr[key] || key;
    if (vars) {
      if (s.indexOf('|') >= 0 && 'n' in vars) s = s.split('|')[vars.n === 1 ? 0 : 1];
      s = s.replace(/\{(\w+)\}/g, function (m, k) {
        var v = vars[k];
        return v === undefined ? m : (typeof v === 'number' ? fmt(v) : v);
      });
    }
    return s;
  }
  function locale() { return lang === 'en' ? 'en-GB' : 'fr-FR'; }
  function fmt(n) { return new Intl.NumberFormat(locale()).format(n); }
  function label(table, slug) {
    for (var i = 0; i < table.length; i++) if (table[i][0] === slug) return lang === 'en' ? table[i][2] : table[i][1];
    return slug;
  }
  function slugs(table) { return table.map(function (r) { return r[0]; }); }

  function emptyFilters() {
    return { country: [], theme: [], type: [], kind: [], provenance: [], authority: [], partner: [], since: null, until: null };
  }

  // parseState reads the page URL. Bad values are dropped and reported in
  // state.errors so that the page shows the map without that filter.
  function parseState(search, opts) {
    opts = opts || {};
    var q = new URLSearchParams(search);
    var st = { filters: emptyFilters(), view: null, sel: null, lang: 'fr', panel: false, tab: 'list', sortKey: '', sortDesc: false, group: false, table: false, errors: [] };
    if (q.get('lang') === 'en') st.lang = 'en';
    lang = st.lang;
    function bad(p, v, why) { st.errors.push({ param: p, value: v, why: why }); }
    function list(p) {
      var out = [];
      q.getAll(p).forEach(function (raw) {
        raw.split(',').forEach(function (v) { v = v.trim(); if (v && out.indexOf(v) < 0) out.push(v); });
      });
      return out;
    }
    list('country').forEach(function (v) {
      var u = v.toUpperCase();
      if (/^[A-Z]{2}$/.test(u)) st.filters.country.push(u); else bad('country', v, t('unknownCountry'));
    });
    [['theme', THEMES, 'unknownTheme'], ['type', TYPES, 'unknownType'], ['kind', KINDS, 'unknownKind'],
      ['provenance', PROVENANCES, 'unknownProv']].forEach(function (d) {
      var ok = slugs(d[1]);
      list(d[0]).forEach(function (v) {
        var s = v.toLowerCase();
        if (ok.indexOf(s) >= 0) st.filters[d[0]].push(s); else bad(d[0], v, t(d[2]));
      });
    });
    st.filters.authority = list('authority');
    st.filters.partner = list('partner');
    ['since', 'until'].forEach(function (p) {
      var v = q.get(p);
      if (v === null || v === '') return;
      if (/^\d{4}$/.test(v) && +v >= YEAR_MIN && +v <= YEAR_MAX) st.filters[p] = +v; else bad(p, v, t('badYear'));
    });
    if (st.filters.since !== null && st.filters.until !== null && st.filters.since > st.filters.until) {
      bad('until', String(st.filters.until), t('badRange'));
      st.filters.until = null;
    }
    var view = q.get('view');
    if (view) {
      var m = /^(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(view);
      if (m && +m[1] >= 0 && +m[1] <= 22 && Math.abs(+m[2]) <= 90 && Math.abs(+m[3]) <= 180) {
        st.view = { zoom: +m[1], lat: +m[2], lon: +m[3] };
      } else bad('view', view, t('badView'));
    }
    if (q.get('sel')) st.sel = q.get('sel');
    var panel = q.get('panel');
    st.panel = panel === '1' || panel === 'true' || panel === 'filters';
    if (q.get('tab') === 'stats') st.tab = 'stats';
    // The result list's and table's order (the API's sortby), grouping by
    // collectivité (which sorts by it) and the open table.
    var sortby = q.get('sortby');
    if (sortby) {
      var key = sortby.replace(/^[-+]/, '');
      if (SORT_KEYS.indexOf(key) >= 0) { st.sortKey = key; st.sortDesc = sortby.charAt(0) === '-'; } else bad('sortby', sortby, t('badSort'));
    }
    var group = q.get('group');
    if (group === 'authority') { st.group = true; st.sortKey = 'authority'; } else if (group) bad('group', group, t('badGroup'));
    var table = q.get('table');
    if (table === '1') st.table = true; else if (table) bad('table', table, t('badTable'));
    var known = LIST_FACETS.concat(['since', 'until', 'view', 'sel', 'lang', 'panel', 'tab', 'sortby', 'group', 'table']);
    q.forEach(function (v, k) { if (known.indexOf(k) < 0 && (opts.extra || []).indexOf(k) < 0) bad(k, v, lang === 'en' ? 'unknown parameter' : 'paramètre inconnu'); });
    return st;
  }

  // filterQuery returns the API query string (without "?") of the filters.
  function filterQuery(f, omit) {
    var q = new URLSearchParams();
    LIST_FACETS.forEach(function (k) { if (f[k].length && k !== omit) q.set(k, f[k].join(',')); });
    if (f.since !== null && omit !== 'since') q.set('since', String(f.since));
    if (f.until !== null && omit !== 'until') q.set('until', String(f.until));
    return q.toString().replace(/%2C/g, ',');
  }

  function pageQuery(st, extra) {
    var q = filterQuery(st.filters, extra && extra.omit);
    var p = new URLSearchParams(q);
    if (st.view) p.set('view', [round(st.view.zoom, 2), round(st.view.lat, 4), round(st.view.lon, 4)].join('/'));
    if (st.sel) p.set('sel', st.sel);
    if (st.lang === 'en') p.set('lang', 'en');
    if (extra && extra.panel) p.set('panel', '1');
    if (st.tab === 'stats' && !(extra && extra.embed)) p.set('tab', 'stats');
    if (!(extra && extra.embed)) {
      if (st.sortKey) p.set('sortby', (st.sortDesc ? '-' : '') + st.sortKey);
      if (st.group) p.set('group', 'authority');
      if (st.table) p.set('table', '1');
    }
    return p.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
  }
  function round(x, d) { var m = Math.pow(10, d); return Math.round(x * m) / m; }

  // ---- API ----------------------------------------------------------------
  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem || {};
    this.param = this.problem.param || null;
    this.message = this.problem.detail || this.problem.title || ('HTTP ' + status);
  }
  // api fetches a JSON answer of the API; fresh, it revalidates what the
  // browser holds (a page following its own writes).
  function api(path, fresh) {
    var o = { headers: { Accept: 'application/json' } };
    if (fresh) o.cache = 'no-cache';
    return fetch(ORIGIN + path, o).then(function (r) {
      var ct = r.headers.get('Content-Type') || '';
      if (!r.ok) {
        var p = ct.indexOf('json') >= 0 ? r.json().catch(function () { return null; }) : Promise.resolve(null);
        return p.then(function (body) { throw new ApiError(r.status, body); });
      }
      return r.json();
    });
  }
  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }

  // dataSources is /api/sources (credits and the share of real records),
  // fetched once per page.
  var sourcesPromise = null;
  function dataSources() {
    if (!sourcesPromise) {
      sourcesPromise = api('/api/sources').catch(function (e) {
        console.warn('atlas: /api/sources: ' + (e && e.message));
        sourcesPromise = null;
        return null;
      });
    }
    return sourcesPromise;
  }

  // dataNotice fills every [data-notice] element with what share of the data
  // is synthetic, read from the server: "full" (a notice on full pages, more
  // insistent while most partnerships are synthetic, one plain line once
  // none is) or "short" (the embed's credits line). Each links to the
  // "Données et sources" page.
  function dataNotice() {
    var els = Array.prototype.slice.call(document.querySelectorAll('[data-notice]'));
    if (!els.length) return Promise.resolve(null);
    return dataSources().then(function (src) {
      if (!src) return null;
      var synL = src.partnerships.total ? src.partnerships.synthetic / src.partnerships.total : 0;
      var synP = src.projects.total ? src.projects.synthetic / src.projects.total : 0;
      var v = { l: String(Math.round(synL * 100)), p: String(Math.round(synP * 100)) };
      var level = synL === 0 && synP === 0 ? 'none' : synL >= 0.5 || synP >= 0.5 ? 'mostly' : 'part';
      els.forEach(function (e) {
        var short = e.getAttribute('data-notice') === 'short';
        var link = el('a', { href: '/donnees', target: short ? '_blank' : null, rel: short ? 'noopener' : null, text: t('noticeLink') });
        e.textContent = '';
        e.setAttribute('data-level', level);
        e.setAttribute('data-synthetic-share', String(synL));
        if (short) {
          if (level !== 'none') e.appendChild(document.createTextNode(t('noticeShort', v) + ' · '));
          e.appendChild(link);
        } else {
          // The State design system's notice: alert while half the data
          // or more is synthetic, info below that, plain once all is real.
          var key = level === 'none' ? 'noticeNone' : level === 'mostly' ? 'noticeMostly' : 'noticePart';
          e.className = 'data-notice fr-notice' + (level === 'mostly' ? ' fr-notice--alert' : level === 'part' ? ' fr-notice--info' : '');
          e.appendChild(el('div', { 'class': 'fr-notice__body' }, [el('p', { 'class': 'data-notice-text' }, [el('span', { 'class': 'fr-notice__title', text: t(key, v) }), ' ', link])]));
        }
        e.hidden = false;
      });
      return src;
    });
  }

  // problemText turns an API problem into a French (or English) sentence
  // naming the parameter.
  function problemText(err) {
    if (!(err instanceof ApiError)) return t('netError', { why: String(err && err.message || err) });
    if (err.param) {
      var m = /invalid value "([^"]*)"/.exec(err.message);
      var why = err.message.replace(/^parameter "[^"]*":\s*/, '').replace(/^invalid value "[^"]*":\s*/, '');
      // The server explains in English; say the usual reasons in the page's language.
      var known = { country: 'unknownCountry', theme: 'unknownTheme', type: 'unknownType', kind: 'unknownKind', provenance: 'unknownProv' };
      if (/^unknown/.test(why) && known[err.param]) why = t(known[err.param]);
      return m ? t('badParam', { p: err.param, v: m[1], why: why }) : t('badParamNoValue', { p: err.param, why: why });
    }
    return t('apiError', { status: String(err.status), why: err.message });
  }

  // validate asks the server (one small stats request) whether the filters
  // are accepted; each rejected parameter is removed and reported, and the
  // last successful stats answer is returned.
  function validate(st, path, onError) {
    var tries = 0;
    function attempt() {
      var q = filterQuery(st.filters);
      return api(path + (path.indexOf('?') >= 0 ? '&' : '?') + q).catch(function (err) {
        if (err instanceof ApiError && err.status === 400 && err.param && st.filters[err.param] !== undefined && tries++ < 10) {
          onError(problemText(err));
          st.filters[err.param] = Array.isArray(st.filters[err.param]) ? [] : null;
          return attempt();
        }
        throw err;
      });
    }
    return attempt();
  }

  // ---- messages ------------------------------------------------------------
  function showMessage(el, text, kind) {
    if (!el) return;
    var d = document.createElement('div');
    d.className = 'msg msg-' + (kind || 'error');
    d.setAttribute('role', kind === 'info' ? 'status' : 'alert');
    var s = document.createElement('span');
    s.textContent = text;
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'msg-close';
    b.setAttribute('aria-label', t('close'));
    b.textContent = '×';
    b.onclick = function () { d.remove(); };
    d.appendChild(s);
    d.appendChild(b);
    el.appendChild(d);
  }

  // ---- map -------------------------------------------------------------------
  var ATLAS_LAYERS = 'partnerships,authorities,partners';
  function tilesURL(layers, f) {
    var q = f ? filterQuery(f) : '';
    return ORIGIN + '/tiles/' + layers + '/{z}/{x}/{y}.mvt' + (q ? '?' + q : '');
  }
  function matchColor(prop, table, fallback) {
    var e = ['match', ['get', prop]];
    table.forEach(function (r) { e.push(r[0], r[3]); });
    e.push(fallback);
    return e;
  }
  var FONT = ['Go-Regular'], FONT_BOLD = ['Go-Bold'];
  var isCluster = ['==', ['get', 'cluster'], true];

  function style(f, opts) {
    opts = opts || {};
    var st = fullStyle(f, opts);
    // baseOnly: the boundaries alone (the money views paint countries).
    if (opts.baseOnly) {
      delete st.sources.atlas;
      st.layers = st.layers.filter(function (l) { return l.source !== 'atlas'; });
    }
    return st;
  }
  function fullStyle(f, opts) {
    var hl = opts.highlightCountry;
    return {
      version: 8,
      glyphs: ORIGIN + '/static/glyphs/{fontstack}/{range}.pbf',
      sources: {
        base: { type: 'vector', tiles: [tilesURL('countries,regions,departements')], minzoom: 0, maxzoom: 10 },
        atlas: { type: 'vector', tiles: [tilesURL(ATLAS_LAYERS, f)], minzoom: 0, maxzoom: 14 }
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#dce8f0' } },
        { id: 'countries-fill', type: 'fill', source: 'base', 'source-layer': 'countries',
          paint: { 'fill-color': hl ? ['case', ['==', ['get', 'iso2'], hl], '#f6e7c8', ['==', ['get', 'iso2'], 'FR'], '#f3efe6', '#ebe8e1'] : ['case', ['==', ['get', 'iso2'], 'FR'], '#f6f1e4', '#efece5'] } },
        { id: 'countries-line', type: 'line', source: 'base', 'source-layer': 'countries',
          paint: { 'line-color': '#b6ada0', 'line-width': 0.6 } },
        { id: 'regions-line', type: 'line', source: 'base', 'source-layer': 'regions',
          paint: { 'line-color': '#9c8f7d', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.4, 8, 1.4] } },
        { id: 'departements-line', type: 'line', source: 'base', 'source-layer': 'departements', minzoom: 5,
          paint: { 'line-color': '#c4b8a6', 'line-width': 0.5, 'line-dasharray': [2, 2] } },
        { id: 'partnerships-line', type: 'line', source: 'atlas', 'source-layer': 'partnerships',
          layout: { 'line-cap': 'round' },
          paint: {
            'line-color': matchColor('kind', KINDS, GROUPED_COLOR),
            'line-opacity': ['case', isCluster, 0.55, 0.65],
            'line-width': ['interpolate', ['linear'], ['zoom'],
              2, ['case', isCluster, ['interpolate', ['linear'], ['get', 'count'], 1, 1, 20, 3, 200, 7], 0.8],
              8, ['case', isCluster, ['interpolate', ['linear'], ['get', 'count'], 1, 1.5, 20, 4, 200, 8], 2]]
          } },
        { id: 'partnerships-selected', type: 'line', source: 'atlas', 'source-layer': 'partnerships',
          filter: ['==', ['get', 'id'], '__none__'],
          paint: { 'line-color': '#111', 'line-width': 4 } },
        { id: 'partnerships-year', type: 'symbol', source: 'atlas', 'source-layer': 'partnerships',
          minzoom: opts.yearLabelsMinZoom === undefined ? 5 : opts.yearLabelsMinZoom,
          filter: ['all', ['!', isCluster], ['has', 'start_year']],
          layout: { 'symbol-placement': 'line', 'text-field': ['to-string', ['get', 'start_year']], 'text-font': FONT,
            'text-size': 11, 'symbol-spacing': 400, 'text-keep-upright': true },
          paint: { 'text-color': '#3b2f2f', 'text-halo-color': '#fff', 'text-halo-width': 1.4 } },
        { id: 'partners-circle', type: 'circle', source: 'atlas', 'source-layer': 'partners',
          paint: {
            'circle-color': PARTNER_COLOR, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1,
            'circle-radius': ['case', isCluster, ['interpolate', ['linear'], ['get', 'count'], 2, 9, 50, 15, 500, 24], 4.5],
            'circle-opacity': ['case', isCluster, 0.85, 1]
          } },
        { id: 'authorities-circle', type: 'circle', source: 'atlas', 'source-layer': 'authorities',
          paint: {
            'circle-color': ['case', isCluster, '#54606e', matchColor('type', TYPES, '#777')],
            'circle-stroke-color': '#fff', 'circle-stroke-width': 1,
            'circle-radius': ['case', isCluster, ['interpolate', ['linear'], ['get', 'count'], 2, 9, 50, 15, 500, 24],
              ['match', ['get', 'type'], 'region', 7, 'departement', 6, 'groupement', 5, 4]],
            'circle-opacity': ['case', isCluster, 0.85, 1]
          } },
        { id: 'clusters-count', type: 'symbol', source: 'atlas', 'source-layer': 'authorities', filter: isCluster,
          layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_BOLD, 'text-size': 11, 'text-allow-overlap': true },
          paint: { 'text-color': '#fff' } },
        { id: 'partner-clusters-count', type: 'symbol', source: 'atlas', 'source-layer': 'partners', filter: isCluster,
          layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_BOLD, 'text-size': 11, 'text-allow-overlap': true },
          paint: { 'text-color': '#fff' } },
        { id: 'authorities-label', type: 'symbol', source: 'atlas', 'source-layer': 'authorities', minzoom: 6,
          filter: ['!', isCluster],
          layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-optional': true },
          paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.2 } },
        { id: 'partners-label', type: 'symbol', source: 'atlas', 'source-layer': 'partners', minzoom: 4,
          filter: ['!', isCluster],
          layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-optional': true },
          paint: { 'text-color': '#3a2a5c', 'text-halo-color': '#fff', 'text-halo-width': 1.2 } }
      ]
    };
  }

  var FEATURE_LAYERS = ['partnerships-line', 'authorities-circle', 'partners-circle'];
  // MapLibre's own strings (control titles, the canvas' name), in French.
  var MAPLIBRE_FR = {
    'AttributionControl.ToggleAttribution': 'Afficher ou masquer les sources', 'AttributionControl.MapFeedback': 'Signaler une erreur sur la carte',
    'FullscreenControl.Enter': 'Plein écran', 'FullscreenControl.Exit': 'Quitter le plein écran',
    'GeolocateControl.FindMyLocation': 'Me localiser', 'GeolocateControl.LocationNotAvailable': 'Position indisponible',
    'GlobeControl.Enable': 'Vue en globe', 'GlobeControl.Disable': 'Vue à plat', 'LogoControl.Title': 'Logo MapLibre',
    'Map.Title': 'Carte', 'NavigationControl.ResetBearing': 'Faire pivoter la carte, cliquer pour remettre le nord en haut',
    'NavigationControl.ZoomIn': 'Zoomer', 'NavigationControl.ZoomOut': 'Dézoomer',
    'ScaleControl.Feet': 'pi', 'ScaleControl.Meters': 'm', 'ScaleControl.Kilometers': 'km', 'ScaleControl.Miles': 'mi', 'ScaleControl.NauticalMiles': 'mille nautique',
    'TerrainControl.Enable': 'Afficher le relief', 'TerrainControl.Disable': 'Masquer le relief',
    'CooperativeGesturesHandler.WindowsHelpText': 'Ctrl + molette pour zoomer', 'CooperativeGesturesHandler.MacHelpText': '⌘ + molette pour zoomer',
    'CooperativeGesturesHandler.MobileHelpText': 'Deux doigts pour déplacer la carte'
  };

  // makeMap creates a MapLibre map with the atlas style and records timings
  // in window.atlasPerf (performance.now(), i.e. ms since navigation start).
  function makeMap(container, st, opts) {
    opts = opts || {};
    var v = st.view || opts.defaultView || { zoom: 1.6, lat: 30, lon: 40 };
    var map = new maplibregl.Map({
      container: container,
      style: style(st.filters, opts),
      center: [v.lon, v.lat],
      zoom: v.zoom,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      renderWorldCopies: false,
      fadeDuration: 0,
      maxZoom: 14,
      localIdeographFontFamily: 'sans-serif',
      locale: lang === 'en' ? {} : MAPLIBRE_FR
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    // The credits come from the server's source list (/api/sources), the
    // one geodata/ATTRIBUTION is written from.
    dataSources().then(function (src) {
      var credits = src ? escapeHTML(src.credits) : '© Atlas de la coopération décentralisée';
      map.addControl(new maplibregl.AttributionControl({ compact: true,
        customAttribution: [credits + ' · <a href="/donnees" target="_top">' + escapeHTML(t('sourcesLink')) + '</a>'] }));
      // On a small map the credits start folded behind their (i) button,
      // which unfolds them, so that they do not cover half of it.
      if (map.getContainer().clientWidth < 700) {
        var d = map.getContainer().querySelector('.maplibregl-ctrl-attrib');
        if (d) { d.removeAttribute('open'); d.classList.remove('maplibregl-compact-show'); }
      }
    });
    map.on('error', function (e) {
      var msg = (e && e.error && e.error.message) || '';
      // A glyph range we do not ship (a script other than Latin) only loses
      // a few labels: not worth an error on the page.
      if (/glyph|\.pbf/i.test(msg)) { console.warn('atlas: ' + msg); return; }
      // Tile requests refused by the server (bad filter) are shown on the
      // page; anything else is a bug of the page itself.
      if (e.error && e.error.status && opts.onError) opts.onError(new ApiError(e.error.status, { detail: msg }));
      else console.error('atlas map: ' + msg);
    });
    var perf = window.atlasPerf = window.atlasPerf || {};
    map.on('render', function () {
      if (perf.firstPartnerships || !map.getLayer('partnerships-line')) return;
      if (map.queryRenderedFeatures({ layers: ['partnerships-line'] }).length > 0) {
        perf.firstPartnerships = performance.now();
      }
    });
    return map;
  }

  // setAtlasFilters swaps the tile URL of the atlas source and resolves when
  // the map is idle again with the new tiles.
  function setAtlasFilters(map, f) {
    var t0 = performance.now();
    var src = map.getSource('atlas');
    if (!src) return Promise.resolve();
    src.setTiles([tilesURL(ATLAS_LAYERS, f)]);
    return new Promise(function (resolve) {
      map.once('idle', function () {
        var perf = window.atlasPerf = window.atlasPerf || {};
        perf.lastUpdateMs = performance.now() - t0;
        resolve(perf.lastUpdateMs);
      });
    });
  }

  function countRendered(map) {
    var out = {};
    FEATURE_LAYERS.forEach(function (l) {
      var seen = {}, n = 0, features = 0;
      map.queryRenderedFeatures({ layers: [l] }).forEach(function (f) {
        features++;
        // The same feature comes once per tile it crosses: count it once.
        // Aggregated arcs are keyed by level, key and country; point clusters
        // by their position.
        var p = f.properties;
        var key = !p.cluster ? 'f:' + p.id : p.level ? 'a:' + p.level + ':' + p.key + ':' + p.country : 'c:' + JSON.stringify(f.geometry.coordinates);
        if (seen[key]) return;
        seen[key] = 1;
        n += p.cluster ? (+p.count || 0) : 1;
      });
      out[l.split('-')[0]] = { features: features, count: n };
    });
    return out;
  }

  // el makes an element: attrs (text: its text; on…: a listener; true: an
  // empty attribute; null, undefined, false: none) and children (strings
  // become text: markup in them is never parsed).
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    (kids || []).forEach(function (k) { if (k) e.appendChild(typeof k === 'string' ? document.createTextNode(k) : k); });
    return e;
  }

  // chartTools fills box with what a chart or map shows: its table (folded
  // under a summary when o.folded), the link to its CSV (o.csv) and, with a
  // chart (o.chart), a PNG download named after name. o.columns: {label,
  // num, value(row) → text or node}; the first column heads each row.
  function chartTools(box, name, o) {
    box.textContent = '';
    var bar = el('p', { 'class': 'chart-actions' });
    if (o.csv) bar.appendChild(el('a', { 'class': 'btn', href: o.csv, download: '', text: t('downloadCSV') }));
    if (o.chart) {
      var png = el('button', { type: 'button', 'class': 'btn', text: t('downloadPNG') });
      png.onclick = function () {
        var a = el('a', { href: o.chart.toBase64Image('image/png', 1), download: name + '.png' });
        document.body.appendChild(a); a.click(); a.remove();
      };
      bar.appendChild(png);
    }
    box.appendChild(bar);
    var head = el('tr', null, o.columns.map(function (c) { return el('th', { scope: 'col', 'class': c.num ? 'num' : null, text: c.label }); }));
    var rows = o.rows.map(function (r) {
      return el('tr', null, o.columns.map(function (c, i) {
        var v = c.value(r);
        var cell = el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, 'class': c.num ? 'num' : null });
        if (v && v.nodeType) cell.appendChild(v); else cell.textContent = v;
        return cell;
      }));
    });
    var table = el('table', { 'class': 'dir-table chart-table' }, [el('caption', { text: o.caption }), el('thead', null, [head]), el('tbody', null, rows)]);
    var wrap = el('div', { 'class': 'table-wrap' }, [table]);
    if (o.folded) {
      var d = el('details', null, [el('summary', { text: t('tableOf', { what: o.caption }) }), wrap]);
      box.appendChild(d);
    } else box.appendChild(wrap);
  }

  // fillYears returns stats groups keyed by year with every year between
  // the first and the last known one (zero when empty: zero is a figure),
  // the unknown year ("") kept last.
  function fillYears(groups, zero) {
    var known = groups.filter(function (g) { return g.key !== '' && g.key !== null && !isNaN(Number(g.key)); });
    var other = groups.filter(function (g) { return known.indexOf(g) < 0; });
    if (!known.length) return groups;
    var by = {}, lo = Infinity, hi = -Infinity;
    known.forEach(function (g) { var y = Number(g.key); by[y] = g; lo = Math.min(lo, y); hi = Math.max(hi, y); });
    var out = [];
    for (var y = lo; y <= hi; y++) out.push(by[y] || zero(String(y)));
    return out.concat(other);
  }
  // shortLabel fits an axis label in two lines of n characters at most,
  // cut at words, the rest elided (the tooltip and the table keep it whole).
  function shortLabel(s, n) {
    var words = String(s).split(' '), lines = [''];
    words.forEach(function (w) {
      var cur = lines[lines.length - 1];
      if (!cur) lines[lines.length - 1] = w;
      else if ((cur + ' ' + w).length <= n) lines[lines.length - 1] = cur + ' ' + w;
      else lines.push(w);
    });
    if (lines.length > 2) lines = [lines[0], lines.slice(1).join(' ')];
    return lines.map(function (l) { return l.length > n ? l.slice(0, n - 1) + '…' : l; });
  }

  // copyText puts text on the clipboard (a hidden textarea where the
  // Clipboard API is not allowed) and resolves to whether it worked.
  function copyText(text) {
    function fallback() {
      var ta = el('textarea', { style: 'position:fixed;left:-9999px' });
      var prev = document.activeElement;
      ta.value = text; (prev && prev.closest('dialog') || document.body).appendChild(ta); ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      ta.remove();
      if (prev && prev.focus) prev.focus();
      return ok;
    }
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallback(); });
    }
    return Promise.resolve(fallback());
  }

  window.AtlasCore = {
    THEMES: THEMES, TYPES: TYPES, KINDS: KINDS, PROVENANCES: PROVENANCES, SOURCES: SOURCES, provenanceText: provenanceText, PARTNER_COLOR: PARTNER_COLOR, GROUPED_COLOR: GROUPED_COLOR,
    LIST_FACETS: LIST_FACETS,
    t: t, fmt: fmt, label: label, setLang: function (l) { lang = l; }, getLang: function () { return lang; }, locale: locale,
    SORT_KEYS: SORT_KEYS, emptyFilters: emptyFilters, parseState: parseState, filterQuery: filterQuery, pageQuery: pageQuery,
    api: api, ApiError: ApiError, problemText: problemText, validate: validate, showMessage: showMessage,
    style: style, makeMap: makeMap, setAtlasFilters: setAtlasFilters, countRendered: countRendered,
    tilesURL: tilesURL, FEATURE_LAYERS: FEATURE_LAYERS, el: el, escapeHTML: escapeHTML,
    dataSources: dataSources, dataNotice: dataNotice, chartTools: chartTools, fillYears: fillYears, shortLabel: shortLabel, copyText: copyText
  };
  // siteFooter fills the pages' footer, the DSFR's: on the pages of text,
  // the « République française » block, the service's line and the four
  // State sites every footer links to; on every full page, the links every
  // State site carries and the content licence. The map pages (atlas,
  // country) keep only that bottom line, so that the map keeps the height.
  function siteFooter() {
    var links = [['/accessibilite', 'Accessibilité : non conforme'], ['/mentions-legales', 'Mentions légales'],
      ['/mentions-legales#donnees-personnelles', 'Données personnelles'], ['/plan-du-site', 'Plan du site'],
      ['/donnees', 'Données et sources'], ['/ogc', 'API ouverte (OGC)']];
    var gouv = [['https://www.info.gouv.fr', 'info.gouv.fr'], ['https://www.service-public.fr', 'service-public.fr'],
      ['https://www.legifrance.gouv.fr', 'legifrance.gouv.fr'], ['https://www.data.gouv.fr', 'data.gouv.fr']];
    var mode = document.body.getAttribute('data-mode');
    var compact = mode === 'atlas' || mode === 'country';
    document.querySelectorAll('[data-site-footer]').forEach(function (f) {
      f.textContent = '';
      f.className = 'fr-footer site-footer' + (compact ? ' site-footer-compact' : '');
      f.id = 'footer';
      var kids = [];
      if (!compact) {
        kids.push(el('div', { 'class': 'fr-footer__body' }, [
          el('div', { 'class': 'fr-footer__brand' }, [el('a', { href: '/', title: 'Accueil — Atlas français de la coopération décentralisée' },
            [el('p', { 'class': 'fr-logo' }, ['République', el('br'), 'française'])])]),
          el('div', { 'class': 'fr-footer__content' }, [
            el('p', { 'class': 'fr-footer__content-desc', text: 'Atlas français de la coopération décentralisée, publié par la délégation pour l\u2019action extérieure ' +
              'des collectivités territoriales du ministère de l\u2019Europe et des Affaires étrangères.' }),
            el('ul', { 'class': 'fr-footer__content-list' }, gouv.map(function (g) {
              return el('li', { 'class': 'fr-footer__content-item' }, [el('a', { 'class': 'fr-footer__content-link', href: g[0], rel: 'noopener', text: g[1] })]);
            }))])]));
      }
      kids.push(el('div', { 'class': 'fr-footer__bottom' }, [
        el('ul', { 'class': 'fr-footer__bottom-list' }, links.map(function (l) {
          return el('li', { 'class': 'fr-footer__bottom-item' }, [el('a', { 'class': 'fr-footer__bottom-link', href: l[0], lang: 'fr', text: l[1] })]);
        })),
        compact ? null : el('div', { 'class': 'fr-footer__bottom-copy' }, [el('p', { text: 'Sauf mention contraire, les textes de ce site sont sous licence etalab-2.0 ; ' +
          'les données, sous les licences de leurs sources (voir « Données et sources »).' })])]));
      f.appendChild(el('div', { 'class': 'fr-container' }, kids));
    });
  }
  siteFooter();
  // The page's scripts have set the language by the time the answer comes.
  dataNotice();
})();
