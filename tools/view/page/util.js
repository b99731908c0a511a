// ctrace view: small helpers shared by the page's scripts.
//
// Every string that came from the trace reaches the page through
// textContent or the canvas's fillText, never innerHTML: a thread named
// "<img onerror=...>" is drawn as those characters.
'use strict';

const CT = (window.CT = window.CT || {});

CT.STATE_NAMES = ['Unknown', 'Running', 'Runnable', 'Sleeping', 'Uninterruptible', 'Stopped'];
// Perfetto's legend: Running dark green, Runnable light green,
// Uninterruptible orange, Sleeping light grey; Unknown hatched.
CT.STATE_COLORS = ['#9e9e9e', '#2e7d32', '#8bd68f', '#d9dde3', '#ef6c00', '#8d6e63'];
CT.RUNNING = 1;
CT.RUNNABLE = 2;

// Make a DOM element: el('td', {className: 'n'}, 'text', child...).
CT.el = function (tag, props, ...kids) {
  const e = document.createElement(tag);
  if (props) {
    for (const k in props) {
      if (k === 'style') e.style.cssText = props[k];
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), props[k]);
      else if (k === 'dataset') Object.assign(e.dataset, props[k]);
      else e[k] = props[k];
    }
  }
  for (const c of kids) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
};

// A duration in ns, to 4 significant digits with its unit.
CT.fmtDur = function (ns) {
  if (ns === null || ns === undefined || isNaN(ns)) return '-';
  const a = Math.abs(ns);
  if (a < 1e3) return ns.toFixed(0) + ' ns';
  if (a < 1e6) return (ns / 1e3).toPrecision(4) + ' µs';
  if (a < 1e9) return (ns / 1e6).toPrecision(4) + ' ms';
  return (ns / 1e9).toPrecision(5) + ' s';
};

// A time from the trace's first event: seconds with 9 decimals, grouped.
CT.fmtTime = function (ns) {
  const neg = ns < 0;
  ns = Math.round(Math.abs(ns));
  const s = Math.floor(ns / 1e9), frac = String(ns % 1e9).padStart(9, '0');
  return (neg ? '-' : '') + s + '.' + frac.slice(0, 3) + ' ' + frac.slice(3, 6) + ' ' +
    frac.slice(6) + ' s';
};

// Wall-clock time (CLOCK_REALTIME) of a time in the trace, from the
// file's CLOCK records: linear between the two nearest samples.
CT.wallTime = function (meta, ns) {
  const c = meta.clock;
  if (!c || !c.length) return null;
  let i = 0;
  while (i + 1 < c.length && c[i + 1][0] <= ns) i++;
  const a = c[i], b = c[Math.min(i + 1, c.length - 1)];
  let rate = 1;
  if (b[0] > a[0]) rate = ((b[1] - a[1]) * 1e9 + (b[2] - a[2])) / (b[0] - a[0]);
  const d = (ns - a[0]) * rate;
  let sec = a[1] + Math.floor((a[2] + d) / 1e9);
  let nsec = Math.round((a[2] + d) - Math.floor((a[2] + d) / 1e9) * 1e9);
  if (nsec >= 1e9) { sec += 1; nsec -= 1e9; }
  const iso = new Date(sec * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  return iso + '.' + String(nsec).padStart(9, '0') + ' UTC';
};

// A stable colour per name or thread: hue from a hash, pastel.
// Remembered: a frame asks for the same few colours thousands of times.
const colorCache = new Map();
CT.hashColor = function (key, light) {
  const ck = (light ? '1' : '0') + key;
  let c = colorCache.get(ck);
  if (c !== undefined) return c;
  let h = 2166136261;
  const s = String(key);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  const hue = ((h >>> 0) % 360);
  c = light ? 'hsl(' + hue + ',45%,82%)' : 'hsl(' + hue + ',50%,62%)';
  if (colorCache.size < 65536) colorCache.set(ck, c);
  return c;
};

// Nearest-rank percentile of sorted numbers (exact; the report's are
// within 1/128, so the page uses the report's histogram port below when
// it must agree with ctrace report).
CT.percentileSorted = function (v, p) {
  if (!v.length) return 0;
  const rank = Math.max(1, Math.ceil(p / 100 * v.length));
  return v[Math.min(rank, v.length) - 1];
};

// tools/analysis/hist.c, ported: values under 64 exact, then 64 buckets
// per power of two, each reported as its middle, clamped to min and max.
// Used where the page computes a window's percentiles itself, so they
// equal ctrace report --window's.
CT.Hist = class {
  constructor() { this.count = 0; this.sum = 0; this.min = 0; this.max = 0; this.b = new Map(); }
  static bucket(v) {
    if (v < 64) return v;
    const e = Math.floor(Math.log2(v));
    let ee = e;
    // guard log2 rounding at exact powers
    while (2 ** ee > v) ee--;
    while (2 ** (ee + 1) <= v) ee++;
    const sub = Math.floor((v - 2 ** ee) / 2 ** (ee - 6));
    return 64 + (ee - 6) * 64 + sub;
  }
  static mid(k) {
    if (k < 64) return k;
    const ee = Math.floor((k - 64) / 64) + 6, sub = (k - 64) % 64;
    const lo = 2 ** ee + sub * 2 ** (ee - 6);
    return lo + Math.floor((2 ** (ee - 6) - 1) / 2);
  }
  add(v) {
    if (!this.count || v < this.min) this.min = v;
    if (!this.count || v > this.max) this.max = v;
    this.count++;
    this.sum += v;
    const k = CT.Hist.bucket(v);
    this.b.set(k, (this.b.get(k) || 0) + 1);
  }
  percentile(p) {
    if (!this.count) return 0;
    if (p >= 100) return this.max;
    let rank = Math.ceil(p / 100 * this.count);
    if (rank < 1) rank = 1;
    const keys = [...this.b.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const k of keys) {
      seen += this.b.get(k);
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, CT.Hist.mid(k)));
    }
    return this.max;
  }
};

CT.clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);
