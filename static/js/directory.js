/* The directory pages: the fiche of a French collectivité (/collectivites/{id})
 * or of a foreign partner (/partenaires/{id}), "Qui coopère avec … ?"
 * (/qui-coopere/{country}) and the ministry's analyses (/analyses). Each page
 * reads its JSON from the directory API, shows it as tables (the text
 * alternative of the map), a small map pre-filtered like the atlas, and a
 * chart of start years; every list links on to the atlas and to a CSV. */
(function () {
  'use strict';
  var C = window.AtlasCore;
  var $ = function (id) { return document.getElementById(id); };
  var msgs = $('messages'), content = $('content');
  C.setLang('fr');

  var el = C.el;
  function link(href, text) { return el('a', { href: href, text: text }); }
  function themes(list) { return (list || []).map(function (s) { return C.label(C.THEMES, s); }).join(', ') || '—'; }
  function section(title, id, kids) {
    return el('section', { class: 'dir-section', 'aria-labelledby': id }, [el('h2', { class: 'h', id: id, text: title })].concat(kids));
  }
  // table builds an accessible table: a caption, column headers, rows of
  // cells (strings or nodes); the first cell of a row is its header.
  function table(caption, heads, rows) {
    var thead = el('thead', null, [el('tr', null, heads.map(function (h) { return el('th', { scope: 'col', text: h }); }))]);
    var tbody = el('tbody', null, rows.map(function (r) {
      return el('tr', null, r.map(function (c, i) {
        var cell = el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : null);
        if (c && c.nodeType) cell.appendChild(c); else cell.textContent = c === undefined || c === null || c === '' ? '—' : String(c);
        return cell;
      }));
    }));
    return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, [el('table', { class: 'dir-table' }, [el('caption', { text: caption }), thead, tbody])]);
  }
  function setTitle(text) {
    $('page-title').textContent = text;
    document.title = text + ' — Atlas français de la coopération décentralisée';
  }
  function provenance(counts) {
    var total = 0, synth = 0;
    (counts || []).forEach(function (c) { total += c.count; if (c.key === 'synthetic') synth = c.count; });
    if (!synth) return;
    var n = $('notice');
    n.hidden = false;
    n.textContent = C.fmt(synth) + ' des ' + C.fmt(total) + ' partenariats de cette page sont synthétiques (fictifs, générés pour compléter les données réelles) ; leurs projets aussi.';
  }
  // yearsChart draws the start years, every year from the first to the
  // last (years without a start as zero), integer ticks.
  function yearsChart(years, title) {
    var canvas = $('chart-years');
    if (!years || !years.length) { canvas.parentNode.hidden = true; return; }
    var by = {}, y0 = +years[0].key, y1 = +years[years.length - 1].key, labels = [], data = [];
    years.forEach(function (y) { by[y.key] = y.count; });
    for (var y = y0; y <= y1; y++) { labels.push(String(y)); data.push(by[y] || 0); }
    canvas.setAttribute('aria-label', title + ' : ' + years.map(function (y) { return y.key + ' ' + y.count; }).join(', '));
    new Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: 'Partenariats', data: data, backgroundColor: '#3a6ea5' }] },
      options: { locale: 'fr-FR', animation: false, responsive: true, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false }, title: { display: true, text: title } } }
    });
  }
  function yearsTitle(f) {
    var known = 0;
    f.years.forEach(function (y) { known += y.count; });
    return 'Partenariats par année de début (année connue pour ' + known + ' sur ' + f.partnerships.length + ')';
  }
  // smallMap shows the atlas filtered by f, fitted to the points.
  function smallMap(f, points, alt, noAtlas) {
    var st = C.parseState('');
    Object.keys(f).forEach(function (k) { st.filters[k] = f[k]; });
    var map = C.makeMap($('map'), st, { onError: function (e) { C.showMessage(msgs, C.problemText(e)); }, yearLabelsMinZoom: 3 });
    window.atlasMap = map;
    var b = null;
    points.forEach(function (p) { if (p) b = b ? b.extend(p) : new maplibregl.LngLatBounds(p, p); });
    if (b) map.fitBounds(b, { padding: 30, maxZoom: points.length > 1 ? 8 : 5, animate: false });
    $('map-alt').textContent = alt;
    if (noAtlas) {
      // The base map alone: the page draws its own layer.
      map.on('load', function () {
        map.getStyle().layers.forEach(function (l) { if (l.source === 'atlas') map.setLayoutProperty(l.id, 'visibility', 'none'); });
      });
    }
    return map;
  }
  function fail(err) {
    content.setAttribute('aria-busy', 'false');
    C.showMessage(msgs, C.problemText(err));
    setTitle(err.status === 404 ? 'Page introuvable' : 'Erreur');
    window.atlasDirectoryReady = 'error';
  }
  function done() {
    content.setAttribute('aria-busy', 'false');
    window.atlasDirectoryReady = true;
  }
  function atlasLinks(q, name) {
    return el('p', { class: 'dir-links' }, [link('/?' + q, 'Voir dans l\'atlas'), ' · ',
      link('/export/partnerships.csv?' + q + '&lang=fr&bom=true', 'Télécharger les partenariats (CSV)'), ' · ',
      link('/geojson/partnerships?' + q, 'GeoJSON'), name ? ' · ' : null, name || null]);
  }

  // contactBlock shows what the collectivité keeps on its fiche: its
  // presentation (as text: markup in it is shown, never run), its
  // international relations contact and its links. The logo is linked,
  // not loaded: the page fetches nothing from another site.
  function contactBlock(f) {
    if (!f.contact) return section('Contact relations internationales', 'h-contact', [el('p', { class: 'muted', text: f.contact_note })]);
    var c = f.contact, dl = el('dl', { class: 'contact' });
    function row(k, v) { if (v) { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', null, [v])); } }
    row('Service', c.service);
    row('Fonction', c.role);
    row('Courriel', c.email ? el('a', { href: 'mailto:' + c.email, text: c.email }) : null);
    row('Téléphone', c.phone);
    row('Site', /^https?:\/\//.test(c.website || '') ? el('a', { href: c.website, rel: 'noopener', text: c.website }) : null);
    row('Logo', /^https?:\/\//.test(f.logo_url || '') ? el('a', { href: f.logo_url, rel: 'noopener', text: 'sur le site de la collectivité' }) : null);
    row('Mise à jour', c.updated_at + ' (version ' + c.version + ')');
    var kids = [];
    if (f.presentation_fr) kids.push(el('p', { class: 'presentation', lang: 'fr', text: f.presentation_fr }));
    if (f.presentation_en) kids.push(el('p', { class: 'presentation', lang: 'en', text: f.presentation_en }));
    return section('Présentation et contact relations internationales', 'h-contact', kids.concat([dl]));
  }
  function neighboursBlock(f, french) {
    var title = french ? 'Collectivités voisines à l\'étranger' : 'Autres collectivités françaises à proximité';
    var note = (french ? 'Autres collectivités françaises dont un partenaire est à moins de 50 km d\'un partenaire de ' : 'Collectivités françaises dont un partenaire est à moins de 50 km de ') + f.name + ' : ' + C.fmt(f.neighbours_total) + (f.neighbours_total > f.neighbours.length ? ' (les ' + f.neighbours.length + ' plus proches)' : '') + '.';
    return section(title, 'h-neighbours', [el('p', { class: 'muted', text: note }), table(title, ['Collectivité', 'Type', 'Partenaires proches', 'Dont communs', 'Distance minimale', 'Pays'],
      f.neighbours.map(function (n) {
        return [link('/collectivites/' + encodeURIComponent(n.id), n.name), n.type_label, C.fmt(n.places), C.fmt(n.shared), C.fmt(n.nearest_km) + ' km', n.countries.join(', ')];
      }))]);
  }
  function projectsBlock(f) {
    return section('Projets', 'h-projects', [table('Projets', ['Projet', 'Avec', 'Thèmes', 'Début', 'Provenance'],
      f.projects.map(function (p) { return [p.title, p.other, themes(p.themes), p.start_year || '', p.provenance === 'synthetic' ? 'synthétique' : 'réelle']; }))]);
  }

  // apdBlock is the APD the collectivité declared (declared lines only):
  // by year, and its first beneficiary countries, with the French CSV and
  // a link to the APD view; filled once /api/apd answers.
  function apdBlock(f) {
    var q = 'authority=' + encodeURIComponent(f.id);
    var box = section('Aide publique au développement déclarée', 'h-apd', [el('p', { class: 'muted', text: 'Chargement…' })]);
    function euros(n) { return new Intl.NumberFormat('fr-FR').format(n) + '\u00a0€'; }
    Promise.all([C.api('/api/apd?by=year&' + q), C.api('/api/apd?by=country&' + q)]).then(function (r) {
      var years = r[0], countries = r[1];
      box.querySelector('p.muted').remove();
      if (!years.total.lines) {
        box.appendChild(el('p', { text: f.name + ' n\u2019a déclaré aucune aide publique au développement dans l\u2019atlas.' }));
        box.setAttribute('data-apd', '0');
        return;
      }
      var synth = years.total.synthetic_eur;
      box.appendChild(el('p', { class: 'summary', text: euros(years.total.amount_eur) + ' déclarés en ' + years.groups.filter(function (g) { return g.lines; }).length +
        ' années' + (years.total.refugees_eur ? ', dont ' + euros(years.total.refugees_eur) + ' d\u2019aide aux réfugiés en France' : '') +
        (synth ? ' — ' + (synth === years.total.amount_eur ? 'toutes synthétiques' : 'dont ' + euros(synth) + ' synthétiques') + ' (complément généré, voir « Données et sources »)' : '') + '.' }));
      box.appendChild(table('Aide publique au développement de ' + f.name + ' par année', ['Année', 'Montant', 'Dont réfugiés', 'Lignes'],
        years.groups.filter(function (g) { return g.lines; }).map(function (g) { return [g.label, euros(g.amount_eur), euros(g.refugees_eur), C.fmt(g.lines)]; })));
      box.appendChild(table('Premiers pays bénéficiaires', ['Pays', 'Montant', 'Lignes'],
        countries.groups.slice(0, 8).map(function (g) { return [g.key === 'multi' ? g.label : link('/atlas/' + g.key, g.label), euros(g.amount_eur), C.fmt(g.lines)]; })));
      box.appendChild(el('p', { class: 'chart-actions' }, [
        el('a', { class: 'btn', href: '/api/apd?by=year&format=csv&lang=fr&' + q, download: '', text: 'Télécharger le CSV (par année)' }), ' ',
        el('a', { class: 'btn', href: '/apd', text: 'Voir l\u2019aide publique au développement de toutes les collectivités' })]));
      box.setAttribute('data-apd', String(years.total.amount_eur));
    }).catch(function (err) { box.querySelector('p.muted').textContent = C.problemText(err); });
    return box;
  }

  function authorityPage(id) {
    C.api('/api/authorities/' + encodeURIComponent(id)).then(function (f) {
      setTitle(f.name);
      var where = [f.type_label, f.departement_name, f.region_name].filter(Boolean).join(' · ');
      $('lead').textContent = where + (f.population ? ' · ' + C.fmt(f.population) + ' habitants' : '') + ' — ' +
        C.fmt(f.partnerships.length) + ' partenariats dans ' + C.fmt(f.countries.length) + ' pays';
      provenance(f.provenance);
      var q = 'authority=' + encodeURIComponent(f.id);
      content.appendChild(atlasLinks(q));
      content.appendChild(contactBlock(f));
      content.appendChild(section('Partenariats', 'h-partnerships', [table('Partenariats de ' + f.name, ['Partenaire', 'Pays', 'Nature', 'Début', 'Thèmes', 'Projets', 'Provenance', 'Carte'],
        f.partnerships.map(function (l) {
          return [link('/partenaires/' + encodeURIComponent(l.other.id), l.other.name), l.country_name, l.kind_label,
            l.start_year || 'inconnu', themes(l.themes), C.fmt(l.projects), C.provenanceText(l),
            el('a', { href: '/?' + q + '&sel=' + encodeURIComponent(l.id), class: 'map-link', 'aria-label': 'Voir ce partenariat dans l\'atlas : ' + f.name + ' – ' + l.other.name, text: 'Voir' })];
        }))]));
      content.appendChild(section('Thèmes', 'h-themes', [el('p', { text: f.themes.map(function (c) { return c.label + ' (' + c.count + ')'; }).join(', ') || 'Aucun projet.' })]));
      content.appendChild(projectsBlock(f));
      content.appendChild(apdBlock(f));
      content.appendChild(neighboursBlock(f, true));
      smallMap({ authority: [f.id] }, [f.point].concat(f.partnerships.map(function (l) { return l.other.point; })),
        'Carte : ' + f.name + ' et ses ' + f.partnerships.length + ' partenaires (' + f.countries.map(function (c) { return c.label; }).join(', ') + ').');
      yearsChart(f.years, yearsTitle(f));
      done();
    }).catch(fail);
  }

  function partnerPage(id) {
    C.api('/api/partners/' + encodeURIComponent(id)).then(function (f) {
      setTitle(f.name);
      $('lead').textContent = [f.subdivision, f.country_name].filter(Boolean).join(' · ') + (f.population ? ' · ' + C.fmt(f.population) + ' habitants' : '') +
        ' — ' + C.fmt(f.partnerships.length) + ' partenariats avec des collectivités françaises';
      provenance(f.provenance);
      var q = 'partner=' + encodeURIComponent(f.id);
      content.appendChild(atlasLinks(q, link('/qui-coopere/' + f.country, 'Qui coopère avec ce pays ?')));
      content.appendChild(section('Partenariats', 'h-partnerships', [table('Partenariats de ' + f.name, ['Collectivité française', 'Type', 'Nature', 'Début', 'Thèmes', 'Projets', 'Provenance', 'Carte'],
        f.partnerships.map(function (l) {
          return [link('/collectivites/' + encodeURIComponent(l.other.id), l.other.name), C.label(C.TYPES, l.other_type), l.kind_label,
            l.start_year || 'inconnu', themes(l.themes), C.fmt(l.projects), C.provenanceText(l),
            el('a', { href: '/?' + q + '&sel=' + encodeURIComponent(l.id), class: 'map-link', 'aria-label': 'Voir ce partenariat dans l\'atlas : ' + l.other.name + ' – ' + f.name, text: 'Voir' })];
        }))]));
      content.appendChild(projectsBlock(f));
      content.appendChild(neighboursBlock(f, false));
      smallMap({ partner: [f.id] }, [f.point].concat(f.partnerships.map(function (l) { return l.other.point; })),
        'Carte : ' + f.name + ' et ses ' + f.partnerships.length + ' partenaires français.');
      yearsChart(f.years, yearsTitle(f));
      done();
    }).catch(fail);
  }

  function whoPage(iso) {
    var params = new URLSearchParams(location.search), theme = params.get('theme') || '';
    var q = theme ? '?theme=' + encodeURIComponent(theme) : '';
    C.api('/api/countries/' + encodeURIComponent(iso) + '/authorities' + q).then(function (r) {
      setTitle('Qui coopère avec ' + r.country_name + ' ?');
      $('lead').textContent = C.fmt(r.authorities) + ' collectivités françaises, ' + C.fmt(r.partnerships) + ' partenariats' +
        (theme ? ' · thème : ' + C.label(C.THEMES, theme) : '');
      var sel = el('select', { id: 'theme-select', 'aria-label': 'Thème' }, [el('option', { value: '', text: 'Tous les thèmes' })].concat(C.THEMES.map(function (t) {
        var o = el('option', { value: t[0], text: t[1] });
        if (t[0] === theme) o.selected = true;
        return o;
      })));
      sel.addEventListener('change', function () { location.search = sel.value ? '?theme=' + encodeURIComponent(sel.value) : ''; });
      var fq = 'country=' + iso + (theme ? '&theme=' + encodeURIComponent(theme) : '');
      content.appendChild(el('p', { class: 'dir-links' }, [el('label', null, ['Thème : ', sel]), ' · ',
        link('/api/countries/' + iso + '/authorities?format=csv' + (theme ? '&theme=' + encodeURIComponent(theme) : ''), 'Télécharger la liste (CSV)'), ' · ',
        link('/?' + fq, 'Voir dans l\'atlas'), ' · ', link('/atlas/' + iso, 'Vue pays')]));
      content.appendChild(el('p', { class: 'muted', text: r.contact_note }));
      var synth = 0;
      r.groups.forEach(function (g) {
        g.authorities.forEach(function (a) { if (a.synthetic) synth++; });
        content.appendChild(section(g.label + ' (' + C.fmt(g.count) + ')', 'h-' + g.type, [g.count ? table(g.label, ['Collectivité', 'Département', 'Partenariats', 'Partenaires', 'Thèmes', 'Depuis', 'Données', 'Contact'],
          g.authorities.map(function (a) {
            var c = a.contact;
            return [link('/collectivites/' + encodeURIComponent(a.id), a.name), a.departement_name || a.region_name, C.fmt(a.partnerships),
              a.partners.join(', '), themes(a.themes), a.first_year || '', a.synthetic ? 'synthétiques' : 'réelles ou mixtes',
              c ? el('a', { href: 'mailto:' + c.email, text: c.role + ' · ' + c.email }) : ''];
          })) : el('p', { class: 'muted', text: 'Aucune.' })]));
      });
      if (synth) {
        $('notice').hidden = false;
        $('notice').textContent = C.fmt(synth) + ' des ' + C.fmt(r.authorities) + ' collectivités listées n\'ont ici que des partenariats synthétiques (fictifs).';
      }
      var f = { country: [iso] };
      if (theme) f.theme = [theme];
      smallMap(f, [], 'Carte des ' + C.fmt(r.partnerships) + ' partenariats avec ' + r.country_name + ' ; la liste ci-contre en est le texte.');
      window.atlasMap.once('load', function () {
        fetch('/tiles/partners.json?country=' + iso).then(function (x) { return x.json(); }).then(function (tj) {
          if (tj.bounds) window.atlasMap.fitBounds([[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]], { padding: 20, animate: false, maxZoom: 7 });
        }).catch(function () {});
      });
      $('chart-years').parentNode.hidden = true;
      done();
    }).catch(fail);
  }

  // The choropleth's classes: partnerships per million inhabitants, cut at
  // round values (0, under 1, 1–5, 5–20, 20 and more); "no population"
  // stays neutral.
  var CLASSES = [[0, '#f3f1ec', 'aucun'], [1, '#fde0c5', 'moins de 1'], [5, '#f6a96c', '1 à 5'], [20, '#e1653a', '5 à 20'], [Infinity, '#a23b1d', '20 et plus']];
  function classOf(v) {
    if (v === 0) return CLASSES[0];
    for (var i = 1; i < CLASSES.length; i++) if (v < CLASSES[i][0]) return CLASSES[i];
    return CLASSES[CLASSES.length - 1];
  }
  function analysesPage() {
    setTitle('Analyses : pays prioritaires et coordination');
    Promise.all([C.api('/api/analyses/priority-countries'), C.api('/api/analyses/coordination?limit=30')]).then(function (res) {
      var fewest = res[0], coord = res[1];
      $('lead').textContent = fewest.reference + '.';
      content.appendChild(section('Pays prioritaires de l\'aide française au développement', 'h-priority', [
        el('p', { class: 'muted', text: 'Du moins au plus coopéré, en partenariats par million d\'habitants. Population : ' + fewest.population_source + '.' }),
        el('p', { class: 'dir-links' }, [link('/api/analyses/priority-countries?format=csv', 'Tous les pays (CSV)')]),
        table('Pays prioritaires (CICID 2018)', ['Pays', 'Partenariats', 'Dont coopération décentralisée', 'Projets', 'Collectivités françaises', 'Population', 'Par million d\'habitants'],
          fewest.priority.map(function (c) {
            return [link('/qui-coopere/' + c.iso2, c.name), C.fmt(c.partnerships), C.fmt(c.cooperation), C.fmt(c.projects), C.fmt(c.authorities),
              c.population ? C.fmt(c.population) : '', c.per_million === null ? '' : C.fmt(c.per_million)];
          }))]));
      content.appendChild(section('Territoires où plusieurs collectivités agissent', 'h-coordination', [
        el('p', { class: 'muted', text: coord.method + ' Rayon : ' + coord.radius_km + ' km. ' + C.fmt(coord.total) + ' territoires ; les 30 premiers :' }),
        el('p', { class: 'dir-links' }, [link('/api/analyses/coordination?format=csv&limit=1000', 'Les 1 000 premiers (CSV)')]),
        table('Territoires à coordonner', ['Territoire', 'Pays', 'Collectivités françaises', 'Partenariats', 'Thèmes'],
          coord.territories.map(function (t) {
            return [link('/partenaires/' + encodeURIComponent(t.id), t.name), t.country_name,
              t.authorities.map(function (a) { return a.name; }).join(', '), C.fmt(t.partnerships), t.themes.slice(0, 3).map(function (c) { return c.label; }).join(', ')];
          }))]));
      // Choropleth of partnerships per million inhabitants, priority
      // countries outlined, on the base map.
      var map = smallMap({}, [], 'Carte : partenariats par million d\'habitants par pays ; les pays prioritaires sont cerclés de noir ; les disques bleus sont les 30 premiers territoires à coordonner (taille : nombre de collectivités). Les tableaux ci-contre en donnent les valeurs.', true);
      var colour = ['match', ['get', 'iso2']], prio = ['match', ['get', 'iso2']];
      fewest.countries.forEach(function (c) {
        if (c.per_million !== null) colour.push(c.iso2, classOf(c.per_million)[1]);
        if (c.priority) prio.push(c.iso2, true);
      });
      colour.push('#ebe8e1');
      prio.push(false);
      map.on('load', function () {
        map.addLayer({ id: 'choropleth', type: 'fill', source: 'base', 'source-layer': 'countries', paint: { 'fill-color': colour } }, 'countries-line');
        map.addLayer({ id: 'priority-line', type: 'line', source: 'base', 'source-layer': 'countries', filter: prio, paint: { 'line-color': '#111', 'line-width': 1.6 } });
        // The territories to coordinate, sized by their collectivités.
        map.addSource('territories', { type: 'geojson', data: { type: 'FeatureCollection', features: coord.territories.map(function (t) {
          return { type: 'Feature', geometry: { type: 'Point', coordinates: t.center }, properties: { id: t.id, name: t.name, n: t.authorities.length } };
        }) } });
        map.addLayer({ id: 'territories-circle', type: 'circle', source: 'territories',
          paint: { 'circle-color': '#1d4e89', 'circle-opacity': 0.75, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1,
            'circle-radius': ['interpolate', ['linear'], ['get', 'n'], 2, 4, 20, 14] } });
        map.fitBounds([[-20, -15], [45, 40]], { animate: false });
      });
      var legend = el('ul', { class: 'legend-list', 'aria-label': 'Légende : partenariats par million d\'habitants' }, CLASSES.map(function (k) {
        return el('li', null, [el('span', { class: 'sw', style: 'background:' + k[1] }), k[2]]);
      }));
      $('map-alt').parentNode.insertBefore(legend, $('map-alt').nextSibling);
      $('chart-years').parentNode.hidden = true;
      done();
    }).catch(fail);
  }

  // The bourse-projets: the open requests on a map layer and as a table;
  // one request with the collectivités ranked for it.
  function bourseLayer(map, f) {
    var q = C.filterQuery ? C.filterQuery(Object.assign(C.emptyFilters(), f)) : '';
    map.on('load', function () {
      map.addSource('bourse', { type: 'vector', tiles: [location.origin + '/api/bourse/tiles/{z}/{x}/{y}.mvt' + (q ? '?' + q : '')], minzoom: 0, maxzoom: 14 });
      map.addLayer({ id: 'bourse-circle', type: 'circle', source: 'bourse', 'source-layer': 'bourse',
        paint: { 'circle-color': '#e4794a', 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
      map.on('click', 'bourse-circle', function (e) { location.href = '/bourse/' + encodeURIComponent(e.features[0].properties.id); });
    });
  }
  function boursePage() {
    var params = new URLSearchParams(location.search), country = (params.get('country') || '').toUpperCase(), theme = params.get('theme') || '';
    var f = {};
    if (country) f.country = [country];
    if (theme) f.theme = [theme];
    var q = [country ? 'country=' + encodeURIComponent(country) : '', theme ? 'theme=' + encodeURIComponent(theme) : ''].filter(Boolean).join('&');
    setTitle('Bourse-projets : des autorités locales étrangères cherchent un partenaire français');
    C.api('/api/bourse' + (q ? '?' + q : '')).then(function (r) {
      $('lead').textContent = C.fmt(r.requests.length) + (r.requests.length === 1 ? ' demande ouverte' : ' demandes ouvertes') + (theme ? ' · thème : ' + C.label(C.THEMES, theme) : '') + (country ? ' · pays : ' + country : '') + '.';
      content.appendChild(el('p', { class: 'dir-links' }, [link('/api/bourse?format=geojson' + (q ? '&' + q : ''), 'Couche GeoJSON'), ' · ',
        el('span', { class: 'muted', text: 'Une collectivité intéressée se fait connaître depuis l\'extranet (son jeton) ; le ministère transmet.' })]));
      content.appendChild(section('Demandes ouvertes', 'h-requests', [r.requests.length ? table('Demandes ouvertes', ['Autorité', 'Pays', 'Thèmes recherchés', 'Partenaire recherché', 'Langues', 'Jusqu\'au'],
        r.requests.map(function (x) {
          var sought = (x.sought_types || []).map(function (t) { return C.label(C.TYPES, t); }).join(', ') || 'tout type';
          if (x.min_population || x.max_population) sought += ' · ' + (x.min_population ? C.fmt(x.min_population) : '0') + '–' + (x.max_population ? C.fmt(x.max_population) : '…') + ' hab.';
          return [link('/bourse/' + encodeURIComponent(x.id), x.name), x.country_name, themes(x.themes), sought, x.languages.join(', '), x.valid_until];
        })) : el('p', { class: 'muted', text: 'Aucune demande ouverte pour le moment.' })]));
      var pts = r.requests.map(function (x) { return x.point; });
      bourseLayer(smallMap({}, pts, 'Carte : ' + r.requests.length + (r.requests.length === 1 ? ' demande ouverte' : ' demandes ouvertes') + ' ; le tableau ci-contre en est le texte.', true), f);
      $('chart-years').parentNode.hidden = true;
      done();
    }).catch(fail);
  }
  function bourseRequestPage(id) {
    C.api('/api/bourse/' + encodeURIComponent(id)).then(function (r) {
      setTitle(r.name + ' cherche un partenaire français');
      $('lead').textContent = r.country_name + ' · ' + themes(r.themes) + ' · jusqu\'au ' + r.valid_until + (r.open ? '' : ' · demande close');
      content.appendChild(section('La demande', 'h-request', [el('p', { class: 'presentation', text: r.description }),
        el('p', { class: 'muted', text: 'Langues : ' + r.languages.join(', ') + ' · publiée le ' + r.published + (r.partner_id ? ' · ' : '') }, r.partner_id ? [link('/partenaires/' + encodeURIComponent(r.partner_id), 'fiche de l\'autorité')] : [])]));
      content.appendChild(section('Collectivités françaises proches de cette demande', 'h-matches', [el('p', { class: 'muted', text: r.matching_method }),
        table('Collectivités classées', ['Collectivité', 'Type', 'Score', 'Thèmes en commun', 'Déjà dans le pays', 'Partenaire à moins de 100 km'],
          r.matches.map(function (m) {
            return [link('/collectivites/' + encodeURIComponent(m.id), m.name), m.type_label, String(m.score), themes(m.shared_themes),
              m.in_country ? 'oui' : 'non', m.near_km === null ? 'non' : C.fmt(m.near_km) + ' km'];
          }))]));
      bourseLayer(smallMap({}, [r.point], 'Carte : ' + r.name + ' (' + r.country_name + ').', true), {});
      $('chart-years').parentNode.hidden = true;
      done();
    }).catch(fail);
  }

  $('btn-print').addEventListener('click', function () { window.print(); });
  var p = location.pathname, m;
  if ((m = /^\/collectivites\/([^/]+)\/?$/.exec(p))) authorityPage(decodeURIComponent(m[1]));
  else if ((m = /^\/partenaires\/([^/]+)\/?$/.exec(p))) partnerPage(decodeURIComponent(m[1]));
  else if ((m = /^\/qui-coopere\/([A-Za-z]{2})\/?$/.exec(p))) whoPage(m[1].toUpperCase());
  else if (/^\/analyses\/?$/.test(p)) analysesPage();
  else if (/^\/bourse\/?$/.test(p)) boursePage();
  else if ((m = /^\/bourse\/([^/]+)\/?$/.exec(p))) bourseRequestPage(decodeURIComponent(m[1]));
  else fail(new C.ApiError(404, { detail: 'page inconnue' }));
})();
