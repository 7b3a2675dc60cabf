// scimock dashboard. Plain JavaScript, no dependencies. Reads only the admin JSON API under
// /_scimock/. Every value from the server is written with textContent, never as HTML.
'use strict';
(function () {
  const API = '/_scimock';
  const MAX_ROWS = 2000;
  const SHOWN_ROWS = 500;
  let token = null;
  let info = null;
  let started = false;
  let locked = false;

  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  function toast(msg, bad) {
    const t = $('toast');
    t.textContent = msg;
    t.className = bad ? 'error' : '';
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.textContent = ''; }, 5000);
  }

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // One admin API call. Writes send JSON (the server refuses other content types).
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token) headers['X-Scimock-Admin-Token'] = token;
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(API + path, init);
    } catch (e) {
      setConn('unreachable', 'bad');
      throw new ApiError(0, 'the mock does not answer');
    }
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (r.status === 401) {
      lock(token ? 'That token was refused.' : '');
      throw new ApiError(401, 'the admin token is required');
    }
    setConn('live', 'ok');
    if (!r.ok) throw new ApiError(r.status, (data && data.error) || (r.status + ' ' + text));
    return data;
  }
  function setConn(text, kind) {
    const c = $('conn');
    if (c.textContent !== text) c.textContent = text;
    c.className = 'badge ' + (kind || '');
  }

  // ------------------------------------------------------------------ admin token
  function lock(msg) {
    locked = true;
    token = null;
    setConn('admin token required', 'warn');
    $('token-form').hidden = false;
    $('token-msg').textContent = msg || '';
    $('token-input').focus();
  }
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('token-input');
    token = input.value.trim();
    input.value = '';
    locked = false;
    $('token-form').hidden = true;
    start();
  });

  // ------------------------------------------------------------------ tabs
  const tabs = Array.from(document.querySelectorAll('[role=tab]'));
  function showTab(name, focus) {
    for (const t of tabs) {
      const on = t.id === 'tab-' + name;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
      if (on && focus) t.focus();
    }
    if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
    if (name === 'data' && info) loadData();
    if (name === 'faults' && info) pollFaults();
  }
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => showTab(t.id.slice(4)));
    t.addEventListener('keydown', (ev) => {
      let j = null;
      if (ev.key === 'ArrowRight') j = (i + 1) % tabs.length;
      if (ev.key === 'ArrowLeft') j = (i + tabs.length - 1) % tabs.length;
      if (ev.key === 'Home') j = 0;
      if (ev.key === 'End') j = tabs.length - 1;
      if (j !== null) { ev.preventDefault(); showTab(tabs[j].id.slice(4), true); }
    });
  });
  const current = () => (tabs.find((t) => t.getAttribute('aria-selected') === 'true') || tabs[0]).id.slice(4);

  // Up/Down move between the rows of a table, Enter or Space opens one.
  function rowKeys(tbody, open) {
    tbody.addEventListener('keydown', (ev) => {
      const tr = ev.target.closest('tr');
      if (!tr) return;
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(tr); }
      if (ev.key === 'ArrowDown' && tr.nextElementSibling) { ev.preventDefault(); tr.nextElementSibling.focus(); }
      if (ev.key === 'ArrowUp' && tr.previousElementSibling) { ev.preventDefault(); tr.previousElementSibling.focus(); }
    });
    tbody.addEventListener('click', (ev) => {
      const tr = ev.target.closest('tr');
      if (tr && !ev.target.closest('button')) open(tr);
    });
  }

  // ------------------------------------------------------------------ header
  function vendors() {
    const names = [];
    for (const p of (info && info.profiles) || []) {
      for (const a of p.integrated_accounts || []) if (!names.includes(a.vendor)) names.push(a.vendor);
      if (p.name !== 'truto' && !names.includes(p.name)) names.push(p.name);
    }
    return names;
  }
  function fillSelect(sel, names, any) {
    const keep = sel.value;
    sel.replaceChildren();
    if (any) sel.append(el('option', { value: '' , text: 'any' }));
    for (const n of names) sel.append(el('option', { value: n, text: n }));
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }
  function renderHeader() {
    $('version').textContent = 'v' + info.version + ' at ' + info.origin +
      (info.admin_token_required ? ' (admin token set)' : '') +
      (info.state_file ? ' — state in ' + info.state_file : '');
    const tb = $('profiles').tBodies[0];
    tb.replaceChildren();
    for (const p of info.profiles) {
      const ids = Object.entries(p.ids || {}).map(([k, v]) => k + '=' + v).join(', ');
      const accounts = (p.integrated_accounts || []).map((a) => a.id + ' (' + a.vendor + ')').join(', ');
      tb.append(el('tr', {},
        el('td', {}, el('strong', { text: p.name }), ' ', el('span', { class: 'muted', text: p.title || '' })),
        el('td', { class: 'mono', text: p.base_url }),
        el('td', { class: 'mono', text: ids + (accounts ? (ids ? '; ' : '') + 'accounts: ' + accounts : '') || '—' }),
        el('td', { class: 'mono', title: 'the header or parameter the token goes in (its value is never shown)', text: p.token_name || 'Authorization: Bearer' }),
        el('td', { class: 'mono', text: p.reference || '—' })));
    }
    fillSelect($('f-vendor'), info.profiles.map((p) => p.name), true);
    fillSelect($('ff-vendor'), vendors(), true);
    fillSelect($('d-vendor'), vendors(), false);
  }

  // ------------------------------------------------------------------ requests
  let rows = [];               // journal entries, newest first
  let lastSeq = 0;
  let paused = false;
  let pending = 0;
  let selected = null;         // seq of the open request
  let dirty = true;

  async function pollRequests() {
    let more = true;
    let got = 0;
    while (more) {
      const page = await api('GET', '/requests?after=' + lastSeq + '&limit=500');
      const list = page.requests || [];
      for (const e of list) {
        rows.unshift(e);
        lastSeq = Math.max(lastSeq, e.seq);
      }
      got += list.length;
      more = page.next_after !== undefined && list.length > 0;
    }
    if (rows.length > MAX_ROWS) rows.length = MAX_ROWS;
    if (got > 0) {
      if (paused) pending += got;
      dirty = true;
    }
  }

  const ms = (n) => (Math.round(Number(n) * 10) / 10).toString();
  function statusClass(s) { return 's' + String(s).charAt(0); }
  function statusMatches(s, want) {
    const w = want.trim().toLowerCase();
    if (!w) return true;
    return w.split(/[\s,]+/).some((p) => p && new RegExp('^' + p.replace(/x/g, '\\d') + '$').test(String(s)));
  }
  function filtered() {
    const v = $('f-vendor').value, m = $('f-method').value, s = $('f-status').value;
    const t = $('f-text').value.trim().toLowerCase();
    const out = [];
    for (const r of rows) {
      if (v && r.vendor !== v) continue;
      if (m && r.method !== m) continue;
      if (s && !statusMatches(r.status, s.replace(/[^0-9xX,\s]/g, ''))) continue;
      if (t && !((r.path + '?' + (r.query || '') + ' ' + (r.body || '')).toLowerCase().includes(t))) continue;
      out.push(r);
      if (out.length >= SHOWN_ROWS) break;
    }
    return out;
  }
  const timeOf = (iso) => (iso || '').replace(/^.*T/, '').replace(/(\.\d{3})\d*/, '$1').replace(/Z$|[+-]\d\d:\d\d$/, '');

  function renderRequests() {
    $('count-requests').textContent = rows.length ? '(' + rows.length + ')' : '';
    $('pending').textContent = String(pending);
    if (paused || !dirty) return;
    dirty = false;
    const wrap = $('req-table').parentElement;
    const tb = $('req-table').tBodies[0];
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.seq : null;
    const before = wrap.scrollHeight;
    const top = wrap.scrollTop;
    const frag = document.createDocumentFragment();
    for (const r of filtered()) {
      const pq = r.path + (r.query ? '?' + r.query : '');
      frag.append(el('tr', { tabindex: 0, 'data-seq': r.seq, 'aria-selected': String(r.seq) === String(selected) ? 'true' : 'false' },
        el('td', { class: 'muted', text: r.seq }),
        el('td', { text: timeOf(r.time), title: r.time }),
        el('td', { text: r.vendor }),
        el('td', { text: r.method }),
        el('td', { class: 'path', text: pq, title: pq }),
        el('td', { class: statusClass(r.status), text: r.status }),
        el('td', { text: ms(r.duration_ms) })));
    }
    tb.replaceChildren(frag);
    $('req-empty').hidden = tb.rows.length > 0;
    // Keep what the reader looks at in place while rows arrive above it.
    if (top > 0) wrap.scrollTop = top + (wrap.scrollHeight - before);
    if (focused) {
      const tr = tb.querySelector('tr[data-seq="' + focused + '"]');
      if (tr) tr.focus({ preventScroll: true });
    }
  }

  function shellQuote(s) { return "'" + String(s).replace(/'/g, "'\\''") + "'"; }
  function curlFor(r) {
    const parts = ['curl', '-X', r.method, shellQuote(location.origin + r.path + (r.query ? '?' + r.query : ''))];
    const skip = ['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding'];
    for (const [k, v] of Object.entries(r.headers || {})) {
      if (skip.includes(k.toLowerCase())) continue;
      if (v === '[redacted]') {
        parts.push('-H', k.toLowerCase() === 'authorization' ? '"authorization: Bearer $SCIMOCK_TOKEN"' : '"' + k + ': $SCIMOCK_TOKEN"');
      } else {
        parts.push('-H', shellQuote(k + ': ' + v));
      }
    }
    if (r.body) parts.push('--data-raw', shellQuote(r.body));
    return parts.join(' ');
  }
  function pretty(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function copyButton(text) {
    return el('button', { type: 'button', onclick: async (ev) => {
      try {
        await navigator.clipboard.writeText(text);
        ev.target.textContent = 'Copied';
      } catch (e) {
        const sel = window.getSelection();
        const pre = ev.target.parentElement.querySelector('pre');
        const range = document.createRange();
        range.selectNodeContents(pre);
        sel.removeAllRanges();
        sel.addRange(range);
        ev.target.textContent = 'Selected: press Ctrl+C';
      }
    } }, 'Copy');
  }
  function showRequest(r) {
    selected = r.seq;
    for (const tr of $('req-table').tBodies[0].rows) tr.setAttribute('aria-selected', tr.dataset.seq === String(r.seq) ? 'true' : 'false');
    const d = $('req-detail');
    const headers = el('table', { class: 'compact' }, el('tbody', {}, ...Object.entries(r.headers || {}).map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', { class: 'mono', text: v })))));
    const curl = curlFor(r);
    const viol = violations.filter((v) => v.request && v.request.seq === r.seq);
    d.replaceChildren(...[
      el('h3', {}, '#' + r.seq + ' ', el('span', { class: 'mono', text: r.method + ' ' + r.path + (r.query ? '?' + r.query : '') })),
      el('p', {}, el('span', { class: statusClass(r.status), text: 'status ' + r.status }), ' · ' + ms(r.duration_ms) + ' ms · ' + r.vendor + ' · ' + r.time),
      viol.length ? el('div', {}, el('h3', { text: 'Violations' }), el('ul', {}, ...viol.map((v) => el('li', {}, v.effect + ': ' + v.rule + ' ', el('code', { text: '--set ' + v.vendor + '.' + v.switch }))))) : null,
      el('h3', { text: 'Request headers (credentials redacted)' }), headers,
      el('h3', { text: 'Request body' }), r.body ? el('pre', { class: 'body', text: pretty(r.body) }) : el('p', { class: 'muted', text: 'none' }),
      el('h3', { text: 'curl' }), el('div', { class: 'curl-row' }, el('pre', { class: 'curl', text: curl }), copyButton(curl)),
      el('h3', { text: 'Response body' }), r.response_body ? el('pre', { class: 'body', text: pretty(r.response_body) }) : el('p', { class: 'muted', text: 'none' })].filter(Boolean));
  }
  function openSeq(seq) {
    const r = rows.find((x) => x.seq === seq);
    if (r) { showRequest(r); return; }
    api('GET', '/requests?after=' + (seq - 1) + '&limit=1').then((p) => {
      const e = (p.requests || [])[0];
      if (e && e.seq === seq) showRequest(e); else toast('request #' + seq + ' is no longer in the journal', true);
    }).catch((e) => toast(e.message, true));
  }
  rowKeys($('req-table').tBodies[0], (tr) => openSeq(Number(tr.dataset.seq)));
  for (const id of ['f-vendor', 'f-method', 'f-status', 'f-text']) {
    $(id).addEventListener('input', () => { dirty = true; renderRequests(); });
  }
  $('req-filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').setAttribute('aria-pressed', paused ? 'true' : 'false');
    $('pause').textContent = paused ? 'Resume' : 'Pause';
    $('paused').hidden = !paused;
    if (!paused) { pending = 0; dirty = true; renderRequests(); }
  });
  $('clear-requests').addEventListener('click', async () => {
    if (!confirm('Clear the request journal and the violations?')) return;
    try {
      await api('DELETE', '/requests');
      rows = []; violations = []; selected = null; dirty = true; violDirty = true;
      $('req-detail').replaceChildren(el('p', { class: 'muted', text: 'Journal cleared.' }));
      renderRequests(); renderViolations();
    } catch (e) { toast(e.message, true); }
  });

  // ------------------------------------------------------------------ violations
  let violations = [];         // newest first
  let lastViol = 0;
  let violDirty = true;
  async function pollViolations() {
    const v = await api('GET', '/violations?after=' + lastViol);
    for (const x of v.violations || []) {
      violations.unshift(x);
      lastViol = Math.max(lastViol, x.seq);
      violDirty = true;
    }
    if (violations.length > MAX_ROWS) violations.length = MAX_ROWS;
  }
  function renderViolations() {
    $('count-violations').textContent = violations.length ? '(' + violations.length + ')' : '';
    if (!violDirty) return;
    violDirty = false;
    const tb = $('viol-table').tBodies[0];
    const frag = document.createDocumentFragment();
    for (const v of violations.slice(0, SHOWN_ROWS)) {
      const q = v.request || {};
      const label = '#' + q.seq + ' ' + q.method + ' ' + q.path + ' → ' + q.status;
      frag.append(el('tr', { tabindex: 0, 'data-seq': q.seq },
        el('td', { text: timeOf(v.time), title: v.time }),
        el('td', { text: v.vendor }),
        el('td', { text: v.effect }),
        el('td', { text: v.rule, title: v.rule + (v.quirk ? ' (' + v.quirk + ')' : '') }),
        el('td', { class: 'mono', text: v.source || '—', title: v.source ? 'source tag in docs/vendors.md' : 'an RFC rule' }),
        el('td', { class: 'mono', text: '--set ' + v.vendor + '.' + v.switch }),
        el('td', {}, el('button', { type: 'button', 'data-seq': q.seq, title: 'open the request', text: label }))));
    }
    tb.replaceChildren(frag);
    $('viol-empty').hidden = tb.rows.length > 0;
  }
  function openRequestOf(tr) {
    showTab('requests');
    openSeq(Number(tr.dataset.seq));
    $('req-detail').focus();
  }
  rowKeys($('viol-table').tBodies[0], openRequestOf);
  $('viol-table').tBodies[0].addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (b) openRequestOf(b);
  });

  // ------------------------------------------------------------------ data
  let dataTimer = null;
  async function loadData() {
    const vendor = $('d-vendor').value;
    if (!vendor) return;
    const kind = $('d-kind').value;
    const q = $('d-q').value.trim();
    try {
      const r = await api('GET', '/data?vendor=' + encodeURIComponent(vendor) + '&kind=' + kind + '&limit=200' + (q ? '&q=' + encodeURIComponent(q) : ''));
      const tb = $('data-table').tBodies[0];
      const frag = document.createDocumentFragment();
      for (const x of r.resources) {
        const email = Array.isArray(x.emails) && x.emails.length ? (x.emails.find((e) => e.primary) || x.emails[0]).value : '';
        const name = x.userName || x.displayName || '';
        const last = kind === 'users' ? (x.active === undefined ? '' : String(x.active)) : (Array.isArray(x.members) ? x.members.length + ' members' : '');
        frag.append(el('tr', { tabindex: 0, 'data-id': x.id },
          el('td', { class: 'mono', text: x.id, title: x.id }),
          el('td', { text: name, title: name }),
          el('td', { text: x.externalId || '' }),
          el('td', { text: email || '' }),
          el('td', { text: last })));
      }
      tb.replaceChildren(frag);
      $('d-count').textContent = r.matched + ' of ' + r.total + ' ' + kind + (r.matched > r.resources.length ? ' (first ' + r.resources.length + ' shown)' : '');
    } catch (e) { if (e.status !== 401) toast(e.message, true); }
  }
  async function showResource(tr) {
    for (const x of $('data-table').tBodies[0].rows) x.setAttribute('aria-selected', x === tr ? 'true' : 'false');
    try {
      const r = await api('GET', '/data?vendor=' + encodeURIComponent($('d-vendor').value) + '&kind=' + $('d-kind').value + '&id=' + encodeURIComponent(tr.dataset.id));
      const text = JSON.stringify(r.resource, null, 2);
      $('data-detail').replaceChildren(
        el('h3', {}, r.kind + ' ', el('span', { class: 'mono', text: r.resource.id }), r.pending ? ' (pending invite)' : ''),
        el('div', { class: 'curl-row' }, el('pre', { text: text }), copyButton(text)));
    } catch (e) { toast(e.message, true); }
  }
  rowKeys($('data-table').tBodies[0], showResource);
  $('data-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadData(); });
  $('d-q').addEventListener('input', () => { clearTimeout(dataTimer); dataTimer = setTimeout(loadData, 250); });
  $('d-vendor').addEventListener('change', loadData);
  $('d-kind').addEventListener('change', loadData);
  $('reset').addEventListener('click', async () => {
    if (!confirm('Reset every mounted profile to its fixtures? Everything created since is lost.')) return;
    try {
      const r = await api('POST', '/reset');
      toast('Reset: ' + Object.entries(r.reset).map(([k, v]) => k + ' ' + v.users + ' users, ' + v.groups + ' groups').join('; '));
      loadData();
    } catch (e) { toast(e.message, true); }
  });
  $('bulk-load').addEventListener('click', async () => {
    const vendor = $('d-vendor').value;
    const text = $('bulk-users').value;
    try { if (!Array.isArray(JSON.parse(text))) throw new Error('not an array'); } catch (e) {
      $('bulk-msg').textContent = 'That is not a JSON array of users: ' + e.message;
      return;
    }
    if (!confirm('Load these users into ' + vendor + '?')) return;
    try {
      const r = await api('POST', '/users?vendor=' + encodeURIComponent(vendor), text);
      $('bulk-msg').textContent = 'Loaded ' + r.loaded + '; ' + r.total + ' users now.';
      loadData();
    } catch (e) { $('bulk-msg').textContent = e.message; }
  });

  // ------------------------------------------------------------------ faults
  function describeRule(rule) {
    if (rule.network) return 'network: ' + rule.network;
    const parts = [];
    if (rule.status) parts.push(String(rule.status));
    if (rule.retry_after !== undefined && rule.retry_after !== null) parts.push('Retry-After ' + rule.retry_after);
    if (rule.latency_ms) parts.push('+' + rule.latency_ms + ' ms');
    if (rule.latency) parts.push('latency ' + JSON.stringify(rule.latency));
    return parts.join(', ') || '—';
  }
  function describeMatch(m) {
    const parts = Object.entries(m || {}).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => k + '=' + v);
    return parts.join(' ') || 'every SCIM request';
  }
  let faultsSeen = '';
  async function pollFaults() {
    const f = await api('GET', '/faults');
    const key = JSON.stringify(f);
    $('count-faults').textContent = (f.faults.length + f.breaks.length) ? '(' + (f.faults.length + f.breaks.length) + ')' : '';
    if (key === faultsSeen) return;
    faultsSeen = key;
    const tb = $('fault-table').tBodies[0];
    tb.replaceChildren(...f.faults.map((x) => el('tr', {},
      el('td', { text: x.id }),
      el('td', { text: describeRule(x.rule) }),
      el('td', { class: 'mono', text: describeMatch(x.rule.match) }),
      el('td', { text: x.remaining === null || x.remaining === undefined ? 'always' : x.remaining }),
      el('td', { text: x.fired }))));
    $('fault-empty').hidden = f.faults.length > 0;
    const ul = $('breaks');
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.brk : null;
    ul.replaceChildren(...f.available_breaks.map((b) => {
      const id = 'brk-' + b.name;
      const box = el('input', { type: 'checkbox', id: id, 'data-brk': b.name, checked: f.breaks.includes(b.name) });
      box.addEventListener('change', async () => {
        try {
          await api('POST', '/faults', box.checked ? { break: b.name } : { unbreak: b.name });
          toast((box.checked ? 'On: ' : 'Off: ') + b.name);
        } catch (e) { toast(e.message, true); box.checked = !box.checked; }
        pollFaults().catch(() => {});
      });
      return el('li', {}, box, ' ', el('label', { for: id, class: 'mono', text: b.name }), el('span', { class: 'desc', text: b.description }));
    }));
    if (focused) { const b = ul.querySelector('input[data-brk="' + focused + '"]'); if (b) b.focus(); }
  }
  $('fault-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const num = (id) => { const v = $(id).value.trim(); return v === '' ? undefined : Number(v); };
    const match = {};
    if ($('ff-method').value) match.method = $('ff-method').value;
    if ($('ff-path').value.trim()) match.path_suffix = $('ff-path').value.trim();
    if ($('ff-vendor').value) match.vendor = $('ff-vendor').value;
    const rule = { status: num('ff-status'), times: num('ff-times'), retry_after: num('ff-retry'), match: match };
    try {
      const r = await api('POST', '/faults', rule);
      $('fault-msg').textContent = 'Added fault ' + r.added.join(', ') + '.';
      await pollFaults();
    } catch (e) { $('fault-msg').textContent = e.message; }
  });
  $('clear-faults').addEventListener('click', async () => {
    if (!confirm('Clear every fault and turn every break switch off?')) return;
    try { await api('DELETE', '/faults'); await pollFaults(); toast('Faults cleared.'); } catch (e) { toast(e.message, true); }
  });

  // ------------------------------------------------------------------ main loop
  let ticking = false;
  async function tick() {
    if (locked || ticking) return;
    ticking = true;
    try {
      await pollRequests();
      await pollViolations();
      if (current() === 'faults' || Date.now() - (tick.faultsAt || 0) > 5000) {
        tick.faultsAt = Date.now();
        await pollFaults();
      }
      renderRequests();
      renderViolations();
    } catch (e) {
      if (e.status && e.status !== 401) toast(e.message, true);
    } finally {
      ticking = false;
    }
  }
  async function start() {
    try {
      info = await api('GET', '/info');
    } catch (e) {
      if (e.status !== 401) { toast(e.message, true); setTimeout(start, 2000); }
      return;
    }
    renderHeader();
    if (!started) {
      started = true;
      setInterval(tick, 1000);
    }
    await tick();
    if (current() === 'data') loadData();
  }

  const fromHash = location.hash.slice(1);
  showTab(tabs.some((t) => t.id === 'tab-' + fromHash) ? fromHash : 'requests');
  start();
})();
