/* Atlas — the money side: the "Aide publique au développement" view (/apd)
 * and the calls for projects (/appels). Every chart and map has its table,
 * its CSV (the server's French CSV of the same selection) and, for charts,
 * a PNG download. */
(function () {
  'use strict';
  var C = window.AtlasCore;
  var page = document.body.getAttribute('data-money');
  var msgs = document.getElementById('messages');
  var BLUES = ['#e3e3fd', '#b1b1f9', '#8585f6', '#5757d9', '#000091']; // bleu France, lightened
  var REFUGEES = '#c9191e', OTHER = '#000091';

  function eur(n) {
    var f = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: n >= 1e6 ? 1 : 0 });
    if (Math.abs(n) >= 1e6) return f.format(n / 1e6) + '\u00a0M€';
    if (Math.abs(n) >= 1e3) return f.format(Math.round(n / 1e3)) + '\u00a0k€';
    return f.format(n) + '\u00a0€';
  }
  function eurExact(n) { return new Intl.NumberFormat('fr-FR').format(n) + '\u00a0€'; }
  function pct(x) { return new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 }).format(x); }
  function $(id) { return document.getElementById(id); }
  function fail(err) { C.showMessage(msgs, C.problemText(err)); }

  function tools(name, o) {
    var box = document.querySelector('.chart-tools[data-for="' + name + '"]');
    if (box) C.chartTools(box, name, o);
  }

  // ---- the APD view ------------------------------------------------------------------------
  var FILTERS = ['since', 'until', 'country', 'theme', 'type', 'channel'];
  var CHANNELS = [['direct', 'Coopération directe'], ['association', 'Par une association ou une ONG'],
    ['multilateral', 'Par un fonds ou une agence multilatérale'], ['collectivite', 'Par une autre collectivité ou un groupement']];
  var charts = {};

  function query() {
    var q = new URLSearchParams(location.search), out = new URLSearchParams();
    FILTERS.forEach(function (k) { if (q.get(k)) out.set(k, q.get(k)); });
    return out;
  }
  function withQuery(path, extra) {
    var q = query();
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    var s = q.toString();
    return path + (s ? '?' + s : '');
  }
  function fillSelect(id, options, value) {
    var s = $(id);
    options.forEach(function (o) { s.appendChild(C.el('option', { value: o[0], text: o[1] })); });
    s.value = value || '';
  }

  function apdForm(years, countries) {
    var q = query();
    var ys = years.map(function (y) { return [String(y), String(y)]; });
    fillSelect('f-since', ys, q.get('since'));
    fillSelect('f-until', ys, q.get('until'));
    fillSelect('f-country', countries, q.get('country'));
    fillSelect('f-theme', C.THEMES.map(function (t) { return [t[0], t[1]]; }), q.get('theme'));
    fillSelect('f-type', C.TYPES.map(function (t) { return [t[0], t[1]]; }), q.get('type'));
    fillSelect('f-channel', CHANNELS, q.get('channel'));
    var form = $('money-filters');
    form.addEventListener('change', function () {
      var out = new URLSearchParams();
      FILTERS.forEach(function (k) { var v = form.elements[k].value; if (v) out.set(k, v); });
      history.replaceState(null, '', location.pathname + (out.toString() ? '?' + out : ''));
      drawAPD();
    });
    form.addEventListener('submit', function (e) { e.preventDefault(); });
  }

  function syntheticNotice(total) {
    var n = $('money-notice');
    if (!total || !total.amount_eur) { n.hidden = true; return; }
    var share = total.synthetic_eur / total.amount_eur;
    n.hidden = share === 0;
    n.textContent = share >= 0.995 ? 'Tous ces montants sont synthétiques : ils sont générés pour atteindre les totaux annuels publiés et ne décrivent l\u2019aide d\u2019aucune collectivité réelle.'
      : pct(share) + ' de ces montants sont synthétiques (générés pour atteindre les totaux annuels publiés) ; le reste vient des déclarations des collectivités.';
  }

  function drawAPD() {
    var q = query();
    var link = $('to-map');
    var mq = new URLSearchParams();
    ['country', 'theme', 'type'].forEach(function (k) { if (q.get(k)) mq.set(k, q.get(k)); });
    link.href = '/' + (mq.toString() ? '?' + mq : '');
    return Promise.all(['year', 'country', 'sector', 'authority'].map(function (by) {
      return C.api(withQuery('/api/apd', { by: by }));
    })).then(function (r) {
      var byYear = r[0], byCountry = r[1], bySector = r[2], byAuth = r[3];
      syntheticNotice(byYear.total);
      summary(byYear, byCountry, bySector);
      yearChart(byYear);
      countryMap(byCountry);
      sectorChart(bySector);
      authorityTable(byAuth);
      window.atlasMoneyReady = true;
    }).catch(fail);
  }

  function summary(byYear, byCountry, bySector) {
    var t = byYear.total || {}, g = byYear.groups || [];
    var el = $('apd-summary');
    if (!t.amount_eur) { el.textContent = 'Aucune aide déclarée pour cette sélection.'; return; }
    var first = g.length ? g[0].key : '', last = g.length ? g[g.length - 1].key : '';
    var top = (byCountry.groups || []).filter(function (x) { return x.key !== 'multi'; })[0];
    var sec = (bySector.groups || [])[0];
    el.textContent = (first === last ? 'En ' + first : 'De ' + first + ' à ' + last) + ', ' + C.fmt(t.authorities) +
      ' collectivités ont déclaré ' + eur(t.amount_eur) + ' d\u2019aide publique au développement' +
      (t.refugees_eur ? ', dont ' + eur(t.refugees_eur) + ' pour l\u2019accueil des réfugiés en France' : '') + '.' +
      (top ? ' Premier pays bénéficiaire : ' + top.label + ' (' + eur(top.amount_eur) + ').' : '') +
      (sec ? ' Premier secteur : ' + sec.label + ' (' + eur(sec.amount_eur) + ').' : '');
  }

  function chart(id, cfg) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), cfg);
    return charts[id];
  }
  function meurTicks(v) { return new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(v / 1e6) + ' M€'; }

  function yearChart(s) {
    var g = s.groups || [];
    var labels = g.map(function (x) { return x.label || String(x.key); });
    var canvas = $('chart-year');
    canvas.setAttribute('aria-label', 'APD par année, en euros : ' + g.map(function (x) { return x.key + ' ' + eur(x.amount_eur); }).join(', '));
    var ch = chart('chart-year', {
      type: 'bar',
      data: { labels: labels, datasets: [
        { label: 'Hors réfugiés', data: g.map(function (x) { return x.amount_eur - x.refugees_eur; }), backgroundColor: OTHER },
        { label: 'Réfugiés en France', data: g.map(function (x) { return x.refugees_eur; }), backgroundColor: REFUGEES }] },
      options: { locale: 'fr-FR', animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { title: { display: true, text: 'APD déclarée par année (M€)' },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ' : ' + eur(c.raw); } } } },
        scales: { x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } }, y: { stacked: true, beginAtZero: true, ticks: { callback: meurTicks } } } }
    });
    tools('year', { caption: 'APD par année', chart: ch, csv: withQuery('/api/apd', { by: 'year', format: 'csv', lang: 'fr' }), folded: true,
      rows: g, columns: [
        { label: 'Année', value: function (x) { return String(x.key); } },
        { label: 'Montant', num: true, value: function (x) { return eur(x.amount_eur); } },
        { label: 'dont réfugiés', num: true, value: function (x) { return eur(x.refugees_eur); } },
        { label: 'Collectivités', num: true, value: function (x) { return C.fmt(x.authorities); } },
        { label: 'Lignes', num: true, value: function (x) { return C.fmt(x.lines); } }] });
  }

  function sectorChart(s) {
    var g = (s.groups || []).slice(0, 12);
    var canvas = $('chart-sector');
    canvas.setAttribute('aria-label', 'APD par secteur : ' + g.map(function (x) { return x.label + ' ' + eur(x.amount_eur); }).join(', '));
    var ch = chart('chart-sector', {
      type: 'bar',
      data: { labels: g.map(function (x) { return x.label; }), datasets: [{ label: 'APD', data: g.map(function (x) { return x.amount_eur; }), backgroundColor: OTHER }] },
      options: { locale: 'fr-FR', animation: false, responsive: true, maintainAspectRatio: false, indexAxis: 'y',
        plugins: { legend: { display: false }, title: { display: true, text: 'Les 12 premiers secteurs (M€)' },
          tooltip: { callbacks: { label: function (c) { return eur(c.raw); } } } },
        scales: { x: { beginAtZero: true, ticks: { callback: meurTicks } }, y: { ticks: { autoSkip: false,
          callback: function (v) { var l = this.getLabelForValue(v); return l.length > 38 ? l.slice(0, 36) + '…' : l; } } } } }
    });
    tools('sector', { caption: 'APD par secteur du CAD', chart: ch, csv: withQuery('/api/apd', { by: 'sector', format: 'csv', lang: 'fr' }), folded: true,
      rows: s.groups || [], columns: [
        { label: 'Secteur', value: function (x) { return x.label; } },
        { label: 'Code', value: function (x) { return String(x.key); } },
        { label: 'Montant', num: true, value: function (x) { return eur(x.amount_eur); } },
        { label: 'Collectivités', num: true, value: function (x) { return C.fmt(x.authorities); } }] });
  }

  function authorityTable(s) {
    var g = (s.groups || []).slice(0, 25);
    tools('authority', { caption: 'Les 25 collectivités qui déclarent le plus', csv: withQuery('/api/apd', { by: 'authority', format: 'csv', lang: 'fr' }),
      rows: g, columns: [
        { label: 'Collectivité', value: function (x) { return C.el('a', { href: '/collectivites/' + encodeURIComponent(x.key), text: x.label }); } },
        { label: 'Montant', num: true, value: function (x) { return eur(x.amount_eur); } },
        { label: 'Lignes', num: true, value: function (x) { return C.fmt(x.lines); } }] });
  }

  // classes: the quintiles of the countries that receive aid, each rounded
  // to the nearest number of the 1-2-5 series, without repeats.
  function classes(values) {
    var v = values.filter(function (x) { return x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [];
    var out = [];
    [0.2, 0.4, 0.6, 0.8].forEach(function (q) {
      var x = v[Math.min(v.length - 1, Math.floor(q * v.length))];
      var p = Math.pow(10, Math.floor(Math.log10(x))), m = x / p;
      var r = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
      if (out.indexOf(r) < 0 && r > 0) out.push(r);
    });
    return out;
  }
  function classOf(bounds, x) {
    var i = 0;
    while (i < bounds.length && x >= bounds[i]) i++;
    return i;
  }

  var apdMap = null;
  function moneyMap(container) {
    return C.makeMap(container, { filters: C.emptyFilters(), view: { zoom: 0.9, lat: 15, lon: 15 } }, { onError: fail, baseOnly: true });
  }
  function whenStyled(map, fn) { if (map.isStyleLoaded()) fn(); else map.once('load', fn); }
  // paintCountries colours each country of pairs ([iso2, value]) by its
  // class; the darkest colour is always the top class.
  function paintCountries(map, pairs, bounds) {
    var off = BLUES.length - 1 - bounds.length;
    var expr = ['match', ['get', 'iso2']];
    pairs.forEach(function (p) { expr.push(p[0], BLUES[classOf(bounds, p[1]) + off]); });
    expr.push(['case', ['==', ['get', 'iso2'], 'FR'], '#f6f1e4', '#efece5']);
    whenStyled(map, function () {
      map.setPaintProperty('countries-fill', 'fill-color', pairs.length ? expr : ['case', ['==', ['get', 'iso2'], 'FR'], '#f6f1e4', '#efece5']);
      map.once('idle', function () { map.getContainer().setAttribute('data-painted', String(pairs.length)); });
    });
  }
  function legend(box, bounds, unit) {
    box.textContent = '';
    var items = [];
    var off = BLUES.length - 1 - bounds.length;
    for (var i = 0; i <= bounds.length; i++) {
      var lo = i === 0 ? null : bounds[i - 1], hi = i < bounds.length ? bounds[i] : null;
      var text = lo === null ? 'moins de ' + unit(hi) : hi === null ? unit(lo) + ' et plus' : 'de ' + unit(lo) + ' à ' + unit(hi);
      items.push(C.el('li', null, [C.el('span', { 'class': 'sw', style: 'background:' + BLUES[i + off], 'aria-hidden': 'true' }), text]));
    }
    box.appendChild(C.el('ul', { 'class': 'legend-list', 'aria-label': 'Légende' }, items));
  }

  // countLegend is legend for whole counts from 1: "1 lauréat", "2 à 4
  // lauréats", "5 lauréats et plus".
  function countLegend(box, bounds, one, many) {
    box.textContent = '';
    var off = BLUES.length - 1 - bounds.length, items = [], lo = 1;
    for (var i = 0; i <= bounds.length; i++) {
      var hi = i < bounds.length ? bounds[i] - 1 : null;
      var text = hi === null ? C.fmt(lo) + ' ' + (lo > 1 ? many : one) + ' et plus' : lo === hi ? C.fmt(lo) + ' ' + (lo > 1 ? many : one) : C.fmt(lo) + ' à ' + C.fmt(hi) + ' ' + many;
      items.push(C.el('li', null, [C.el('span', { 'class': 'sw', style: 'background:' + BLUES[i + off], 'aria-hidden': 'true' }), text]));
      lo = hi + 1;
    }
    box.appendChild(C.el('ul', { 'class': 'legend-list', 'aria-label': 'Légende' }, items));
  }

  function countryMap(s) {
    var g = (s.groups || []).filter(function (x) { return x.key !== 'multi' && x.amount_eur > 0; });
    var bounds = classes(g.map(function (x) { return x.amount_eur; }));
    if (!apdMap) window.atlasMap = apdMap = moneyMap($('apd-map'));
    paintCountries(apdMap, g.map(function (x) { return [x.key, x.amount_eur]; }), bounds);
    legend($('apd-legend'), bounds, eur);
    tools('country', { caption: 'APD reçue par pays', csv: withQuery('/api/apd', { by: 'country', format: 'csv', lang: 'fr' }), folded: true,
      rows: s.groups || [], columns: [
        { label: 'Pays', value: function (x) { return x.key === 'multi' ? x.label : C.el('a', { href: '/qui-coopere/' + x.key, text: x.label }); } },
        { label: 'Montant', num: true, value: function (x) { return eur(x.amount_eur); } },
        { label: 'Collectivités', num: true, value: function (x) { return C.fmt(x.authorities); } },
        { label: 'Lignes', num: true, value: function (x) { return C.fmt(x.lines); } }] });
  }

  function startAPD() {
    Promise.all([C.api('/api/apd?by=year'), C.api('/api/facets')]).then(function (r) {
      var years = (r[0].groups || []).map(function (g) { return Number(g.key); });
      var countries = ((r[1] && r[1].countries) || []).filter(function (c) { return c.iso2 !== 'FR'; })
        .map(function (c) { return [c.iso2, c.name_fr || c.name || c.iso2]; })
        .sort(function (a, b) { return a[1].localeCompare(b[1], 'fr'); });
      apdForm(years, countries);
      return drawAPD();
    }).catch(fail);
  }

  // ---- the calls for projects ---------------------------------------------------------------
  var KINDS = { triennal: 'Triennal', annuel: 'Annuel', bilateral: 'Bilatéral', thematique: 'Thématique' };
  function day(s) { return s ? new Date(s + 'T12:00:00Z').toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' }) : ''; }

  function startCalls() {
    C.api('/api/calls').then(function (r) {
      var calls = r.calls || [];
      var laur = 0, granted = 0;
      calls.forEach(function (c) { laur += c.counts.laureates; granted += c.counts.granted_eur; });
      $('calls-summary').textContent = C.fmt(calls.length) + ' appels à projets, ' + C.fmt(laur) + ' projets lauréats, ' + eur(granted) + ' de cofinancements accordés.';
      var synth = calls.filter(function (c) { return c.provenance === 'synthetic'; }).length;
      var n = $('money-notice');
      n.hidden = synth === 0;
      n.textContent = 'Ces appels reprennent les chiffres publiés (nombre de lauréats, jeunes partis, montants) ; leurs dossiers et lauréats sont synthétiques : ils ne désignent aucun projet réel.';
      tools('calls', { caption: 'Les appels à projets', csv: '/api/calls?format=csv&lang=fr', rows: calls, columns: [
        { label: 'Appel', value: function (c) { var a = C.el('a', { href: '/appels?id=' + encodeURIComponent(c.id), text: c.title }); a.onclick = function (e) { e.preventDefault(); showCall(c.id, true); }; return a; } },
        { label: 'Type', value: function (c) { return KINDS[c.kind] || c.kind; } },
        { label: 'Ouverture', value: function (c) { return day(c.opens); } },
        { label: 'Clôture', value: function (c) { return day(c.closes); } },
        { label: 'Dossiers', num: true, value: function (c) { return C.fmt(c.counts.applications); } },
        { label: 'Lauréats', num: true, value: function (c) { return C.fmt(c.counts.laureates); } },
        { label: 'Jeunes partis', num: true, value: function (c) { return c.counts.participants ? C.fmt(c.counts.participants) : ''; } },
        { label: 'Accordé', num: true, value: function (c) { return eur(c.counts.granted_eur); } },
        { label: 'État', value: function (c) { return c.status === 'open' ? 'Ouvert' : c.status === 'upcoming' ? 'À venir' : 'Clos'; } }] });
      var id = new URLSearchParams(location.search).get('id');
      if (id) return showCall(id, false);
      window.atlasMoneyReady = true;
    }).catch(fail);
  }

  var callsMap = null;
  function showCall(id, focus) {
    history.replaceState(null, '', '/appels?id=' + encodeURIComponent(id));
    return C.api('/api/calls/' + encodeURIComponent(id)).then(function (c) {
      var box = $('call-detail');
      box.hidden = false;
      $('h-call').textContent = c.title;
      var laureates = Array.isArray(c.laureates) ? c.laureates : [];
      var young = laureates.reduce(function (s, l) { return s + (l.participants || 0); }, 0);
      $('call-facts').textContent = (KINDS[c.kind] || c.kind) + ' · du ' + day(c.opens) + ' au ' + day(c.closes) +
        (c.budget_eur ? ' · enveloppe ' + eur(c.budget_eur) : '') + ' · ' + C.fmt(laureates.length) + ' lauréats' +
        (young ? ', ' + C.fmt(young) + ' jeunes partis à l\u2019étranger' : '') + '.';
      var byCountry = {};
      laureates.forEach(function (l) { if (l.country) byCountry[l.country] = (byCountry[l.country] || 0) + 1; });
      var pairs = Object.keys(byCountry).map(function (k) { return [k, byCountry[k]]; });
      // Counts are whole: the classes start at 1 laureate.
      var bounds = classes(pairs.map(function (p) { return p[1]; })).filter(function (b) { return b > 1; });
      if (!callsMap) window.atlasMap = callsMap = moneyMap($('calls-map'));
      paintCountries(callsMap, pairs, bounds);
      countLegend($('calls-legend'), bounds, 'lauréat', 'lauréats');
      tools('laureates', { caption: 'Lauréats de l\u2019appel', csv: '/api/calls/' + encodeURIComponent(c.id) + '/applications?format=csv&lang=fr', rows: laureates, columns: [
        { label: 'Collectivité', value: function (l) { return C.el('a', { href: '/collectivites/' + encodeURIComponent(l.authority_id), text: l.authority_name || l.authority_id }); } },
        { label: 'Projet', value: function (l) { return l.title; } },
        { label: 'Pays', value: function (l) { return l.country_name || l.country; } },
        { label: 'Demandé', num: true, value: function (l) { return eur(l.requested_eur); } },
        { label: 'Accordé', num: true, value: function (l) { return eur(l.granted_eur); } },
        { label: 'Jeunes', num: true, value: function (l) { return l.participants ? C.fmt(l.participants) : ''; } }] });
      if (focus) $('h-call').focus();
      window.atlasMoneyReady = true;
    }).catch(fail);
  }

  // ---- the extranet's session ---------------------------------------------------------------
  // The token is typed once into the sign-in form and sent to POST
  // /api/session; the page keeps nothing of it: the browser holds the
  // session's HttpOnly cookie, the page only the session's CSRF token, sent
  // with every write. onSession gets the session (or null when signed out).
  function extranet(onSession) {
    var box = $('signin');
    box.appendChild(C.el('h2', { 'class': 'h', id: 'h-signin', text: 'Connexion à l\u2019extranet' }));
    box.appendChild(C.el('form', { id: 'signin-form', 'class': 'money-filters', 'aria-labelledby': 'h-signin', hidden: '' }, [
      C.el('label', null, ['Jeton d\u2019accès de la collectivité ',
        C.el('input', { type: 'password', id: 'signin-token', name: 'token', required: '', autocomplete: 'off', 'aria-describedby': 'signin-help' })]),
      C.el('button', { type: 'submit', 'class': 'btn btn-primary', text: 'Se connecter' }),
      C.el('p', { id: 'signin-help', 'class': 'hint', text: 'Le jeton, délivré par le ministère, n\u2019est envoyé qu\u2019une fois : la session dure 8 heures ' +
        'et ne garde pas le jeton dans la page.' })]));
    box.appendChild(C.el('p', { id: 'signin-who', 'class': 'summary', hidden: '' }, ['Connecté pour ', C.el('strong', { id: 'signin-name' }),
      ' jusqu\u2019au ', C.el('span', { id: 'signin-expires' }), '. ',
      C.el('button', { type: 'button', 'class': 'btn small', id: 'signout', text: 'Se déconnecter' })]));
    var form = $('signin-form'), who = $('signin-who'), csrf = '';
    function signedIn(s) {
      csrf = s.csrf_token || '';
      form.hidden = true;
      who.hidden = false;
      $('signin-name').textContent = s.authority_id ? (s.authority_name || s.authority_id) + ' (' + s.authority_id + ')' :
        s.ministry ? 'le ministère' : 'l\u2019administration de l\u2019atlas';
      $('signin-expires').textContent = new Date(s.expires).toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short' });
      onSession(s);
    }
    function signedOut(text) {
      csrf = '';
      form.hidden = false;
      who.hidden = true;
      onSession(null);
      if (text) C.showMessage(msgs, text, 'info');
    }
    function problem(r) {
      return r.json().catch(function () { return {}; }).then(function (p) { var e = new C.ApiError(r.status, p); e.body = p; throw e; });
    }
    fetch('/api/session', { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.ok ? r.json().then(signedIn) : signedOut();
    }).catch(function () { signedOut(); });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var input = $('signin-token'), token = input.value.trim();
      input.value = '';
      fetch('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ token: token }) })
        .then(function (r) { return r.ok ? r.json() : problem(r); })
        .then(function (s) { signedIn(s); C.showMessage(msgs, 'Connexion ouverte.', 'info'); })
        .catch(function (err) {
          C.showMessage(msgs, err.status === 401 ? 'Jeton inconnu ou révoqué : la connexion est refusée.' :
            err.status === 429 ? 'Trop de tentatives depuis cette adresse : réessayez dans une minute.' : C.problemText(err));
          input.focus();
        });
    });
    $('signout').addEventListener('click', function () {
      fetch('/api/session', { method: 'DELETE', headers: { 'X-CSRF-Token': csrf } }).then(function () {
        signedOut('Vous êtes déconnecté.');
        $('signin-token').focus();
      });
    });
    return {
      problem: problem,
      // send makes a request of the write API with the session.
      send: function (method, path, body, header) {
        var h = { Accept: 'application/json' };
        if (method !== 'GET') h['X-CSRF-Token'] = csrf;
        if (body !== undefined) h['Content-Type'] = 'application/json';
        Object.keys(header || {}).forEach(function (k) { h[k] = header[k]; });
        return fetch(path, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
          if (r.status === 401) signedOut('Session expirée ou fermée : reconnectez-vous.');
          return r;
        });
      },
      // failure is the sentence of a refused request.
      failure: function (err) {
        return err.status === 401 ? 'Session expirée ou fermée : reconnectez-vous.' :
          err.status === 403 ? 'Cette session ne permet pas d\u2019écrire pour cette collectivité.' :
            err.status === 409 ? (err.body && err.body.detail) || 'Conflit.' : C.problemText(err);
      }
    };
  }

  // receipt shows the acknowledgement of a write: what was recorded, when
  // (the server's Date), and its reference.
  function receipt(box, title, lines, reference, date) {
    box.textContent = '';
    box.appendChild(C.el('h2', { 'class': 'h', text: title }));
    var when = date ? new Date(date) : new Date();
    box.appendChild(C.el('ul', null, lines.concat(['Enregistrée le ' + when.toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short' })])
      .map(function (l) { return C.el('li', { text: l }); })));
    box.appendChild(C.el('p', null, [C.el('strong', { text: 'Référence : ' }), C.el('span', { 'class': 'receipt-ref', text: reference })]));
    box.hidden = false;
    box.focus();
  }

  // ---- the extranet: a collectivité declares its APD ------------------------------------------
  // Signed in (extranet), it opens a year; the API's field errors
  // ("lines[2].sector") are put next to the fields they name and listed
  // above the table; a recorded declaration gets its receipt.
  function startDeclare() {
    var who = $('declare-who'), form = $('declare-lines'), rows = $('d-rows');
    var sectors = [], countries = [], current = null;
    var session = extranet(function (s) {
      who.hidden = !s;
      if (!s) { form.hidden = true; $('d-receipt').hidden = true; say(''); return; }
      var a = $('d-authority');
      a.value = s.authority_id || a.value;
      a.readOnly = !!s.authority_id;
    });
    var thisYear = new Date().getFullYear();
    for (var y = thisYear; y >= 2000; y--) $('d-year').appendChild(C.el('option', { value: String(y), text: String(y) }));
    var ready = Promise.all([C.api('/api/apd/sectors'), C.api('/api/facets')]).then(function (r) {
      sectors = r[0].categories || [];
      var byCode = {};
      (r[0].sectors || []).forEach(function (x) { byCode[x.code] = x; });
      sectors = sectors.map(function (c) { return { name: c.code + ' — ' + c.name_fr, codes: c.sectors.map(function (k) { return byCode[k]; }).filter(Boolean) }; });
      countries = (r[1].countries || []).filter(function (c) { return c.iso2 !== 'FR'; })
        .map(function (c) { return [c.iso2, c.name_fr]; }).sort(function (a, b) { return a[1].localeCompare(b[1], 'fr'); });
    });
    function path() { return '/api/apd/' + encodeURIComponent($('d-authority').value.trim()) + '/' + $('d-year').value; }
    function say(text) { $('d-state').textContent = text; }

    function select(options, value, label) {
      var s = C.el('select', { 'aria-label': label });
      options.forEach(function (o) {
        if (o.codes) {
          var g = C.el('optgroup', { label: o.name });
          o.codes.forEach(function (x) { g.appendChild(C.el('option', { value: x.code, text: x.code + ' ' + x.name_fr })); });
          s.appendChild(g);
        } else s.appendChild(C.el('option', { value: o[0], text: o[1] }));
      });
      s.value = value || '';
      return s;
    }
    function addRow(l) {
      l = l || {};
      var n = rows.children.length + 1;
      var tr = C.el('tr');
      var amount = C.el('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric', 'aria-label': 'Montant de la ligne ' + n + ' en euros', value: l.amount_eur ? String(l.amount_eur) : '' });
      var country = select([['multi', 'Multi-pays ou non affecté']].concat(countries), l.country || (l.amount_eur ? 'multi' : ''), 'Pays bénéficiaire de la ligne ' + n);
      if (!l.amount_eur) { country.insertBefore(C.el('option', { value: '', text: '— choisir —' }), country.firstChild); country.value = ''; }
      var sector = select(sectors, l.sector, 'Secteur de la ligne ' + n);
      if (!l.sector) { sector.insertBefore(C.el('option', { value: '', text: '— choisir —' }), sector.firstChild); sector.value = ''; }
      var channel = select(CHANNELS, l.channel || 'direct', 'Canal de la ligne ' + n);
      var refugees = C.el('input', { type: 'checkbox', 'aria-label': 'Ligne ' + n + ' : aide aux réfugiés en France' });
      refugees.checked = !!l.refugees;
      var remove = C.el('button', { type: 'button', 'class': 'btn small', text: 'Retirer', 'aria-label': 'Retirer la ligne ' + n });
      remove.onclick = function () { tr.remove(); renumber(); total(); };
      [['amount_eur', amount], ['country', country], ['sector', sector], ['channel', channel], ['refugees', refugees]].forEach(function (f) {
        f[1].setAttribute('data-field', f[0]);
        f[1].addEventListener('change', total);
      });
      tr.appendChild(C.el('th', { scope: 'row', text: String(n) }));
      [amount, country, sector, channel, refugees, remove].forEach(function (x) { tr.appendChild(C.el('td', null, [x])); });
      rows.appendChild(tr);
      return tr;
    }
    function renumber() { Array.prototype.forEach.call(rows.children, function (tr, i) { tr.cells[0].textContent = String(i + 1); }); }
    function lines() {
      return Array.prototype.map.call(rows.children, function (tr) {
        var v = function (f) { return tr.querySelector('[data-field=' + f + ']'); };
        return { amount_eur: Math.round(Number(v('amount_eur').value) || 0), country: v('country').value, sector: v('sector').value,
          channel: v('channel').value, refugees: v('refugees').checked };
      });
    }
    function total() { $('d-total').textContent = 'Total : ' + eur(lines().reduce(function (s, l) { return s + l.amount_eur; }, 0)); }
    function clearErrors() {
      $('d-errors').hidden = true; $('d-errors').textContent = '';
      rows.querySelectorAll('[aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); x.removeAttribute('aria-describedby'); });
      rows.querySelectorAll('.field-error').forEach(function (x) { x.remove(); });
    }
    function showErrors(errs) {
      var box = $('d-errors'), ul = C.el('ul');
      errs.forEach(function (e, k) {
        var m = /^lines\[(\d+)\]\.(\w+)$/.exec(e.field), text = e.reason;
        if (m && rows.children[+m[1]]) {
          var field = rows.children[+m[1]].querySelector('[data-field=' + m[2] + ']');
          var id = 'err-' + k;
          text = 'Ligne ' + (+m[1] + 1) + ', ' + ({ amount_eur: 'montant', country: 'pays', sector: 'secteur', channel: 'canal', refugees: 'réfugiés' }[m[2]] || m[2]) + ' : ' + e.reason;
          if (field) {
            field.setAttribute('aria-invalid', 'true');
            field.setAttribute('aria-describedby', id);
            field.parentNode.appendChild(C.el('p', { 'class': 'field-error', id: id, text: e.reason }));
          }
        }
        ul.appendChild(C.el('li', { text: text }));
      });
      box.textContent = '';
      box.appendChild(C.el('p', { text: errs.length + (errs.length > 1 ? ' erreurs empêchent' : ' erreur empêche') + ' l\u2019enregistrement ; rien n\u2019a été enregistré :' }));
      box.appendChild(ul);
      box.hidden = false;
      box.focus();
    }
    function show(d) {
      current = d;
      rows.textContent = '';
      clearErrors();
      (d && d.lines && d.lines.length ? d.lines : [null]).forEach(function (l) { addRow(l || undefined); });
      total();
      form.hidden = false;
      var declared = d && d.status !== 'draft';
      $('d-draft').hidden = !!declared;
      $('d-declare').textContent = declared ? 'Rectifier la déclaration' : 'Déclarer';
      say(!d ? 'Aucune déclaration pour ' + $('d-year').value + ' : saisissez ses lignes.' :
        'Déclaration ' + d.year + ' : ' + ({ draft: 'brouillon', declared: 'déclarée', amended: 'rectifiée' }[d.status] || d.status) +
        ', version ' + d.version + ', ' + eur(d.total_eur || 0) + '.');
      var v = $('d-versions');
      v.textContent = '';
      var prev = (d && d.previous_versions) || [];
      if (prev.length) {
        v.appendChild(C.el('h3', { 'class': 'h', text: 'Versions précédentes' }));
        v.appendChild(C.el('ul', null, prev.map(function (p) { return C.el('li', { text: 'Version ' + p.version + ' : ' + eur(p.total_eur || 0) + ', ' + p.lines.length + ' ligne' + (p.lines.length > 1 ? 's' : '') }); })));
      }
    }
    function failed(err) {
      if (err.body && err.body.errors) { showErrors(err.body.errors); return; }
      var text = session.failure(err);
      say(text);
      C.showMessage(msgs, text);
    }
    function load() {
      return ready.then(function () { return session.send('GET', path()); }).then(function (r) {
        if (r.status === 404) return null;
        return r.ok ? r.json() : session.problem(r);
      }).then(show).catch(failed);
    }
    who.addEventListener('submit', function (e) { e.preventDefault(); $('d-receipt').hidden = true; load(); });
    $('d-add').addEventListener('click', function () { var tr = addRow(); tr.querySelector('input').focus(); total(); });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearErrors();
      var status = e.submitter && e.submitter.value === 'draft' ? 'draft' : 'declared';
      var date = '';
      session.send('PUT', path(), { status: status, lines: lines() }).then(function (r) {
        date = r.headers.get('Date');
        return r.ok ? r.json() : session.problem(r);
      }).then(function (d) {
        return load().then(function () {
          var n = d.lines.length, label = { draft: 'brouillon', declared: 'déclarée', amended: 'rectifiée' }[d.status] || d.status;
          receipt($('d-receipt'), d.status === 'draft' ? 'Brouillon enregistré' : 'Accusé de réception de la déclaration',
            ['Collectivité : ' + $('signin-name').textContent, 'Année ' + d.year + ', ' + label + ', version ' + d.version,
              n + ' ligne' + (n > 1 ? 's' : '') + ', ' + eurExact(d.total_eur)],
            'APD-' + d.authority_id + '-' + d.year + '-v' + d.version, date);
          window.atlasDeclared = (window.atlasDeclared || 0) + 1;
        });
      }).catch(failed);
    });
    ready.then(function () { window.atlasMoneyReady = true; });
  }

  // ---- the extranet: a collectivité applies to an open call ------------------------------------
  // Signed in, it picks an open call, one of its projects or a new one,
  // the co-financing it asks; the deposit carries an Idempotency-Key (a
  // repeated click creates one application) and gets its receipt. Below,
  // its applications to every call (all of them for the ministry).
  function startApply() {
    var form = $('apply-form'), calls = [], projects = [], countries = [], me = null;
    var STATUS = { deposee: 'Déposée', recevable: 'Recevable', laureat: 'Lauréate', refusee: 'Refusée' };
    var ready = Promise.all([C.api('/api/calls', true), C.api('/api/facets')]).then(function (r) {
      calls = r[0].calls || [];
      countries = (r[1].countries || []).filter(function (c) { return c.iso2 !== 'FR'; })
        .map(function (c) { return [c.iso2, c.name_fr]; }).sort(function (a, b) { return a[1].localeCompare(b[1], 'fr'); });
      var open = calls.filter(function (c) { return c.status === 'open'; });
      var sel = $('a-call');
      sel.textContent = '';
      open.forEach(function (c) { sel.appendChild(C.el('option', { value: c.id, text: c.title + ' (jusqu\u2019au ' + frDate(c.closes) + ')' })); });
      if (!open.length) sel.appendChild(C.el('option', { value: '', text: 'Aucun appel ouvert aujourd\u2019hui' }));
      callInfo();
    });
    function frDate(d) { return new Date(d + 'T12:00:00').toLocaleDateString('fr-FR', { dateStyle: 'long' }); }
    function callOf(id) { return calls.filter(function (c) { return c.id === id; })[0]; }
    function callInfo() {
      var c = callOf($('a-call').value);
      $('a-call-info').textContent = c ? c.kind_label + ' · ouvert du ' + frDate(c.opens) + ' au ' + frDate(c.closes) +
        ' · budget ' + eur(c.budget_eur) + ' · ' + c.counts.applications + ' candidature' + (c.counts.applications > 1 ? 's' : '') + ' déjà déposée' + (c.counts.applications > 1 ? 's' : '') : '';
      $('a-submit').disabled = !c;
    }
    function kind() {
      var existing = $('a-kind-existing').checked;
      $('a-project-p').hidden = !existing;
      $('a-title-p').hidden = existing;
      $('a-country-p').hidden = existing;
    }
    var session = extranet(function (s) {
      me = s;
      $('apply-area').hidden = !s;
      $('a-receipt').hidden = true;
      if (!s) return;
      var collectivite = !!s.authority_id;
      form.hidden = !collectivite;
      $('a-ministry').hidden = collectivite;
      $('a-mine-caption').textContent = collectivite ? 'Candidatures de ' + (s.authority_name || s.authority_id) : 'Candidatures à l\u2019appel choisi, et décisions du ministère';
      ready.then(function () {
        if (collectivite) return C.api('/api/authorities/' + encodeURIComponent(s.authority_id), true).then(fillProjects);
      }).then(mine).catch(fail);
    });
    function fillProjects(a) {
      var countryOf = {};
      (a.partnerships || []).forEach(function (p) { countryOf[p.id] = p.country_name; });
      projects = a.projects || [];
      var sel = $('a-project');
      sel.textContent = '';
      projects.forEach(function (p) { sel.appendChild(C.el('option', { value: p.id, text: p.title + (countryOf[p.partnership_id] ? ' — ' + countryOf[p.partnership_id] : '') })); });
      $('a-kind-existing').disabled = !projects.length;
      var c = $('a-country');
      if (!c.options.length) {
        c.appendChild(C.el('option', { value: '', text: '— choisir —' }));
        countries.forEach(function (x) { c.appendChild(C.el('option', { value: x[0], text: x[1] })); });
      }
    }
    // mine fills the table of applications: the collectivité's own to
    // every call; for the ministry, those of the call it picks, each with
    // its decision.
    function mine() {
      var deciding = !me.authority_id, pick = $('a-mine-call');
      pick.parentNode.hidden = !deciding;
      $('a-decision-col').hidden = !deciding;
      if (deciding && !pick.options.length) {
        calls.forEach(function (c) { pick.appendChild(C.el('option', { value: c.id, text: c.title })); });
        var open = calls.filter(function (c) { return c.status === 'open'; })[0];
        if (open) pick.value = open.id;
      }
      var list = deciding ? calls.filter(function (c) { return c.id === pick.value; }) : calls;
      return Promise.all(list.map(function (c) { return C.api('/api/calls/' + encodeURIComponent(c.id) + '/applications', true); })).then(function (r) {
        var rows = [];
        r.forEach(function (x, i) {
          (x.applications || []).forEach(function (a) {
            if (deciding || a.authority_id === me.authority_id) rows.push([list[i], a]);
          });
        });
        rows.sort(function (a, b) { return (b[1].deposited || '').localeCompare(a[1].deposited || '') || b[1].id.localeCompare(a[1].id); });
        var body = $('a-mine');
        body.textContent = '';
        rows.forEach(function (x) {
          var c = x[0], a = x[1];
          var tr = C.el('tr', null, [C.el('th', { scope: 'row', text: a.id }), C.el('td', null, [C.el('a', { href: '/appels?id=' + encodeURIComponent(c.id), text: c.title })]),
            C.el('td', { text: a.title + (deciding ? ' (' + a.authority_name + ')' : '') }), C.el('td', { text: a.country_name || a.country }), C.el('td', { 'class': 'num', text: eurExact(a.requested_eur) }),
            C.el('td', { 'class': 'num granted', text: a.granted_eur ? eurExact(a.granted_eur) : '—' }), C.el('td', { 'class': 'state', text: a.status_label || STATUS[a.status] || a.status }),
            C.el('td', { text: a.deposited ? frDate(a.deposited) : '' })]);
          if (deciding) tr.appendChild(C.el('td', null, [decision(c, a, tr)]));
          body.appendChild(tr);
        });
        $('a-mine-summary').textContent = rows.length ? rows.length + ' candidature' + (rows.length > 1 ? 's' : '') + ', dont ' +
          rows.filter(function (x) { return x[1].status === 'laureat'; }).length + ' lauréate(s).' : 'Aucune candidature pour l\u2019instant.';
        window.atlasApplicationsShown = rows.length;
      });
    }
    // decision is the ministry's form on application a: a status and, for
    // a laureate, the co-financing granted (PATCH, with the session).
    function decision(c, a, tr) {
      var status = C.el('select', { 'aria-label': 'Décision sur ' + a.id, 'data-field': 'status' },
        ['deposee', 'recevable', 'laureat', 'refusee'].map(function (k) { return C.el('option', { value: k, text: STATUS[k] }); }));
      status.value = a.status;
      var granted = C.el('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric', 'data-field': 'granted_eur',
        'aria-label': 'Cofinancement accordé à ' + a.id + ' (€)', value: a.granted_eur ? String(a.granted_eur) : '' });
      function shown() { granted.hidden = status.value !== 'laureat'; }
      status.addEventListener('change', shown);
      shown();
      var note = C.el('span', { 'class': 'field-error', role: 'status' });
      var save = C.el('button', { type: 'button', 'class': 'btn small', text: 'Enregistrer', 'aria-label': 'Enregistrer la décision sur ' + a.id });
      save.onclick = function () {
        note.textContent = '';
        var body = { status: status.value };
        if (status.value === 'laureat') body.granted_eur = Math.round(Number(granted.value) || 0);
        session.send('PATCH', '/api/calls/' + encodeURIComponent(c.id) + '/applications/' + encodeURIComponent(a.id), body).then(function (r) {
          return r.ok ? r.json() : session.problem(r);
        }).then(function (d) {
          tr.querySelector('.state').textContent = STATUS[d.status] || d.status;
          tr.querySelector('.granted').textContent = d.granted_eur ? eurExact(d.granted_eur) : '—';
          C.showMessage(msgs, 'Décision enregistrée : ' + d.id + ', ' + (STATUS[d.status] || d.status).toLowerCase() +
            (d.granted_eur ? ', ' + eurExact(d.granted_eur) + ' accordés' : '') + '.', 'info');
          window.atlasDecided = (window.atlasDecided || 0) + 1;
        }).catch(function (err) {
          var e = (err.body && err.body.errors) || [];
          note.textContent = e.length ? e.map(function (x) { return x.reason; }).join(' ; ') : session.failure(err);
        });
      };
      return C.el('span', { 'class': 'decision' }, [status, ' ', granted, ' ', save, ' ', note]);
    }
    $('a-mine-call').addEventListener('change', function () { mine().catch(fail); });
    function clearErrors() {
      $('a-errors').hidden = true;
      form.querySelectorAll('[aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); x.removeAttribute('aria-describedby'); });
      form.querySelectorAll('.field-error').forEach(function (x) { x.remove(); });
    }
    var NAMES = { project_id: 'projet', title: 'intitulé', country: 'pays', requested_eur: 'cofinancement demandé', participants: 'participants' };
    function failed(err) {
      var errs = (err.body && err.body.errors) || [];
      if (!errs.length) { C.showMessage(msgs, session.failure(err)); return; }
      var box = $('a-errors'), ul = C.el('ul');
      errs.forEach(function (e, k) {
        var field = form.querySelector('[data-field=' + e.field + ']'), id = 'a-err-' + k;
        if (field) {
          field.setAttribute('aria-invalid', 'true');
          field.setAttribute('aria-describedby', id);
          field.parentNode.appendChild(C.el('span', { 'class': 'field-error', id: id, text: e.reason }));
        }
        ul.appendChild(C.el('li', { text: (NAMES[e.field] || e.field) + ' : ' + e.reason }));
      });
      box.textContent = '';
      box.appendChild(C.el('p', { text: errs.length + (errs.length > 1 ? ' erreurs empêchent' : ' erreur empêche') + ' le dépôt ; rien n\u2019a été enregistré :' }));
      box.appendChild(ul);
      box.hidden = false;
      box.focus();
    }
    $('a-call').addEventListener('change', callInfo);
    $('a-kind-new').addEventListener('change', kind);
    $('a-kind-existing').addEventListener('change', kind);
    var key = null, keyBody = '';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearErrors();
      var existing = $('a-kind-existing').checked, body = {
        requested_eur: Math.round(Number($('a-amount').value) || 0),
        participants: Math.round(Number($('a-participants').value) || 0)
      };
      if (existing) body.project_id = $('a-project').value;
      else { body.title = $('a-title').value.trim(); body.country = $('a-country').value; }
      var callID = $('a-call').value, text = callID + JSON.stringify(body);
      // The same form sent again (a double click, a retry) keeps its key.
      if (text !== keyBody) { key = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()); keyBody = text; }
      var date = '';
      $('a-submit').disabled = true;
      session.send('POST', '/api/calls/' + encodeURIComponent(callID) + '/applications', body, { 'Idempotency-Key': key }).then(function (r) {
        date = r.headers.get('Date');
        return r.ok ? r.json() : session.problem(r);
      }).then(function (a) {
        var c = callOf(a.call_id);
        receipt($('a-receipt'), 'Accusé de réception de la candidature', ['Collectivité : ' + $('signin-name').textContent,
          'Appel : ' + (c ? c.title : a.call_id), 'Projet : ' + a.title, 'Cofinancement demandé : ' + eurExact(a.requested_eur),
          'État : ' + (STATUS[a.status] || a.status)], a.id, date);
        form.reset();
        kind();
        callInfo();
        key = null; keyBody = '';
        window.atlasApplied = (window.atlasApplied || 0) + 1;
        return mine();
      }).catch(failed).then(function () { $('a-submit').disabled = !callOf($('a-call').value); });
    });
    ready.then(function () { window.atlasMoneyReady = true; }).catch(fail);
  }

  if (page === 'apd') startAPD();
  if (page === 'calls') startCalls();
  if (page === 'declare') startDeclare();
  if (page === 'apply') startApply();
})();
