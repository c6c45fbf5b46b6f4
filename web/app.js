// forkcast's page: a scenario from an example and a few fields, submitted to the API, followed
// over its event stream, and answered with the verdict and the chart. Plain browser JavaScript,
// no build step; every request goes to this server, with the API key as a Bearer token when one
// is entered. The stream is read with fetch rather than EventSource, which cannot send headers.
'use strict';

(() => {
  const KEY_STORAGE = 'forkcast.apiKey';
  /** The blank scenario: the OpenAPI document's example. */
  const BLANK = { dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, workload: { writesPerSec: 10000 }, snapshot: { durationSec: 30 } };

  const $ = (id) => document.getElementById(id);
  const form = $('scenario');
  const examples = new Map();
  let base = structuredClone(BLANK);
  /** Fields the person changed: only they are written over the example. */
  const dirty = new Set();
  let running = null;

  const headers = (extra = {}) => {
    const key = $('apiKey').value.trim();
    return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
  };

  function humanBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = Math.abs(bytes);
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
    return `${bytes < 0 ? '−' : ''}${Number(value.toFixed(digits))} ${units[unit]}`;
  }
  const humanSec = (sec) => (sec < 1 ? `${Number((sec * 1000).toPrecision(3))} ms` : `${Number(sec.toPrecision(3))} s`);

  /** A size field: a plain number of bytes, or what the API parses ("16GiB", "512 MB"). */
  const sizeValue = (text) => (/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);

  const FIELDS = {
    usedMemory: {
      // An example that gives `keys` instead shows an empty field; typing a size replaces the count.
      read: (s) => s.dataset.usedMemoryBytes ?? '',
      write: (s, v) => {
        delete s.dataset.keys;
        s.dataset.usedMemoryBytes = sizeValue(v);
      },
    },
    valueBytes: { read: (s) => s.dataset.valueBytes ?? '', write: (s, v) => (s.dataset.valueBytes = sizeValue(v)) },
    writesPerSec: { read: (s) => s.workload?.writesPerSec ?? 0, write: (s, v) => (workload(s).writesPerSec = Number(v)) },
    distribution: {
      read: (s) => s.workload?.keyDistribution?.type ?? 'uniform',
      write: (s, v) => (workload(s).keyDistribution = distribution(v)),
    },
    zipfExponent: { read: (s) => s.workload?.keyDistribution?.exponent ?? 0.99, write: (s) => (workload(s).keyDistribution = distribution($('distribution').value)) },
    hotKeyFraction: { read: (s) => s.workload?.keyDistribution?.hotKeyFraction ?? 0.01, write: (s) => (workload(s).keyDistribution = distribution($('distribution').value)) },
    hotWriteFraction: { read: (s) => s.workload?.keyDistribution?.hotWriteFraction ?? 0.9, write: (s) => (workload(s).keyDistribution = distribution($('distribution').value)) },
    durationSec: {
      read: (s) => s.snapshot?.durationSec ?? '',
      write: (s, v) => {
        const snapshot = (s.snapshot ??= {});
        delete snapshot.throughputBytesPerSec;
        snapshot.durationSec = Number(v);
      },
    },
    thp: { read: (s) => s.kernel?.thp ?? 'never', write: (s, v) => ((s.kernel ??= {}).thp = v) },
    thpCow: { read: (s) => s.kernel?.thpCow ?? 'split-4k', write: (s, v) => ((s.kernel ??= {}).thpCow = v) },
    disableThp: { read: (s) => s.redis?.disableThp ?? true, write: (s, v) => ((s.redis ??= {}).disableThp = v) },
    platform: { read: (s) => s.kernel?.platform ?? 'kvm', write: (s, v) => ((s.kernel ??= {}).platform = v) },
    hostMemory: {
      read: (s) => s.host?.memoryBytes ?? '',
      write: (s, v) => {
        const host = (s.host ??= {});
        if (v === '') delete host.memoryBytes;
        else host.memoryBytes = sizeValue(v);
      },
    },
  };

  const workload = (s) => (s.workload ??= {});
  function distribution(type) {
    if (type === 'zipf') return { type, exponent: Number($('zipfExponent').value || 0.99) };
    if (type === 'hotset') return { type, hotKeyFraction: Number($('hotKeyFraction').value || 0.01), hotWriteFraction: Number($('hotWriteFraction').value || 0.9) };
    return { type };
  }

  const fieldValue = (id) => {
    const el = $(id);
    return el.type === 'checkbox' ? el.checked : el.value.trim();
  };

  function fill() {
    for (const [id, field] of Object.entries(FIELDS)) {
      const el = $(id);
      const value = field.read(base);
      if (el.type === 'checkbox') el.checked = Boolean(value);
      else el.value = String(value);
    }
    const segmented = base.dataset.segments !== undefined;
    $('usedMemory').disabled = segmented;
    $('valueBytes').disabled = segmented;
    $('example-note').textContent = segmented ? 'This example’s dataset is a list of segments: its size is not edited here.' : base.name ?? '';
    form.dataset.distribution = $('distribution').value;
    dirty.clear();
    preview();
  }

  function scenario() {
    const s = structuredClone(base);
    for (const id of dirty) FIELDS[id].write(s, fieldValue(id));
    if (dirty.size > 0 && s.name) s.name = `${s.name} (edited)`;
    return s;
  }

  const preview = () => ($('preview').textContent = JSON.stringify(scenario(), null, 2));

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function setStatus(text, progress) {
    $('status').textContent = text;
    show('progress', progress !== undefined);
    if (progress !== undefined) $('progress').value = progress;
  }

  function showProblem(problem) {
    const box = $('problem');
    box.replaceChildren();
    const title = document.createElement('strong');
    title.textContent = `${problem.title ?? 'Error'}${problem.code ? ` (${problem.code})` : ''}`;
    const detail = document.createElement('p');
    detail.textContent = problem.detail ?? '';
    box.append(title, detail);
    if (Array.isArray(problem.errors)) {
      const list = document.createElement('ul');
      for (const e of problem.errors) {
        const li = document.createElement('li');
        li.textContent = `${e.path}: ${e.message}`;
        list.append(li);
      }
      box.append(list);
    }
    show('problem', true);
  }

  async function api(path, init = {}) {
    const res = await fetch(path, { ...init, headers: headers(init.headers) });
    if (!res.ok) {
      const type = res.headers.get('content-type') ?? '';
      const problem = type.includes('json') ? await res.json() : { title: res.statusText, detail: await res.text() };
      throw Object.assign(new Error(problem.detail ?? res.statusText), { problem });
    }
    return res;
  }

  /** Reads the event stream until a finished status; resolves with the last record seen. */
  async function follow(id, signal) {
    const res = await api(`/v1/simulations/${id}/events`, { signal, headers: { Accept: 'text/event-stream' } });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let last = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return last;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (!data) continue;
        last = JSON.parse(data);
        setStatus(`${last.status} · ${Math.round(last.progress * 100)}%`, last.progress);
        if (['completed', 'failed', 'cancelled'].includes(last.status)) {
          reader.cancel().catch(() => {});
          return last;
        }
      }
    }
  }

  function peakText(summary) {
    const oom = summary.oom;
    if (oom.limitBytes === null) return `peak ${humanBytes(oom.peakBytes)}; no host limit given (host.memoryBytes)`;
    const headroom = oom.limitBytes - oom.peakBytes;
    const tail =
      oom.firstExceededAtSec !== null
        ? `over the limit from ${oom.firstExceededAtSec.toFixed(1)} s`
        : `${humanBytes(headroom)} (${Number(((headroom / oom.limitBytes) * 100).toPrecision(3))}%) headroom`;
    return `peak ${humanBytes(oom.peakBytes)} of ${humanBytes(oom.limitBytes)}, ${tail}`;
  }

  function showVerdict(summary) {
    const verdict = summary.verdict;
    const level = verdict?.level ?? (summary.oom.atRisk === null ? 'unknown' : summary.oom.atRisk ? 'oom' : 'ok');
    const words = { ok: 'survives', tight: 'tight', oom: 'out of memory', unknown: 'no limit given' };
    const box = $('verdict');
    box.className = `verdict ${level}`;
    const label = document.createElement('span');
    label.className = 'level';
    label.textContent = words[level] ?? level;
    box.replaceChildren(label, document.createTextNode(verdict?.text ?? peakText(summary)));
    show('verdict', true);

    const warnings = $('warnings');
    warnings.replaceChildren(
      ...(summary.warnings ?? []).map((w) => {
        const li = document.createElement('li');
        const code = document.createElement('code');
        code.textContent = w.code;
        li.append(code, ` ${w.message}`);
        return li;
      }),
    );
    show('warnings', warnings.children.length > 0);

    const advice = $('advice');
    advice.replaceChildren(
      ...(summary.advice ?? []).filter((a) => typeof a?.text === 'string').map((a) => {
        const li = document.createElement('li');
        // The advice's own text usually states the verdict with the change already.
        li.textContent = a.verdict?.text && !a.text.includes(a.verdict.text) ? `${a.text} → ${a.verdict.text}` : a.text;
        return li;
      }),
    );
    show('advice', advice.children.length > 0);

    const figures = [
      ['fork pause (latest_fork_usec)', humanSec(summary.latestForkUsec / 1e6)],
      ['peak copy-on-write (current_cow_peak)', humanBytes(summary.cowPeakBytes)],
      ['peak host memory', humanBytes(summary.peakHostMemoryBytes)],
      ['child lifetime', humanSec(summary.rdbBgsaveTimeSec)],
      ['writes offered → served', `${Math.round(summary.writesPerSecOffered)}/s → ${Math.round(summary.writesPerSecAchieved)}/s`],
    ];
    $('figures').replaceChildren(
      ...figures.flatMap(([term, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = value;
        return [dt, dd];
      }),
    );
    show('figures', true);
  }

  async function showChart(id) {
    const text = await (await api(`/v1/simulations/${id}/chart.svg`)).text();
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.nodeName !== 'svg') throw new Error('the chart is not an SVG document');
    $('chart').replaceChildren(document.importNode(svg, true));
  }

  function showLinks(id) {
    const base = `/v1/simulations/${id}`;
    const links = { 'report-link': `${base}/report`, 'json-link': `${base}/result`, 'csv-link': `${base}/result?format=csv`, 'png-link': `${base}/chart.png` };
    for (const [linkId, href] of Object.entries(links)) $(linkId).href = href;
    show('links', true);
  }

  async function submit(event) {
    event.preventDefault();
    running?.abort();
    const controller = new AbortController();
    running = controller;
    for (const id of ['problem', 'verdict', 'warnings', 'advice', 'figures', 'links']) show(id, false);
    $('chart').replaceChildren();
    $('submit').disabled = true;
    setStatus('submitting…', 0);
    try {
      const res = await api('/v1/simulations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(scenario()),
        signal: controller.signal,
      });
      let record = await res.json();
      if (record.status !== 'completed') record = (await follow(record.id, controller.signal)) ?? record;
      if (record.status !== 'completed') {
        const latest = await (await api(`/v1/simulations/${record.id}`, { signal: controller.signal })).json();
        if (latest.status !== 'completed') throw Object.assign(new Error('not completed'), { problem: latest.error ?? { title: `Simulation ${latest.status}` } });
        record = latest;
      }
      const full = record.summary ? record : await (await api(`/v1/simulations/${record.id}`, { signal: controller.signal })).json();
      setStatus(`completed · ${full.id}`);
      showVerdict(full.summary);
      showLinks(full.id);
      await showChart(full.id);
    } catch (err) {
      if (controller.signal.aborted) return;
      setStatus('failed');
      showProblem(err.problem ?? { title: 'Request failed', detail: String(err.message ?? err) });
    } finally {
      if (running === controller) {
        running = null;
        $('submit').disabled = false;
      }
    }
  }

  /** With a key, a link cannot send it: fetch with the header and open what came back. */
  async function openWithKey(event) {
    if (!$('apiKey').value.trim()) return;
    event.preventDefault();
    try {
      const res = await api(event.currentTarget.getAttribute('href'));
      window.open(URL.createObjectURL(await res.blob()), '_blank', 'noopener');
    } catch (err) {
      showProblem(err.problem ?? { title: 'Request failed', detail: String(err.message ?? err) });
    }
  }

  async function init() {
    $('apiKey').value = localStorage.getItem(KEY_STORAGE) ?? '';
    $('apiKey').addEventListener('change', () => {
      const key = $('apiKey').value.trim();
      if (key) localStorage.setItem(KEY_STORAGE, key);
      else localStorage.removeItem(KEY_STORAGE);
    });
    for (const id of Object.keys(FIELDS)) {
      $(id).addEventListener('input', () => {
        dirty.add(id);
        form.dataset.distribution = $('distribution').value;
        preview();
      });
      $(id).addEventListener('change', () => {
        dirty.add(id);
        form.dataset.distribution = $('distribution').value;
        preview();
      });
    }
    $('example').addEventListener('change', () => {
      base = structuredClone(examples.get($('example').value) ?? BLANK);
      fill();
    });
    form.addEventListener('submit', submit);
    for (const id of ['report-link', 'json-link', 'csv-link', 'png-link']) $(id).addEventListener('click', openWithKey);
    fill();
    try {
      const presets = await (await api('/v1/presets')).json();
      for (const p of presets.platforms) $('platform').append(new Option(`${p.id} — ${p.label}`, p.id));
      for (const e of presets.examples) {
        examples.set(e.id, e.scenario);
        $('example').append(new Option(e.scenario.name ? `${e.id}: ${e.scenario.name}` : e.id, e.id));
      }
      fill();
      document.body.dataset.ready = 'true';
    } catch (err) {
      showProblem(err.problem ?? { title: 'Could not load the presets', detail: String(err.message ?? err) });
    }
  }

  init();
})();
