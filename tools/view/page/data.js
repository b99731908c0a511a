// ctrace view: the data side of the page.  Blocks (docs/view.md) are
// decoded into a Series per (row, level): columns in typed arrays, in
// time order, so drawing a window is a binary search and a loop.
//
// Two sources give Series to the timeline:
//   EmbeddedSource  every block is in the page (base64); a (row, level)
//                   is decoded the first time it is drawn
//   ServedSource    the page asks the server for the visible rows of a
//                   window at one level (GET /q) and keeps only that, so
//                   the tab's memory does not grow with the trace
'use strict';

// Field types, as tools/view/view.h numbers them.
const VF_U = 0, VF_S = 1, VF_STR = 2, VF_ID = 3, VF_F64 = 4, VF_BYTES = 5;

CT.Series = class {
  constructor(kind, cap) {
    this.kind = kind;
    this.len = 0;
    this.begin = new Float64Array(cap);
    this.end = new Float64Array(cap);
    this.n = new Uint32Array(cap);
    this.f = {};
    for (const [name, type] of kind.fields)
      this.f[name] = type === VF_BYTES ? new Array(cap) : new Float64Array(cap);
  }
  // The first item that ends after t (items are disjoint, so ends are
  // in order too).
  first(t) {
    let lo = 0, hi = this.len;
    const e = this.end;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (e[m] <= t) lo = m + 1; else hi = m;
    }
    return lo;
  }
  // The item at time t, or -1.
  at(t) {
    const i = this.first(t);
    return i < this.len && this.begin[i] <= t ? i : -1;
  }
  // Field values of item i as an object (for the details panel).
  item(i) {
    const o = { begin: this.begin[i], end: this.end[i], n: this.n[i] };
    const fs = this.n[i] === 1 ? this.kind.raw : this.kind.merged;
    for (const [name] of fs) o[name] = this.f[name][i];
    return o;
  }
};

const utf8 = new TextDecoder('utf-8', { fatal: false });

