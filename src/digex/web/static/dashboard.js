/* The dashboard's one script: reads the view's data answer (/api/dashboard) and draws it.
 *
 * The page arrives whole from the server (cards, filters, tables, links: it works without
 * script); this script draws the charts (vega-embed with the CSP-safe expression interpreter:
 * no eval under the page's Content-Security-Policy), and when a choice changes it keeps the
 * view in the URL (history.replaceState), fetches the new answer and rebuilds the page's parts
 * from it. Every text comes worded and formatted from the server and is set as text (never as
 * HTML); the script formats no figure itself (Vega gets the answer's d3 locales).
 */
(function () {
  'use strict';

  const VIEW = ['release', 'lang', 'period', 'segment', 'area', 'flow', 'unit'];
  const doc = document;
  const body = doc.body;
  const main = doc.getElementById('main');
  const words = JSON.parse(body.dataset.words || '{}');
  const only = main.dataset.only || null;  // the one chart of an /embed page
  const views = new Map();                 // chart id -> its Vega view
  let answer = null;
  let asked = 0;                           // the latest request: older answers are dropped

  doc.documentElement.classList.add('scripted');

  /* An element with attributes and children (strings become text nodes: never parsed). */
  function el(tag, attrs, ...children) {
    const node = doc.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' ? doc.createTextNode(child) : child);
    }
    return node;
  }

  function say(text, failed) {
    for (const node of doc.querySelectorAll('.status-message')) {
      node.textContent = text || '';
      node.classList.toggle('failed', Boolean(failed));
    }
  }

  function viewParams(query) {
    const params = new URLSearchParams();
    for (const name of VIEW) {
      if (query[name] !== undefined && query[name] !== null) params.set(name, query[name]);
    }
    return params;
  }

  async function fetchAnswer(url) {
    const mine = ++asked;
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    let found = null;
    try {
      found = await response.json();
    } catch (error) {
      found = null;
    }
    if (!response.ok || found === null) {
      const error = new Error(found && found.detail ? found.detail : String(response.status));
      error.status = response.status;
      throw error;
    }
    return mine === asked ? found : null;
  }

  /* ---- the parts of the page, built from the answer (the same markup as the templates) -- */

  function cardNode(c) {
    return el('li', { class: 'card' + (c.confidential ? ' card-confidential' : ''), 'data-card': c.id },
      el('h3', { class: 'card-title' }, c.title),
      el('p', { class: 'card-value' }, c.value_text),
      c.change_text ? el('p', { class: 'card-change' },
        el('span', { class: 'change-text' }, c.change_text),
        c.change_label ? [' ', el('span', { class: 'change-label' }, c.change_label)] : null) : null,
      (c.lines || []).map((line) => el('p', { class: 'card-line' }, line)),
      el('p', { class: 'card-meta' },
        el('span', { class: 'status' }, c.status_label), ' · ', el('span', {}, c.release_label)));
  }

  function tableNode(t, caption) {
    return el('div', { class: 'table-wrap' },
      el('table', {},
        el('caption', {}, caption),
        el('thead', {}, el('tr', {}, t.columns.map((col) => el('th', { scope: 'col' }, col)))),
        el('tbody', {}, t.rows.map((row) => el('tr', {}, row.map((cell, i) =>
          i === 0 ? el('th', { scope: 'row' }, cell) : el('td', {}, cell)))))));
  }

  function embedCode(c, query) {
    const params = viewParams(query);
    params.set('chart', c.id);
    const src = location.origin + '/embed?' + params.toString();
    const title = c.title.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    return '<iframe src="' + src.replace(/&/g, '&amp;') + '" title="' + title +
      '" width="100%" height="480" style="border:0" loading="lazy"></iframe>';
  }

  function chartNode(c, query, full) {
    const id = 'chart-' + c.id;
    return el('section', { class: 'chart', id: id, 'data-chart': c.id, 'aria-labelledby': id + '-title' },
      el('h3', { id: id + '-title' }, c.title),
      el('p', { class: 'chart-description', id: id + '-description' }, c.description),
      el('div', { class: 'plot', dir: 'ltr', role: 'img', 'aria-labelledby': id + '-title',
        'aria-describedby': id + '-description' }),
      el('details', { class: 'chart-table' }, el('summary', {}, words.table), tableNode(c.table, c.title)),
      full ? el('div', { class: 'chart-actions' },
        el('h4', { class: 'visually-hidden' }, words.downloads),
        el('ul', { class: 'downloads' },
          el('li', {}, el('a', { href: c.download.csv, download: true }, words.csv)),
          el('li', {}, el('a', { href: c.download.xlsx, download: true }, words.xlsx)),
          el('li', { class: 'needs-script' }, el('button', { type: 'button', 'data-image': 'png' }, words.png)),
          el('li', { class: 'needs-script' }, el('button', { type: 'button', 'data-image': 'svg' }, words.svg)),
          c.sdmx ? el('li', {}, el('a', { href: c.sdmx, class: 'sdmx' }, words.sdmx)) : null),
        el('details', { class: 'embed' },
          el('summary', {}, words.embed),
          el('label', { for: 'embed-' + c.id }, words.embed_code),
          el('textarea', { id: 'embed-' + c.id, readonly: true, rows: 3 }, embedCode(c, query)))) : null);
  }

  function fillSelect(select, options, value) {
    select.replaceChildren(...options.map((o) =>
      el('option', { value: o.value, selected: o.value === value }, o.label)));
    select.value = value;
  }

  function render(a) {
    const q = a.query;
    doc.title = words.title + ' · ' + a.release.id;
    const line = doc.querySelector('.release-line');
    if (line) {
      line.querySelector('.release-id').textContent = a.release.id;
      line.querySelector('.release-status').textContent = a.release.status_label;
      line.querySelector('.release-published').textContent = words.published + ' ' + a.release.published_label;
    }
    for (const link of doc.querySelectorAll('.languages a[data-lang]')) {
      const params = viewParams(q);
      params.set('lang', link.dataset.lang);
      link.href = '/?' + params.toString();
    }
    const release = doc.getElementById('f-release');
    if (release) {
      fillSelect(release, a.releases.map((r) => ({ value: r.id, label: r.label + ' (' + r.status_label + ')' })), q.release);
    }
    const hiddenRelease = doc.querySelector('.view-form input[name="release"]');
    if (hiddenRelease) hiddenRelease.value = q.release;
    for (const f of a.filters) {
      const select = doc.getElementById('f-' + f.name);
      if (select) fillSelect(select, f.options, f.value);
    }
    const cards = doc.querySelector('.cards');
    if (cards) cards.replaceChildren(...a.cards.map(cardNode));
    const charts = doc.querySelector('.charts');
    if (charts) {
      const shown = only ? a.charts.filter((c) => c.id === only) : a.charts;
      charts.replaceChildren(...shown.map((c) => chartNode(c, q, !only)));
    }
    const changes = doc.querySelector('.changes');
    if (changes) {
      const title = a.changes.title || words.changes;
      doc.getElementById('changes-title').textContent = title;
      changes.replaceChildren(a.changes.rows.length
        ? tableNode({
          columns: [words.change_label, words.change_before, words.change_after, words.change_change],
          rows: a.changes.rows.map((r) => [r.label, r.before, r.after, r.change]),
        }, title)
        : el('p', {}, words.no_changes));
    }
    const next = doc.querySelector('.next-release');
    if (next) next.textContent = a.calendar.next_label || words.no_calendar;
    const notes = doc.querySelector('.notes');
    if (notes) {
      notes.replaceChildren(...a.notes.map((n) => el('li', {}, n)));
      notes.closest('section').hidden = a.notes.length === 0;
    }
  }

  /* ---- charts ---- */

  async function draw(a) {
    for (const view of views.values()) view.finalize();
    views.clear();
    const options = {
      renderer: 'svg',
      actions: false,
      ast: true,
      expr: vega.expressionInterpreter,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
      formatLocale: a.locale.number,
      timeFormatLocale: a.locale.time,
      // the chart's container is the image (role img, named by the title, described by the
      // sentence above it) and its table holds the figures: Vega's own ARIA marks would
      // repeat them, some unnamed
      config: { aria: false },
    };
    const jobs = [];
    for (const c of a.charts) {
      const section = doc.getElementById('chart-' + c.id);
      if (!section) continue;
      const plot = section.querySelector('.plot');
      jobs.push(vegaEmbed(plot, c.spec, options).then((result) => {
        views.set(c.id, result.view);
        // the container speaks for the drawing (see `config` above)
        for (const svg of plot.querySelectorAll('svg')) svg.setAttribute('aria-hidden', 'true');
        plot.dataset.drawn = 'true';
      }));
    }
    await Promise.all(jobs);
    body.dataset.drawn = String(Math.round(performance.now()));  // ms since navigation start
  }

  async function saveImage(button) {
    const section = button.closest('[data-chart]');
    const view = views.get(section.dataset.chart);
    if (!view) return;
    const kind = button.dataset.image;
    const url = await view.toImageURL(kind, kind === 'png' ? 2 : 1);
    const q = answer ? answer.query : {};
    const link = el('a', { href: url, download: 'digex-' + (q.release || 'chart') + '-' + section.dataset.chart + '.' + kind });
    body.append(link);
    link.click();
    link.remove();
  }

  /* ---- choices ---- */

  function answerUrl(params) {
    return '/api/dashboard?' + params.toString();
  }

  /* The answer of a view; a period the new view does not hold gives way to its default. */
  async function answerOf(params) {
    try {
      return await fetchAnswer(answerUrl(params));
    } catch (error) {
      if (error.status !== 404 || !params.has('period')) throw error;
      params.delete('period');
      return fetchAnswer(answerUrl(params));
    }
  }

  async function show(params, reason) {
    say(words.loading);
    try {
      const found = await answerOf(params);
      if (found === null) return;  // a newer choice is on its way
      answer = found;
      history.replaceState(null, '', '?' + viewParams(found.query).toString());
      render(found);
      await draw(found);
      say('');
    } catch (error) {
      say(words.failed + ' (' + error.message + ')', true);
    }
    body.dataset.shown = reason;
  }

  function chosen(form) {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) params.set(name, String(value));
    return params;
  }

  const releaseForm = doc.querySelector('.release-form');
  if (releaseForm) {
    releaseForm.addEventListener('change', () => show(chosen(releaseForm), 'release'));
    releaseForm.addEventListener('submit', (event) => {
      event.preventDefault();
      show(chosen(releaseForm), 'release');
    });
  }
  const viewForm = doc.querySelector('.view-form');
  if (viewForm) {
    viewForm.addEventListener('change', (event) => {
      // a segment and an area are not crossed: choosing one sets the other to the total
      const other = { segment: 'f-area', area: 'f-segment' }[event.target.name];
      const total = other ? doc.getElementById(other) : null;
      if (total && event.target.value !== '_T') total.value = '_T';
      show(chosen(viewForm), 'view');
    });
    viewForm.addEventListener('submit', (event) => {
      event.preventDefault();
      show(chosen(viewForm), 'view');
    });
  }
  main.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-image]');
    if (button) saveImage(button);
  });
  main.addEventListener('focusin', (event) => {
    if (event.target.matches('.embed textarea')) event.target.select();
  });

  /* ---- the claim checker: a pasted text's figures, checked by POST /api/claims ---------- */

  function claimsTable(found) {
    const verdict = {
      consistent: words.claims_consistent,
      inconsistent: words.claims_inconsistent,
      'not checkable': words.claims_not_checkable,
    };
    const head = el('tr', null, [words.claims_sentence, words.claims_claim, words.claims_verdict,
      words.claims_official, words.claims_why].map((text) => el('th', { scope: 'col' }, text)));
    const rows = found.claims.map((c) => el('tr', { class: 'claim-' + c.verdict.replace(' ', '-') },
      el('td', null, c.sentence),
      el('td', null, c.text),
      el('td', null, verdict[c.verdict] || c.verdict),
      el('td', null, c.official || ''),
      el('td', null, c.explanation || '')));
    return el('table', { class: 'claims-table' },
      el('caption', null, words.claims_counts
        .replace('{consistent}', String(found.counts.consistent))
        .replace('{inconsistent}', String(found.counts.inconsistent))
        .replace('{not_checkable}', String(found.counts.not_checkable))),
      el('thead', null, head), el('tbody', null, rows));
  }

  const claimsForm = doc.querySelector('.claims-form');
  if (claimsForm) {
    claimsForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const status = doc.querySelector('.claims-status');
      const result = doc.querySelector('.claims-result');
      status.textContent = words.claims_checking;
      result.replaceChildren();
      try {
        const response = await fetch('/api/claims', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          // every published release: a text may quote any period, not only the one on view
          body: JSON.stringify({ text: claimsForm.elements.text.value, lang: 'auto' }),
        });
        const found = await response.json();
        if (!response.ok) {
          status.textContent = words.failed + ' (' + (found.detail || response.status) + ')';
          return;
        }
        status.textContent = '';
        result.append(found.claims.length ? claimsTable(found) : el('p', null, words.claims_none));
        body.dataset.claims = String(found.claims.length);
      } catch (error) {
        status.textContent = words.failed + ' (' + error.message + ')';
      }
    });
  }

  /* ---- first drawing: the page is already filled in; only the charts wait for the data -- */

  (async function start() {
    try {
      const found = await fetchAnswer(body.dataset.api);
      if (found === null) return;
      answer = found;
      await draw(found);
    } catch (error) {
      say(words.failed + ' (' + error.message + ')', true);
    }
    body.dataset.shown = 'start';
  })();
}());
