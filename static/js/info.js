/* Atlas — the pages of text ("Données et sources", accessibilité, mentions
 * légales, plan du site): the share of real records and the source list,
 * read from /api/sources. */
(function () {
  'use strict';
  var C = window.AtlasCore;
  var shareTable = document.getElementById('share-table');
  var sourcesTable = document.getElementById('sources-table');
  if (!shareTable && !sourcesTable) return;
  function pct(x) { return new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 }).format(x); }
  C.dataSources().then(function (src) {
    if (!src) return;
    if (shareTable) {
      var body = shareTable.tBodies[0];
      body.textContent = '';
      [['Partenariats', src.partnerships], ['Projets', src.projects]].forEach(function (r) {
        body.appendChild(C.el('tr', null, [C.el('th', { scope: 'row', text: r[0] }), C.el('td', { text: C.fmt(r[1].total) }),
          C.el('td', { text: C.fmt(r[1].real) + ' (' + pct(r[1].total ? r[1].real / r[1].total : 0) + ')' }),
          C.el('td', { text: C.fmt(r[1].synthetic) + ' (' + pct(r[1].total ? r[1].synthetic / r[1].total : 0) + ')' })]));
      });
      shareTable.hidden = false;
      document.getElementById('share-sentence').textContent = 'Aujourd\u2019hui, ' + pct(src.partnerships.real_share) +
        ' des partenariats et ' + pct(src.projects.real_share) + ' des projets sont réels (version des données ' + src.version + ') :';
    }
    if (sourcesTable) {
      var tb = sourcesTable.tBodies[0];
      tb.textContent = '';
      src.sources.forEach(function (s) {
        var who = s.url ? C.el('a', { href: s.url, text: s.holder }) : C.el('span', { text: s.holder });
        var lic = s.licence_url ? C.el('a', { href: s.licence_url, text: s.licence }) : C.el('span', { text: s.licence });
        tb.appendChild(C.el('tr', { 'data-source': s.id }, [C.el('td', { text: s.covers }), C.el('td', null, [who]), C.el('td', null, [lic]),
          C.el('td', { text: s.on_map ? s.credit : 'non (non redistribuée)' })]));
      });
    }
  });
})();