// Decode @count items of one block from u8[pos..pos+len) into series s.
CT.decodeBlock = function (s, u8, pos, len) {
  const end = pos + len, kind = s.kind;
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  let prev = 0;
  function u() {
    let v = 0, mul = 1, b;
    do {
      if (pos >= end) throw new Error('truncated block');
      b = u8[pos++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return v;
  }
  function zz(z) { return z % 2 ? -(z + 1) / 2 : z / 2; }
  while (pos < end) {
    const i = s.len;
    const n = u();
    const begin = prev + zz(u());
    s.begin[i] = begin;
    s.end[i] = begin + u();
    s.n[i] = n;
    prev = begin;
    const fs = n === 1 ? kind.raw : kind.merged;
    for (let k = 0; k < fs.length; k++) {
      const col = s.f[fs[k][0]];
      switch (fs[k][1]) {
        case VF_U: case VF_STR: col[i] = u(); break;
        case VF_S: col[i] = zz(u()); break;
        case VF_ID: { const lo = u(); col[i] = lo + u() * 4294967296; break; }
        case VF_F64: col[i] = dv.getFloat64(pos, true); pos += 8; break;
        case VF_BYTES: { const l = u(); col[i] = utf8.decode(u8.subarray(pos, pos + l)); pos += l; break; }
      }
    }
    s.len++;
  }
};

// Kinds from the meta: fields of raw and merged items, and their union.
CT.prepareKinds = function (meta) {
  meta.kindByName = {};
  meta.kinds.forEach((k, id) => {
    k.id = id;
    const seen = new Map();
    for (const f of k.raw.concat(k.merged)) if (!seen.has(f[0])) seen.set(f[0], f);
    k.fields = [...seen.values()];
    meta.kindByName[k.name] = k;
  });
};

CT.decodeBase64 = function (text) {
  text = text.replace(/\s+/g, '');
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const bin = atob(text), u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return u8;
};

// Everything in the page: blocks listed in meta.blocks, bytes in one blob.
//
// A frame decodes only the blocks of the window it draws: get() takes
// the timeline's window (view(), set by the timeline) and returns a
// Series of the blocks of (row, level) that overlap it, padded by one
// window's width on each side so that a pan or a small zoom reuses it.
// A row's blocks are in time order and so are their ends, so finding
// them is a binary search; the work of a frame is bounded by what is in
// view, not by the row's length.  whole() decodes a row's every item at
// level 0, for what needs them all (range statistics, search).
CT.EmbeddedSource = class {
  constructor(meta, blob) {
    this.meta = meta;
    this.blob = blob;
    this.cache = new Map();	// row * 16 + level -> {s, lo, hi}: blocks [lo, hi)
    this.full = new Map();	// row -> Series of every item at level 0
    this.index = new Map();	// row * 16 + level -> [block...]
    for (const b of meta.blocks || []) {
      const key = b[0] * 16 + b[1];
      if (!this.index.has(key)) this.index.set(key, []);
      this.index.get(key).push(b);
    }
    this.serve = false;
    this.view = null;	// () => [t0, t1]: the timeline's window
  }
  // Nothing to fetch: every window is here.
  want() {}
  // Blocks [lo, hi) of @blocks that overlap [t0, t1).
  static span(blocks, t0, t1) {
    let lo = 0, hi = blocks.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (blocks[m][4] <= t0) lo = m + 1; else hi = m; }
    let e = lo, top = blocks.length;
    while (e < top) { const m = (e + top) >> 1; if (blocks[m][3] < t1) e = m + 1; else top = m; }
    return [lo, e];
  }
  decode(row, blocks, lo, hi) {
    let cap = 0;
    for (let i = lo; i < hi; i++) cap += blocks[i][2];
    const s = new CT.Series(this.meta.kinds[this.meta.rows[row][0]], cap);
    try {
      for (let i = lo; i < hi; i++) CT.decodeBlock(s, this.blob, blocks[i][5], blocks[i][6]);
    } catch (e) {
      console.warn('ctrace view: row ' + row + ': ' + e.message);
    }
    return s;
  }
  get(row, level) {
    const key = row * 16 + level, blocks = this.index.get(key) || [];
    const w = this.view ? this.view() : [-Infinity, Infinity];
    const [lo, hi] = CT.EmbeddedSource.span(blocks, w[0], w[1]);
    const c = this.cache.get(key);
    if (c && c.lo <= lo && c.hi >= hi) return c.s;
    const pad = w[1] - w[0];
    const [plo, phi] = CT.EmbeddedSource.span(blocks, w[0] - pad, w[1] + pad);
    const s = this.decode(row, blocks, plo, phi);
    this.cache.set(key, { s, lo: plo, hi: phi });
    return s;
  }
  whole(row) {
    let s = this.full.get(row);
    if (!s) {
      const blocks = this.index.get(row * 16) || [];
      s = this.decode(row, blocks, 0, blocks.length);
      this.full.set(row, s);
    }
    return s;
  }
  // Every item of a row (level 0), for stories and statistics.
  raw(row) { return Promise.resolve(this.whole(row)); }
};

// The server's windows.  want() is called every frame with what is
// visible; when that is not inside what was fetched (or wants another
// level), one query is sent for the visible rows over three widths of
// time, and the frame draws what it has until the answer comes.
CT.ServedSource = class {
  constructor(meta, onData) {
    this.meta = meta;
    this.onData = onData;
    this.cur = new Map();	// row -> {s, level}
    this.win = null;	// {t0, t1, level, rows:Set}
    this.pending = null;
    this.serve = true;
    this.bytes = 0;
  }
  want(t0, t1, level, rows) {
    const w = this.win;
    const covered = w && w.level === level && t0 >= w.t0 && t1 <= w.t1 &&
      rows.every((r) => w.rows.has(r));
    if (covered || this.pending) { if (!covered) this.again = [t0, t1, level, rows]; return; }
    const span = t1 - t0, from = Math.max(0, Math.floor(t0 - span)), to = Math.ceil(t1 + span) + 1;
    const list = rows.slice(0, 2000);
    const url = 'q?from=' + from + '&to=' + to + '&level=' + level + '&rows=' + CT.rowList(list);
    this.pending = fetch(url).then((r) => {
      if (!r.ok) throw new Error('query: HTTP ' + r.status);
      return r.arrayBuffer();
    }).then((buf) => {
      const got = this.parse(new Uint8Array(buf));
      this.cur = got;
      this.win = { t0: from, t1: to, level, rows: new Set(list) };
      this.bytes = buf.byteLength;
    }).catch((e) => console.warn('ctrace view: ' + e.message)).finally(() => {
      this.pending = null;
      this.onData();
      if (this.again) { const a = this.again; this.again = null; this.want(...a); }
    });
  }
  // The answer: "CTVQ", level, blocks, then per block row, level, count, len, bytes.
  parse(u8) {
    const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    const out = new Map(), per = new Map();
    if (u8.length < 12 || dv.getUint32(0, true) !== 0x51565443) throw new Error('bad answer');
    const level = dv.getUint32(4, true), nb = dv.getUint32(8, true);
    let pos = 12;
    for (let i = 0; i < nb; i++) {
      const row = dv.getUint32(pos, true), count = dv.getUint32(pos + 8, true), len = dv.getUint32(pos + 12, true);
      if (!per.has(row)) per.set(row, []);
      per.get(row).push([pos + 16, len, count]);
      pos += 16 + len;
    }
    for (const [row, bl] of per) {
      let cap = 0;
      for (const b of bl) cap += b[2];
      const s = new CT.Series(this.meta.kinds[this.meta.rows[row][0]], cap);
      for (const b of bl) CT.decodeBlock(s, u8, b[0], b[1]);
      out.set(row, { s, level });
    }
    return out;
  }
  get(row, level) {
    const c = this.cur.get(row);
    if (c) return c.s;
    if (this.win && this.win.rows.has(row)) return CT.emptySeries(this.meta, row);
    return null;
  }
  // Every item of one row over [t0, t1) at level 0 (a region's story).
  raw(row, t0, t1) {
    const url = 'q?from=' + Math.max(0, Math.floor(t0)) + '&to=' + (Math.ceil(t1) + 1) +
      '&level=0&rows=' + row;
    return fetch(url).then((r) => r.arrayBuffer()).then((b) => {
      const m = this.parse(new Uint8Array(b)).get(row);
      return m ? m.s : CT.emptySeries(this.meta, row);
    });
  }
};

CT.emptySeries = function (meta, row) {
  return new CT.Series(meta.kinds[meta.rows[row][0]], 0);
};

// [1,2,3,7] -> "1-3,7"
CT.rowList = function (rows) {
  const r = [...rows].sort((a, b) => a - b), out = [];
  for (let i = 0; i < r.length;) {
    let j = i;
    while (j + 1 < r.length && r[j + 1] === r[j] + 1) j++;
    out.push(j > i ? r[i] + '-' + r[j] : String(r[i]));
    i = j + 1;
  }
  return out.join(',');
};
