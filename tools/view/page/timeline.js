// ctrace view: the timeline, drawn with Canvas 2D.
//
// Tracks, top to bottom: the trace (losses, problems), one per CPU, then
// each process: its counters, its task lanes, and each thread with its
// regions (one line per depth) above its state band.  A frame draws only
// the tracks in view and, in each, only the items in the window: a
// binary search into the row's Series at the frame's level of detail,
// then one rectangle per pixel at most.  No DOM per item.
'use strict';

const K_CPU = 0, K_STATE = 1, K_REGION = 2, K_MARK = 3, K_COUNTER = 4, K_TASK = 5, K_FLOW = 6;
const RULER_H = 30, LABEL_W = 230, REGION_H = 16, STATE_H = 12, PAD = 3;
const HIDDEN = 4294967295;

CT.Timeline = class {
  constructor(canvas, meta, src, hooks) {
    this.cv = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.meta = meta;
    this.src = src;
    this.hooks = hooks;
    this.t0 = 0;
    this.t1 = Math.max(meta.span_ns, 1000);
    this.sy = 0;
    this.showWakeups = true;
    this.showFlows = true;
    this.sel = null;
    this.range = null;
    this.hover = null;
    this.frames = [];
    this.collapsed = new Set();
    this.stats = { cpuTracks: 0, threadTracks: 0, regionSlices: 0, regionItems: 0, arrows: 0 };
    this.index();
    this.layout();
    this.hatch = this.makeHatch('#b0b0b0', '#e6e6e6');
    this.lossHatch = this.makeHatch('rgba(211,47,47,0.35)', 'rgba(211,47,47,0.08)');
    this.bind();
    this.resize();
  }

  // Rows by what they belong to.
  index() {
    const m = this.meta;
    this.threadInfo = new Map();
    for (const [tid, pid, comm, depth] of m.threads)
      this.threadInfo.set(tid, { tid, pid, comm, depth, regions: [] });
    this.cpus = [];
    this.procs = new Map();
    const proc = (pid) => {
      if (!this.procs.has(pid)) this.procs.set(pid, { pid, threads: [], counters: [], lanes: [] });
      return this.procs.get(pid);
    };
    const thread = (tid) => {
      if (!this.threadInfo.has(tid)) this.threadInfo.set(tid, { tid, pid: 0, comm: '', depth: 0, regions: [] });
      return this.threadInfo.get(tid);
    };
    m.rows.forEach(([kind, a, b], row) => {
      if (kind === K_CPU) this.cpus.push({ cpu: a, row });
      else if (kind === K_STATE) thread(a).state = row;
      else if (kind === K_REGION) thread(a).regions[b - 1] = row;
      else if (kind === K_MARK) thread(a).marks = row;
      else if (kind === K_FLOW) thread(a).flows = row;
      else if (kind === K_COUNTER) proc(a).counters.push({ row, name: m.strings[b] || '' });
      else if (kind === K_TASK) proc(a).lanes[b] = row;
    });
    this.cpus.sort((x, y) => x.cpu - y.cpu);
    for (const th of this.threadInfo.values()) {
      th.depth = Math.max(th.depth, th.regions.length);
      if (th.state === undefined && !th.regions.length && th.marks === undefined && th.flows === undefined) continue;
      proc(th.pid).threads.push(th);
    }
    for (const p of this.procs.values()) {
      p.threads.sort((x, y) => x.tid - y.tid);
      const main = p.threads.find((t) => t.tid === p.pid) || p.threads[0];
      p.name = main ? main.comm : '';
      p.counters.sort((x, y) => (x.name < y.name ? -1 : 1));
      p.lanes = p.lanes.filter((r) => r !== undefined);
    }
    this.procList = [...this.procs.values()].sort((x, y) => (x.pid || 1e12) - (y.pid || 1e12));
  }

  layout() {
    const t = [];
    let y = 0;
    const add = (tr) => { tr.y = y; y += tr.h; t.push(tr); return tr; };
    add({ type: 'trace', h: 18 });
    for (const c of this.cpus) add({ type: 'cpu', row: c.row, cpu: c.cpu, h: 20 });
    this.threadTrack = new Map();
    for (const p of this.procList) {
      add({ type: 'proc', proc: p, h: 22 });
      if (this.collapsed.has(p.pid)) continue;
      for (const c of p.counters) add({ type: 'counter', row: c.row, name: c.name, proc: p, h: 34 });
      p.lanes.forEach((row, lane) => add({ type: 'task', row, lane, proc: p, h: 18 }));
      for (const th of p.threads) {
        const tr = add({ type: 'thread', th, h: PAD * 2 + th.depth * REGION_H + STATE_H });
        this.threadTrack.set(th.tid, tr);
      }
    }
    this.tracks = t;
    this.height = y;
    this.cpuTrack = new Map(t.filter((x) => x.type === 'cpu').map((x) => [x.cpu, x]));
  }

  makeHatch(fg, bg) {
    const c = document.createElement('canvas');
    c.width = c.height = 8;
    const g = c.getContext('2d');
    g.fillStyle = bg;
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = fg;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(0, 8); g.lineTo(8, 0);
    g.moveTo(-2, 2); g.lineTo(2, -2);
    g.moveTo(6, 10); g.lineTo(10, 6);
    g.stroke();
    return this.ctx.createPattern(c, 'repeat');
  }

  resize() {
    const r = this.cv.parentElement.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.w = Math.max(300, Math.floor(r.width));
    this.h = Math.max(200, Math.floor(r.height));
    this.cv.width = this.w * dpr;
    this.cv.height = this.h * dpr;
    this.cv.style.width = this.w + 'px';
    this.cv.style.height = this.h + 'px';
    this.dpr = dpr;
    this.redraw();
  }

  // Coordinates.
  get plotW() { return this.w - LABEL_W; }
  X(t) { return LABEL_W + (t - this.t0) * this.plotW / (this.t1 - this.t0); }
  T(x) { return this.t0 + (x - LABEL_W) * (this.t1 - this.t0) / this.plotW; }
  // The level of detail a frame draws: the coarsest whose shortest
  // merged item, W(L), is at most 4 pixels, so every item is at least a
  // pixel wide.  (At most a quarter of a pixel made four times as many
  // one-pixel rectangles, each a canvas call: most of a frame's time.)
  level() {
    const nsPerPx = (this.t1 - this.t0) / this.plotW, L = this.meta.levels;
    let l = 0;
    // Served, the arrows' raw items come with the frame's one query.
    if (this.src.serve && this.fine()) return 0;
    while (l + 1 < L.length && L[l + 1] <= nsPerPx * 4) l++;
    return l;
  }
  // Fine enough for arrows: wakeups and flows, from the raw items.
  fine() { return (this.t1 - this.t0) / this.plotW < this.meta.levels[1]; }

  redraw() {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.draw(); });
  }

  setView(t0, t1) {
    const span = this.meta.span_ns, minW = 200;
    if (t1 - t0 < minW) { const c = (t0 + t1) / 2; t0 = c - minW / 2; t1 = c + minW / 2; }
    const pad = (t1 - t0) * 0.05;
    if (t1 - t0 > span * 1.1 + minW) { t0 = -span * 0.05; t1 = span * 1.05; }
    if (t0 < -pad) { t1 += -pad - t0; t0 = -pad; }
    if (t1 > span + pad) { t0 -= t1 - span - pad; t1 = span + pad; }
    this.t0 = t0;
    this.t1 = t1;
    this.hooks.onView && this.hooks.onView();
    this.redraw();
  }

  zoom(f, x) {
    const t = this.T(x === undefined ? LABEL_W + this.plotW / 2 : x);
    this.setView(t - (t - this.t0) * f, t + (this.t1 - t) * f);
  }

  pan(dx) {
    const d = dx * (this.t1 - this.t0) / this.plotW;
    this.setView(this.t0 + d, this.t1 + d);
  }

  scrollTo(y) {
    this.sy = CT.clamp(y, 0, Math.max(0, this.height - (this.h - RULER_H) + 20));
    this.redraw();
  }

  visibleTracks() {
    const top = this.sy, bot = this.sy + this.h - RULER_H, out = [];
    for (const tr of this.tracks) if (tr.y + tr.h > top && tr.y < bot) out.push(tr);
    return out;
  }

  // The rows a frame draws, for the served source to fetch.
  rowsOf(tracks) {
    const r = [];
    for (const tr of tracks) {
      if (tr.type === 'thread') {
        const th = tr.th;
        if (th.state !== undefined) r.push(th.state);
        if (th.marks !== undefined) r.push(th.marks);
        if (th.flows !== undefined) r.push(th.flows);
        for (const x of th.regions) if (x !== undefined) r.push(x);
      } else if (tr.row !== undefined) {
        r.push(tr.row);
      }
    }
    return r;
  }

  draw() {
    const start = performance.now();
    const g = this.ctx, w = this.w, h = this.h;
    const level = this.level();
    const vis = this.visibleTracks();
    // Arrows may start on a track out of view: fetch the rows in view.
    this.src.want(this.t0, this.t1, level, this.rowsOf(vis));
    g.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, w, h);
    g.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    g.textBaseline = 'middle';
    if (!this.charW) this.charW = g.measureText('abcdefghijklmnopqrstuvwxyz0123456789').width / 36 * 1.05;
    const st = (this.stats = { cpuTracks: 0, threadTracks: 0, regionSlices: 0, regionItems: 0, arrows: 0, level });
    this.arrowQ = [];
    g.save();
    g.beginPath();
    g.rect(0, RULER_H, w, h - RULER_H);
    g.clip();
    let odd = false;
    for (const tr of vis) {
      const y = RULER_H + tr.y - this.sy;
      odd = !odd;
      g.fillStyle = tr.type === 'proc' ? '#eef1f5' : odd ? '#ffffff' : '#fafbfc';
      g.fillRect(0, y, w, tr.h);
      this.drawTrack(tr, y, level, st);
      g.fillStyle = '#e3e6ea';
      g.fillRect(0, y + tr.h - 1, w, 1);
    }
    this.drawLosses(g);
    this.drawArrows(g, level, vis, st);
    this.drawSelection(g);
    g.restore();
    this.drawLabelsEdge(g);
    this.drawRuler(g);
    this.drawScrollbar(g);
    this.frames.push(performance.now() - start);
    if (this.frames.length > 20000) this.frames.splice(0, 10000);
  }

  // Items of series s in the window: cb(i, x0, x1) once per pixel at most.
  each(s, cb) {
    if (!s || !s.len) return;
    const t0 = this.t0, t1 = this.t1, k = this.plotW / (t1 - t0);
    let lastPx = -1e9;
    for (let i = s.first(t0); i < s.len; i++) {
      const b = s.begin[i];
      if (b >= t1) break;
      let x0 = LABEL_W + (b - t0) * k, x1 = LABEL_W + (s.end[i] - t0) * k;
      if (x0 < LABEL_W) x0 = LABEL_W;
      if (x1 > this.w) x1 = this.w;
      if (x1 - x0 < 1) {
        if ((x0 | 0) <= lastPx) continue;
        x1 = x0 + 1;
      }
      lastPx = (x1 | 0) - 1;
      cb(i, x0, x1);
    }
  }

  label(g, text, x0, x1, y, color) {
    const w = x1 - x0 - 6;
    if (w < 16 || !text) return;
    const max = Math.floor(w / this.charW);
    if (max < 2) return;
    const t = text.length > max ? text.slice(0, max - 1) + '…' : text;
    g.fillStyle = color;
    g.fillText(t, x0 + 3, y, w);
  }

  // Rectangles of one row, [y, y + h): touching ones of the same style
  // and alpha become one fillRect (the pixels are the same), which at a
  // coarse level turns thousands of one-pixel items into a few runs.
  // Labels wait for flush(), so that no later run paints over them.
  bar(g, y, h) {
    let x0 = 0, x1 = -1e9, style = null, alpha = 1;
    const labels = [];
    const fill = () => {
      if (style === null) return;
      g.globalAlpha = alpha;
      g.fillStyle = style;
      g.fillRect(x0, y, x1 - x0, h);
      style = null;
    };
    return {
      add(a, b, st, al = 1) {
        if (st === style && al === alpha && a <= x1 + 0.01) { if (b > x1) x1 = b; return; }
        fill();
        x0 = a; x1 = b; style = st; alpha = al;
      },
      label(...args) { labels.push(args); },
      flush: () => {
        fill();
        g.globalAlpha = 1;
        for (const l of labels) this.label(g, ...l);
      },
    };
  }

  threadName(tid) {
    if (tid === 0) return 'idle';
    if (tid === HIDDEN) return "another user's thread";
    const th = this.threadInfo.get(tid);
    return (th && th.comm ? th.comm : '?') + ' ' + tid;
  }

  drawTrack(tr, y, level, st) {
    const g = this.ctx, m = this.meta;
    switch (tr.type) {
      case 'trace': {
        g.fillStyle = '#555';
        g.fillText(m.problem ? 'Trace: ' + (m.problem) : 'Trace', 8, y + tr.h / 2, LABEL_W - 12);
        break;
      }
      case 'cpu': {
        st.cpuTracks++;
        g.fillStyle = '#333';
        g.fillText('CPU ' + tr.cpu, 8, y + tr.h / 2, LABEL_W - 12);
        const s = this.src.get(tr.row, level), bar = this.bar(g, y + 2, tr.h - 4);
        this.each(s, (i, x0, x1) => {
          const tid = s.f.tid[i];
          if (s.n[i] === 1 && tid === 0) return;
          // A merged item's alpha, in steps of 1/8 so that runs can form.
          const al = s.n[i] === 1 ? 1 : Math.max(0.25, Math.round(8 * s.f.busy[i] / (s.end[i] - s.begin[i] || 1)) / 8);
          bar.add(x0, x1, tid === HIDDEN ? '#bdbdbd' : CT.hashColor(tid), al);
          if (s.n[i] === 1) bar.label(this.threadName(tid), x0, x1, y + tr.h / 2, '#111');
        });
        bar.flush();
        break;
      }
      case 'proc': {
        const p = tr.proc;
        g.fillStyle = '#1f2937';
        g.font = '600 12px system-ui, sans-serif';
        g.fillText((this.collapsed.has(p.pid) ? '▸ ' : '▾ ') + (p.name || 'process') +
          (p.pid ? ' (pid ' + p.pid + ')' : ' (pid unknown)') + ' · ' + p.threads.length +
          ' thread' + (p.threads.length === 1 ? '' : 's'), 8, y + tr.h / 2, w0(this.w) - 16);
        g.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
        break;
      }
      case 'counter': {
        g.fillStyle = '#333';
        g.fillText(tr.name, 20, y + tr.h / 2, LABEL_W - 24);
        const s = this.src.get(tr.row, level);
        if (!s || !s.len) break;
        let lo = Infinity, hi = -Infinity;
        this.each(s, (i) => {
          const a = s.n[i] === 1 ? s.f.value[i] : s.f.min[i], b = s.n[i] === 1 ? s.f.value[i] : s.f.max[i];
          if (a < lo) lo = a;
          if (b > hi) hi = b;
        });
        if (lo === Infinity) break;
        if (lo > 0) lo = 0;
        const span = hi - lo || 1, top = y + 4, hh = tr.h - 8;
        const Y = (v) => top + hh - (v - lo) / span * hh;
        g.fillStyle = 'rgba(25,118,210,0.35)';
        g.strokeStyle = '#1565c0';
        this.each(s, (i, x0, x1) => {
          if (s.n[i] === 1) {
            const yv = Y(s.f.value[i]);
            g.fillRect(x0, yv, x1 - x0, top + hh - yv);
            g.fillStyle = '#1565c0';
            g.fillRect(x0, yv, x1 - x0, 1);
            g.fillStyle = 'rgba(25,118,210,0.35)';
          } else {
            const a = Y(s.f.max[i]), b = Y(s.f.min[i]);
            g.fillRect(x0, a, x1 - x0, top + hh - a);
            g.fillStyle = '#1565c0';
            g.fillRect(x0, a, x1 - x0, Math.max(1, b - a));
            g.fillStyle = 'rgba(25,118,210,0.35)';
          }
        });
        g.fillStyle = '#555';
        g.fillText(fmtNum(hi), LABEL_W + 4, y + 9, 80);
        break;
      }
      case 'task': {
        if (tr.lane === 0) {
          g.fillStyle = '#333';
          g.fillText('Tasks', 20, y + tr.h / 2, LABEL_W - 24);
        }
        const s = this.src.get(tr.row, level);
        this.each(s, (i, x0, x1) => {
          const raw = s.n[i] === 1, name = raw ? m.strings[s.f.name[i]] : '';
          g.fillStyle = raw ? CT.hashColor('task:' + name, true) : '#d6d6e6';
          g.fillRect(x0, y + 2, x1 - x0, tr.h - 4);
          g.fillStyle = raw ? CT.hashColor('task:' + name) : '#9a9ab0';
          g.fillRect(x0, y + 2, Math.min(2, x1 - x0), tr.h - 4);
          if (raw) this.label(g, name + ' #' + s.f.task[i], x0 + 2, x1, y + tr.h / 2, '#1a1a1a');
          else this.label(g, s.n[i] + ' tasks', x0, x1, y + tr.h / 2, '#333');
        });
        break;
      }
      case 'thread':
        st.threadTracks++;
        this.drawThread(tr, y, level, st);
        break;
    }
  }

  drawThread(tr, y, level, st) {
    const g = this.ctx, th = tr.th, m = this.meta;
    g.fillStyle = '#222';
    g.fillText(this.threadName(th.tid), 20, y + tr.h - PAD - STATE_H / 2, LABEL_W - 24);
    // Regions: one line per depth, outermost on top.
    th.regions.forEach((row, d) => {
      if (row === undefined) return;
      const s = this.src.get(row, level), yy = y + PAD + d * REGION_H;
      const bar = this.bar(g, yy + 1, REGION_H - 2), open = [];
      this.each(s, (i, x0, x1) => {
        const raw = s.n[i] === 1, name = m.strings[s.f.name[i]] || '';
        st.regionSlices++;
        st.regionItems += s.n[i];
        // System calls ("read()") in one quiet colour, below the regions.
        const sys = name.endsWith('()');
        bar.add(x0, x1, sys ? (raw ? '#b8c2cf' : '#cdd4dd') : raw ? CT.hashColor(name) : CT.hashColor(name, true));
        if (raw && (s.f.flags[i] & 3)) open.push([Math.max(x0, x1 - 6), Math.min(6, x1 - x0)]);
        bar.label(raw ? name : name + ' ×' + s.n[i], x0, x1, yy + REGION_H / 2, '#111');
      });
      bar.flush();
      // Incomplete regions: hatched at their open end, over the runs.
      g.fillStyle = this.hatch;
      for (const [x, w] of open) g.fillRect(x, yy + 1, w, REGION_H - 2);
    });
    // The state band.
    const sy = y + PAD + th.depth * REGION_H;
    if (th.state !== undefined) {
      const s = this.src.get(th.state, level), bar = this.bar(g, sy, STATE_H);
      const sk = s ? [s.f.s0, s.f.s1, s.f.s2, s.f.s3, s.f.s4, s.f.s5] : null;
      this.each(s, (i, x0, x1) => {
        let state;
        if (s.n[i] === 1) {
          state = s.f.state[i];
        } else {
          state = 0;
          let best = -1;
          for (let k = 0; k < 6; k++) {
            const v = sk[k][i];
            if (v > best) { best = v; state = k; }
          }
        }
        bar.add(x0, x1, state === 0 ? this.hatch : CT.STATE_COLORS[state]);
        if (s.n[i] === 1 && state === CT.RUNNING && x1 - x0 > 40)
          bar.label('CPU ' + (s.f.cpu[i] - 1), x0, x1, sy + STATE_H / 2, '#fff');
      });
      bar.flush();
    }
    // Logs and instants on the band's top edge.
    if (th.marks !== undefined) {
      const s = this.src.get(th.marks, level);
      this.each(s, (i, x0) => {
        const log = s.n[i] > 1 || s.f.type[i] === 7;
        g.fillStyle = s.n[i] > 1 ? '#37474f' : log ? '#1565c0' : '#6a1b9a';
        g.beginPath();
        if (log) { g.moveTo(x0 - 4, sy - 1); g.lineTo(x0 + 4, sy - 1); g.lineTo(x0, sy + 6); }
        else { g.moveTo(x0, sy - 2); g.lineTo(x0 + 4, sy + 3); g.lineTo(x0, sy + 8); g.lineTo(x0 - 4, sy + 3); }
        g.fill();
      });
    }
  }

  // y of a thread's state band middle (or its CPU's track), on screen.
  bandY(tid, cpu) {
    const tr = this.threadTrack.get(tid);
    if (tr) return RULER_H + tr.y - this.sy + tr.h - PAD - STATE_H / 2;
    const c = this.cpuTrack.get(cpu);
    if (c) return RULER_H + c.y - this.sy + c.h / 2;
    return null;
  }

  drawArrows(g, level, vis, st) {
    const list = [];
    const wantWake = this.showWakeups && this.fine();
    const wantFlow = this.showFlows && this.fine();
    for (const tr of vis) {
      if (tr.type !== 'thread') continue;
      const th = tr.th;
      if (wantWake && th.state !== undefined) {
        const s = this.src.get(th.state, 0);
        if (s) this.each(s, (i) => {
          if (s.n[i] !== 1 || s.f.state[i] !== CT.RUNNABLE || (!s.f.waker[i] && !s.f.waker_cpu[i])) return;
          list.push([s.begin[i], s.f.waker[i], s.f.waker_cpu[i] - 1, s.begin[i], th.tid, 'w']);
        });
      }
      if (wantFlow && th.flows !== undefined) {
        const s = this.src.get(th.flows, 0);
        if (s) this.each(s, (i) => {
          list.push([s.begin[i] - s.f.back[i], s.f.from_tid[i], -1, s.begin[i], th.tid, 'f']);
        });
      }
    }
    if (this.focus) for (const a of this.focus) list.push(a);
    let n = 0;
    for (const [ta, from, cpu, tb, to, kind] of list) {
      if (n > 4000) break;
      const y0 = this.bandY(from, cpu), y1 = this.bandY(to, -1);
      if (y0 === null || y1 === null) continue;
      const x0 = this.X(ta), x1 = this.X(tb);
      if (Math.max(x0, x1) < LABEL_W || Math.min(x0, x1) > this.w) continue;
      const hot = kind === 'W';
      g.strokeStyle = kind === 'f' ? 'rgba(106,27,154,0.8)' : hot ? '#d50000' : 'rgba(33,33,33,0.55)';
      g.fillStyle = g.strokeStyle;
      g.lineWidth = hot ? 2 : 1;
      arrow(g, x0, y0, x1, y1);
      n++;
    }
    g.lineWidth = 1;
    st.arrows = n;
  }

  drawLosses(g) {
    const L = this.meta.losses;
    if (!L || !L.length) return;
    let free = 0;	/* labels must not overlap: the first x still free */
    for (const [ns, from, count, kind, ring, corrupt] of L) {
      if (ns < this.t0 || from > this.t1) continue;
      let x0 = this.X(from), x1 = this.X(ns);
      if (x1 - x0 < 2) { x0 -= 1; x1 = x0 + 2; }
      x0 = Math.max(x0, LABEL_W);
      g.fillStyle = corrupt ? 'rgba(245,124,0,0.16)' : 'rgba(211,47,47,0.13)';
      g.fillRect(x0, RULER_H, x1 - x0, this.h - RULER_H);
      g.fillStyle = corrupt ? '#ef6c00' : '#d32f2f';
      g.fillRect(x1 - 1, RULER_H, 2, this.h - RULER_H);
      const ty = RULER_H - this.sy;
      if (ty > RULER_H - 18) {
        const text = corrupt ? 'corrupt' : count ? 'lost ' + count : 'gap';
        g.fillRect(x0, ty + 2, Math.max(3, x1 - x0), 14);
        if (x1 + 2 >= free) {
          this.label(g, text, x1 + 2, x1 + 80, ty + 9, '#b71c1c');
          free = x1 + 2 + Math.min(78, g.measureText(text).width) + 6;
        }
      }
    }
  }

  drawSelection(g) {
    const r = this.range;
    if (r) {
      const x0 = Math.max(LABEL_W, this.X(r.a)), x1 = Math.min(this.w, this.X(r.b));
      if (x1 > x0) {
        g.fillStyle = 'rgba(30,110,255,0.10)';
        g.fillRect(x0, RULER_H, x1 - x0, this.h - RULER_H);
        g.fillStyle = '#1e6eff';
        g.fillRect(x0, RULER_H, 1, this.h - RULER_H);
        g.fillRect(x1 - 1, RULER_H, 1, this.h - RULER_H);
      }
    }
    const s = this.sel;
    if (s && s.y0 !== undefined) {
      const tr = s.track, y = RULER_H + tr.y - this.sy + s.y0;
      const x0 = this.X(s.item.begin), x1 = Math.max(this.X(s.item.end), x0 + 2);
      g.strokeStyle = '#000';
      g.lineWidth = 2;
      g.strokeRect(x0, y, x1 - x0, s.h);
      g.lineWidth = 1;
    }
  }

  drawLabelsEdge(g) {
    g.fillStyle = '#d0d4da';
    g.fillRect(LABEL_W - 1, RULER_H, 1, this.h - RULER_H);
  }

  drawRuler(g) {
    const w = this.w;
    g.fillStyle = '#f3f4f6';
    g.fillRect(0, 0, w, RULER_H);
    g.fillStyle = '#c9cdd3';
    g.fillRect(0, RULER_H - 1, w, 1);
    const span = this.t1 - this.t0, target = span * 110 / this.plotW;
    let step = Math.pow(10, Math.floor(Math.log10(target)));
    if (step * 2 >= target) step *= 2; else if (step * 5 >= target) step *= 5; else step *= 10;
    g.fillStyle = '#374151';
    g.font = '11px system-ui, sans-serif';
    const unit = step >= 1e9 ? [1e9, 's'] : step >= 1e6 ? [1e6, 'ms'] : step >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
    const dec = Math.max(0, Math.ceil(-Math.log10(step / unit[0]) + 0.0001));
    for (let t = Math.ceil(this.t0 / step) * step; t < this.t1; t += step) {
      const x = this.X(t);
      if (x < LABEL_W) continue;
      g.fillRect(x, RULER_H - 8, 1, 7);
      g.fillText((t / unit[0]).toFixed(dec) + ' ' + unit[1], x + 3, 12, step * this.plotW / span - 6);
    }
    g.fillStyle = '#6b7280';
    g.fillText('from the first event · ' + CT.fmtDur(span) + ' shown', 8, 12, LABEL_W - 12);
    if (this.range) {
      g.fillStyle = '#1e6eff';
      const x = CT.clamp(this.X((this.range.a + this.range.b) / 2), LABEL_W + 40, w - 40);
      g.fillText('Δ ' + CT.fmtDur(this.range.b - this.range.a), x - 30, RULER_H - 8, 120);
    }
    if (this.hoverX !== undefined && this.hoverX > LABEL_W) {
      const t = this.T(this.hoverX);
      g.fillStyle = 'rgba(0,0,0,0.5)';
      g.fillRect(this.hoverX, RULER_H, 1, this.h - RULER_H);
      const txt = CT.fmtTime(t) + (this.wallOf(t) ? '  ·  ' + this.wallOf(t) : '');
      const tw = g.measureText(txt).width + 10;
      const x = Math.min(this.hoverX + 6, w - tw - 2);
      g.fillStyle = '#111827';
      g.fillRect(x, RULER_H - 14, tw, 14);
      g.fillStyle = '#fff';
      g.fillText(txt, x + 5, RULER_H - 7);
    }
  }

  wallOf(t) { return CT.wallTime(this.meta, t); }

  drawScrollbar(g) {
    const vh = this.h - RULER_H;
    if (this.height <= vh) return;
    const hh = Math.max(20, vh * vh / this.height), y = RULER_H + this.sy / this.height * vh;
    g.fillStyle = 'rgba(0,0,0,0.25)';
    g.fillRect(this.w - 6, y, 4, hh);
  }

  // What is under (x, y): {track, row, level, i, series, item, y0, h}.
  hit(x, y) {
    if (y < RULER_H || x < LABEL_W) return null;
    const yy = y - RULER_H + this.sy, level = this.level();
    const tr = this.tracks.find((t) => yy >= t.y && yy < t.y + t.h);
    if (!tr) return null;
    const t = this.T(x), tol = 3 * (this.t1 - this.t0) / this.plotW;
    const find = (row, y0, h, point) => {
      if (row === undefined) return null;
      const s = this.src.get(row, level);
      if (!s || !s.len) return null;
      let i = s.first(t - tol);
      if (i >= s.len || s.begin[i] > t + tol) return null;
      if (!point) { const j = s.at(t); if (j >= 0) i = j; }
      return { track: tr, row, level, i, series: s, item: s.item(i), y0, h, kind: this.meta.rows[row][0] };
    };
    const ly = yy - tr.y;
    if (tr.type === 'thread') {
      const th = tr.th, bandTop = PAD + th.depth * REGION_H;
      if (ly >= bandTop - 3) {
        if (ly < bandTop + 8) { const mk = find(th.marks, bandTop - 2, 10, true); if (mk) return mk; }
        return find(th.state, bandTop, STATE_H);
      }
      const d = Math.floor((ly - PAD) / REGION_H);
      return find(th.regions[d], PAD + d * REGION_H, REGION_H);
    }
    if (tr.type === 'cpu' || tr.type === 'task' || tr.type === 'counter') return find(tr.row, 1, tr.h - 2);
    if (tr.type === 'proc') return { track: tr };
    if (tr.type === 'trace') {
      for (const l of this.meta.losses || [])
        if (t >= l[1] - tol && t <= l[0] + tol) return { track: tr, loss: l };
    }
    return null;
  }

  // Jump: show [a, b) with a margin, and scroll to a thread.
  focusOn(a, b, tid) {
    const pad = Math.max((b - a) * 0.25, 500);
    this.setView(a - pad, b + pad);
    const tr = tid !== undefined ? this.threadTrack.get(tid) : null;
    if (tid !== undefined && !tr) {
      const th = this.threadInfo.get(tid);
      if (th && this.collapsed.has(th.pid)) { this.collapsed.delete(th.pid); this.layout(); }
    }
    const t2 = tid !== undefined ? this.threadTrack.get(tid) : null;
    if (t2) this.scrollTo(t2.y - (this.h - RULER_H) / 3);
  }

  bind() {
    const cv = this.cv;
    let drag = null;
    cv.addEventListener('wheel', (e) => {
      e.preventDefault();
      if (e.ctrlKey || e.metaKey) this.zoom(Math.exp(e.deltaY * 0.01), e.offsetX);
      else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.pan(e.shiftKey ? e.deltaY : e.deltaX);
      else this.scrollTo(this.sy + e.deltaY);
    }, { passive: false });
    cv.addEventListener('mousedown', (e) => {
      cv.focus();
      const ranging = e.shiftKey || e.offsetY < RULER_H;
      drag = { x: e.offsetX, y: e.offsetY, t0: this.t0, t1: this.t1, sy: this.sy, ranging, moved: false };
      if (ranging && e.offsetX > LABEL_W) this.range = null;
    });
    window.addEventListener('mousemove', (e) => {
      const r = cv.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
      if (drag) {
        if (Math.abs(x - drag.x) + Math.abs(y - drag.y) > 3) drag.moved = true;
        if (!drag.moved) return;
        if (drag.ranging) {
          const a = this.T(Math.max(LABEL_W, Math.min(drag.x, x))), b = this.T(Math.max(drag.x, x));
          this.range = { a, b };
          this.redraw();
        } else {
          const d = (drag.x - x) * (drag.t1 - drag.t0) / this.plotW;
          this.setView(drag.t0 + d, drag.t1 + d);
          this.scrollTo(drag.sy + (drag.y - y));
        }
        return;
      }
      if (x < 0 || y < 0 || x > this.w || y > this.h) {
        if (this.hoverX !== undefined) { this.hoverX = undefined; this.hooks.onHover(null); this.redraw(); }
        return;
      }
      this.hoverX = x;
      this.hooks.onHover(this.hit(x, y), e.clientX, e.clientY);
      this.redraw();
    });
    window.addEventListener('mouseup', (e) => {
      if (!drag) return;
      const d = drag;
      drag = null;
      if (d.ranging && d.moved && this.range) { this.hooks.onRange(this.range); return; }
      if (d.moved) return;
      const r = cv.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
      const h = this.hit(x, y);
      if (h && h.track.type === 'proc' && !h.item) {
        const pid = h.track.proc.pid;
        if (this.collapsed.has(pid)) this.collapsed.delete(pid); else this.collapsed.add(pid);
        this.layout();
        this.redraw();
        return;
      }
      this.select(h);
    });
    cv.addEventListener('keydown', (e) => this.key(e));
    window.addEventListener('keydown', (e) => {
      if (e.target === document.body) this.key(e);
    });
    // Whatever changes the box's size (the window, a banner above it,
    // the panels below): the canvas follows.
    if (window.ResizeObserver) new ResizeObserver(() => this.resize()).observe(this.cv.parentElement);
    else window.addEventListener('resize', () => this.resize());
  }

  select(h) {
    this.sel = h && (h.item || h.loss) ? h : null;
    this.focus = null;
    this.hooks.onSelect(this.sel);
    this.redraw();
  }

  key(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    const x = this.hoverX > LABEL_W ? this.hoverX : undefined;
    if (k === 'w') this.zoom(0.8, x);
    else if (k === 's') this.zoom(1.25, x);
    else if (k === 'a') this.pan(-this.plotW * 0.1);
    else if (k === 'd') this.pan(this.plotW * 0.1);
    else if (k === '0') this.setView(0, this.meta.span_ns);
    else if (k === 'f') {
      if (this.range) this.focusOn(this.range.a, this.range.b);
      else if (this.sel && this.sel.item) this.focusOn(this.sel.item.begin, this.sel.item.end);
    } else if (k === 'escape') { this.range = null; this.select(null); this.hooks.onRange(null); }
    else return;
    e.preventDefault();
  }
};

function w0(w) { return w; }

function fmtNum(v) {
  if (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0)) return v.toExponential(3);
  return String(Math.round(v * 1000) / 1000);
}

// A line from (x0, y0) to (x1, y1), bowed when vertical, with a head.
function arrow(g, x0, y0, x1, y1) {
  const mx = (x0 + x1) / 2 + (Math.abs(x1 - x0) < 4 ? 10 : 0), my = (y0 + y1) / 2;
  g.beginPath();
  g.moveTo(x0, y0);
  g.quadraticCurveTo(mx, my, x1, y1);
  g.stroke();
  const a = Math.atan2(y1 - my, x1 - mx);
  g.beginPath();
  g.moveTo(x1, y1);
  g.lineTo(x1 - 7 * Math.cos(a - 0.45), y1 - 7 * Math.sin(a - 0.45));
  g.lineTo(x1 - 7 * Math.cos(a + 0.45), y1 - 7 * Math.sin(a + 0.45));
  g.closePath();
  g.fill();
}
