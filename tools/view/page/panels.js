// ctrace view: what is beside the timeline, as DOM built with
// textContent only: the details of the selected item (for a region, its
// time by state and its story: switch-outs, the wakeup that ended each
// wait and who issued it, switch-ins), a range's statistics, the
// report's tables (sortable; a row jumps to the timeline), and search.
'use strict';

const STATE_KEYS = ['unknown', 'running', 'runnable', 'sleeping', 'uninterruptible', 'stopped'];
const SPLIT_ORDER = [1, 2, 3, 4, 5, 0];
const { el } = CT;

CT.Panels = class {
  constructor(meta, src, tl) {
    this.meta = meta;
    this.src = src;
    this.tl = tl;
    this.side = document.getElementById('side');
    this.tabs = document.getElementById('tabs');
    this.tables = document.getElementById('tables');
    this.tip = document.getElementById('tip');
    this.report = meta.report ? meta.report.report : null;
    this.buildTabs();
    this.showHelp();
  }

  str(i) { return this.meta.strings[i] || ''; }
  tname(tid) { return this.tl.threadName(tid); }

  // ------------------------------------------------------------ hover
  hover(h, cx, cy) {
    const tip = this.tip;
    if (!h || (!h.item && !h.loss)) { tip.hidden = true; return; }
    tip.replaceChildren(...this.summary(h).map((l, k) => el('div', k ? null : { className: 'tip-h' }, l)));
    tip.hidden = false;
    const r = tip.getBoundingClientRect();
    tip.style.left = Math.min(cx + 14, window.innerWidth - r.width - 8) + 'px';
    tip.style.top = Math.min(cy + 14, window.innerHeight - r.height - 8) + 'px';
  }

  // A few lines about an item.
  summary(h) {
    if (h.loss) return [h.loss[5] ? 'Corrupt records' : 'Events lost', CT.fmtTime(h.loss[1]) + ' to ' + CT.fmtTime(h.loss[0])];
    const it = h.item, d = CT.fmtDur(it.end - it.begin), k = h.kind;
    if (it.n > 1) return [it.n + ' items merged (zoom in)', CT.fmtTime(it.begin) + ' · ' + d];
    switch (k) {
      case K_CPU: return [it.tid ? this.tname(it.tid) : 'idle', d + ' at ' + CT.fmtTime(it.begin)];
      case K_STATE: return [CT.STATE_NAMES[it.state] + (it.state === 1 ? ' on CPU ' + (it.cpu - 1) : ''), d + ' at ' + CT.fmtTime(it.begin),
        it.state === 2 && it.waker ? 'woken by ' + this.tname(it.waker) : null].filter(Boolean);
      case K_REGION: return [this.str(it.name), d + ' at ' + CT.fmtTime(it.begin)];
      case K_MARK: return [(it.type === 7 ? 'log ' : 'instant ') + this.str(it.name), it.msg || '', CT.fmtTime(it.begin)];
      case K_COUNTER: return [h.track.name + ' = ' + it.value, CT.fmtTime(it.begin)];
      case K_TASK: return ['task ' + this.str(it.name) + ' #' + it.task, d];
      case K_FLOW: return ['flow ' + this.str(it.name), 'from ' + this.tname(it.from_tid)];
    }
    return [''];
  }

  // ---------------------------------------------------------- details
  select(h) {
    if (!h) { this.showHelp(); return; }
    const box = el('div', { className: 'details' });
    const dl = el('dl');
    const row = (k, v) => { dl.append(el('dt', null, k), el('dd', null, v)); };
    const times = (it) => {
      row('Start', CT.fmtTime(it.begin));
      const w = CT.wallTime(this.meta, it.begin);
      if (w) row('Wall clock', w);
      if (it.end !== it.begin) { row('End', CT.fmtTime(it.end)); row('Duration', CT.fmtDur(it.end - it.begin)); }
    };
    if (h.loss) {
      const [ns, from, count, kind, ring, corrupt] = h.loss;
      box.append(el('h3', null, corrupt ? 'Corrupt records' : 'Lost events'));
      row('From', CT.fmtTime(from));
      row('To', CT.fmtTime(ns));
      row('Ring', (kind === 3 ? 'user ring ' + (ring >> 16) + ':' + (ring & 0xffff) : 'ring ' + ring));
      if (count) row('Events lost', count);
      box.append(dl, el('p', { className: 'note' }, 'What happened in this window is not known: states crossing it are shown as unknown (hatched).'));
      this.setSide(box);
      return;
    }
    const it = h.item, tr = h.track;
    const tid = tr.th ? tr.th.tid : undefined;
    if (it.n > 1) {
      box.append(el('h3', null, it.n + ' items merged'));
      times(it);
      if (h.kind === K_STATE) for (const s of SPLIT_ORDER) if (it['s' + s]) row(CT.STATE_NAMES[s], CT.fmtDur(it['s' + s]));
      box.append(dl, el('p', { className: 'note' }, 'Intervals shorter than a pixel are merged at this zoom. Zoom in (W, or ctrl+wheel) to see each.'));
      this.setSide(box);
      return;
    }
    switch (h.kind) {
      case K_CPU:
        box.append(el('h3', null, 'CPU ' + tr.cpu + ': ' + (it.tid ? this.tname(it.tid) : 'idle')));
        times(it);
        if (it.flags & 0x100) row('Note', 'untraced threads may have run too (filtered session)');
        break;
      case K_STATE: {
        box.append(el('h3', null, CT.STATE_NAMES[it.state] + ' · ' + this.tname(tid)));
        times(it);
        if (it.cpu) row(it.state === 1 ? 'CPU' : it.state === 2 ? 'Woken onto CPU' : 'Last CPU', it.cpu - 1);
        if (it.state === 2) {
          row('Why', this.meta.causes[it.cause] || '-');
          if (it.waker) row('Woken by', this.tname(it.waker) + (it.waker_cpu ? ' on CPU ' + (it.waker_cpu - 1) : ''));
          if (it.wregion) row("Waker's region", this.str(it.wregion));
          row('Waited for a CPU', CT.fmtDur(it.end - it.begin));
        }
        const fl = [];
        if (it.flags & 1) fl.push('cut by a loss');
        if (it.flags & 2) fl.push('ended by an impossible transition');
        if (it.flags & 4) fl.push('open at the end of the trace');
        if (it.flags & 8) fl.push('woken from an interrupt');
        if (fl.length) row('Note', fl.join(', '));
        break;
      }
      case K_REGION:
        this.regionDetails(box, dl, row, times, it, tid);
        break;
      case K_MARK:
        box.append(el('h3', null, (it.type === 7 ? 'Log: ' : 'Instant: ') + this.str(it.name)));
        row('Thread', this.tname(tid));
        times(it);
        if (it.has_task) row('Task', it.task);
        if (it.type === 7) box.append(dl, el('pre', { className: 'msg' }, it.msg || ''));
        break;
      case K_COUNTER:
        box.append(el('h3', null, 'Counter: ' + tr.name));
        row('Value', it.value);
        row('Process', tr.proc.name + ' (' + tr.proc.pid + ')');
        times(it);
        break;
      case K_TASK:
        box.append(el('h3', null, 'Task: ' + this.str(it.name)));
        row('ID', it.task);
        if (it.parent) row('Parent', it.parent);
        times(it);
        row('Began on', this.tname(it.begin_tid));
        row('Ended on', this.tname(it.end_tid));
        row('Threads', it.threads);
        row('Regions', it.regions);
        row('Logs', it.logs);
        if (it.flags) row('Note', it.flags & 1 ? 'cut by a loss' : 'open at the end of the trace');
        break;
      case K_FLOW:
        box.append(el('h3', null, 'Flow: ' + this.str(it.name)));
        row('ID', it.flow);
        row('From', this.tname(it.from_tid) + ' at ' + CT.fmtTime(it.begin - it.back));
        row('To', this.tname(tid) + ' at ' + CT.fmtTime(it.begin));
        row('Took', CT.fmtDur(it.back));
        break;
    }
    if (!box.contains(dl)) box.insertBefore(dl, box.children[1] || null);
    this.setSide(box);
  }

  regionDetails(box, dl, row, times, it, tid) {
    const name = this.str(it.name);
    if (it.flags & 0x10) {
      box.append(el('h3', null, 'System call: ' + name));
      row('Thread', this.tname(tid));
      times(it);
      row('Switches', it.switches);
      if (it.flags & 0x20) row('Blocked', 'the thread slept in it');
      if (it.flags & 2) row('Note', 'no exit: the thread died in it, or the trace ended');
      box.append(dl);
      return;
    }
    box.append(el('h3', null, 'Region: ' + name));
    row('Thread', this.tname(tid));
    if (it.has_task) row('Task', it.task);
    times(it);
    row('Switches', it.switches);
    if (it.flags) row('Note', it.flags & 1 ? 'ended by a loss' : 'still open when the trace ended');
    box.append(dl);
    const total = it.end - it.begin || 1;
    const bar = el('div', { className: 'split' });
    const tb = el('table', { className: 'mini' });
    for (const s of SPLIT_ORDER) {
      const v = it['s' + s];
      if (!v) continue;
      bar.append(el('span', { style: 'width:' + (v / total * 100) + '%;background:' + CT.STATE_COLORS[s], title: CT.STATE_NAMES[s] }));
      tb.append(el('tr', null, el('td', null, el('i', { className: 'sw', style: 'background:' + CT.STATE_COLORS[s] }), CT.STATE_NAMES[s]),
        el('td', { className: 'n' }, CT.fmtDur(v)), el('td', { className: 'n' }, (v / total * 100).toFixed(1) + ' %')));
    }
    box.append(el('h4', null, 'Its time, by the thread\'s state'), bar, tb);
    const story = el('ol', { className: 'story' }, el('li', null, 'reading…'));
    box.append(el('h4', null, 'Inside it: switches and wakeups'), story);
    const th = this.tl.threadInfo.get(tid);
    if (!th || th.state === undefined) { story.replaceChildren(el('li', null, 'no scheduler events for this thread')); return; }
    const sel = this.tl.sel;
    this.src.raw(th.state, it.begin, it.end).then((s) => {
      if (this.tl.sel !== sel) return;
      const lines = [], arrows = [];
      for (let i = s.first(it.begin); i < s.len && s.begin[i] < it.end; i++) {
        const x = s.item(i), a = Math.max(x.begin, it.begin), b = Math.min(x.end, it.end);
        const st = CT.STATE_NAMES[x.state];
        let text;
        if (x.state === 1) text = (x.begin >= it.begin ? 'switched in on CPU ' + (x.cpu - 1) + ', ran ' : 'running on CPU ' + (x.cpu - 1) + ' for ') + CT.fmtDur(b - a);
        else if (x.state === 2) {
          text = (x.cause === 1 || x.cause === 2 ? 'woken' + (x.waker ? ' by ' + this.tname(x.waker) : x.waker_cpu ? ' by an interrupt' : '') +
            (x.waker_cpu ? ' on CPU ' + (x.waker_cpu - 1) : '') + (x.wregion ? " in region '" + this.str(x.wregion) + "'" : '')
            : this.meta.causes[x.cause] || 'runnable') + ', waited for a CPU ' + CT.fmtDur(b - a);
          // From the waker's band, or from its CPU's track when an
          // interrupt (waker 0) woke it.
          if ((x.waker || x.waker_cpu) && x.begin >= it.begin) arrows.push([x.begin, x.waker, x.waker_cpu - 1, x.begin, tid, 'W']);
        } else text = (x.begin >= it.begin ? 'switched out: ' : '') + st.toLowerCase() + ' ' + CT.fmtDur(b - a);
        lines.push(el('li', { className: 'st' + x.state, onclick: () => this.tl.focusOn(a, b, tid) },
          el('span', { className: 't' }, '+' + CT.fmtDur(a - it.begin)), ' ', text));
      }
      story.replaceChildren(...(lines.length ? lines : [el('li', null, 'no state intervals')]));
      story.dataset.switchOut = String(lines.filter((l) => /switched out/.test(l.textContent)).length);
      story.dataset.wakeups = String(arrows.length);
      story.dataset.switchIn = String(lines.filter((l) => /switched in/.test(l.textContent)).length);
      this.tl.focus = arrows;
      this.tl.redraw();
    });
  }

  setSide(node) {
    this.side.replaceChildren(node);
  }

  showHelp() {
    const m = this.meta;
    const box = el('div', { className: 'details help' });
    box.append(el('h3', null, m.title));
    const dl = el('dl');
    const row = (k, v) => dl.append(el('dt', null, k), el('dd', null, v));
    row('Events', m.events.toLocaleString('en'));
    row('Span', CT.fmtDur(m.span_ns));
    const w = CT.wallTime(m, 0);
    if (w) row('Began', w);
    if (m.losses.length) row('Losses', m.losses.length + (m.losses_dropped ? ' (+' + m.losses_dropped + ')' : ''));
    box.append(dl);
    if (m.problem) box.append(el('p', { className: 'warn' }, 'Decoding stopped early: ' + m.problem + '. What is shown is what decoded before it.'));
    if (m.anomalies) box.append(el('p', { className: 'warn' }, m.anomalies + ' records the scheduler\'s rules do not allow (missing records): ' + m.first_anomaly));
    const keys = el('table', { className: 'mini keys' });
    for (const [k, v] of [['W / S', 'zoom in / out'], ['A / D', 'pan left / right'], ['ctrl+wheel', 'zoom at the pointer'],
      ['wheel', 'scroll tracks'], ['shift+wheel', 'pan'], ['drag', 'pan'], ['shift+drag, or drag the ruler', 'select a range: its statistics'],
      ['click', 'details'], ['F', 'zoom to the selection'], ['0', 'whole trace'], ['Esc', 'clear']])
      keys.append(el('tr', null, el('td', null, el('kbd', null, k)), el('td', null, v)));
    box.append(el('h4', null, 'Keys'), keys);
    const leg = el('div', { className: 'legend' });
    for (const s of SPLIT_ORDER) leg.append(el('span', null, el('i', { className: 'sw' + (s === 0 ? ' hatch' : ''), style: 'background:' + CT.STATE_COLORS[s] }), CT.STATE_NAMES[s]));
    box.append(el('h4', null, 'Thread states'), leg);
    this.setSide(box);
  }

  // -------------------------------------------------- range statistics

  // The range as ctrace report --window has it: seconds with 9 decimals,
  // truncated to ns the way the report converts them, so both compute
  // over exactly the same [from, to).
  window(r) {
    const fs = (Math.max(0, r.a) / 1e9).toFixed(9), ts = (Math.max(0, r.b) / 1e9).toFixed(9);
    return { fs, ts, a: Math.trunc(Number(fs) * 1e9), b: Math.trunc(Number(ts) * 1e9) };
  }

  range(r) {
    if (!r) { this.showHelp(); return; }
    const w = this.window(r);
    if (w.b <= w.a) return;
    const box = el('div', { className: 'details' });
    box.append(el('h3', null, 'Range ' + CT.fmtDur(w.b - w.a)),
      el('p', { className: 'note' }, CT.fmtTime(w.a) + ' to ' + CT.fmtTime(w.b)),
      el('p', null, 'The same as ', el('code', { id: 'range-cmd' }, 'ctrace report --window ' + w.fs + ':' + w.ts)));
    const body = el('div', null, 'computing…');
    box.append(body);
    this.setSide(box);
    const done = (st) => {
      CT.lastRange = { from: w.fs, to: w.ts, stats: st };
      body.replaceChildren(...this.rangeTables(st));
      document.body.dataset.range = w.fs + ':' + w.ts;
    };
    if (this.src.serve) {
      fetch('report?from=' + w.a + '&to=' + w.b).then((x) => x.json()).then((j) => done(CT.statsFromReport(j.report)));
    } else {
      done(this.rangeStats(w.a, w.b));
    }
  }

  // The window's figures from the page's own intervals, by the report's
  // definitions (docs/analysis.md): state intervals clipped to it;
  // regions that end in it, complete ones with their split.
  rangeStats(a, b) {
    const threads = {}, regions = {};
    for (const th of this.tl.threadInfo.values()) {
      if (th.state === undefined) continue;
      const s = this.src.whole(th.state), ns = [0, 0, 0, 0, 0, 0];
      let any = false;
      for (let i = s.first(a); i < s.len && s.begin[i] < b; i++) {
        const d = Math.min(s.end[i], b) - Math.max(s.begin[i], a);
        if (d > 0) { ns[s.f.state[i]] += d; any = true; }
      }
      if (any) threads[th.tid] = { tid: th.tid, name: th.comm, state_ns: ns };
    }
    for (const th of this.tl.threadInfo.values()) {
      for (const row of th.regions) {
        if (row === undefined) continue;
        const s = this.src.whole(row);
        // A region counts if it ends in [a, b): scan those that overlap.
        for (let i = s.first(a - 1); i < s.len && s.begin[i] < b; i++) {
          const e = s.end[i];
          if (e < a || e >= b) continue;
          if (s.f.flags[i] & 0x10) continue;  // a system call, not a region
          const name = this.str(s.f.name[i]);
          const g = regions[name] || (regions[name] = { name, count: 0, incomplete: 0, switches: 0, hist: new CT.Hist(), state_ns: [0, 0, 0, 0, 0, 0] });
          if (s.f.flags[i]) { g.incomplete++; continue; }
          g.count++;
          g.hist.add(e - s.begin[i]);
          g.switches += s.f.switches[i];
          for (let k = 0; k < 6; k++) g.state_ns[k] += s.f['s' + k][i];
        }
      }
    }
    for (const g of Object.values(regions)) {
      g.duration = { count: g.hist.count, p50: g.hist.percentile(50), p90: g.hist.percentile(90), p99: g.hist.percentile(99), max: g.hist.max };
      delete g.hist;
    }
    return { threads, regions };
  }

  rangeTables(st) {
    const out = [];
    const th = Object.values(st.threads).sort((x, y) => y.state_ns[1] - x.state_ns[1]);
    out.push(el('h4', null, 'Threads (' + th.length + ')'));
    out.push(this.table(['Thread', 'Running', 'Runnable', 'Sleeping', 'Uninterr.', 'Stopped', 'Unknown'],
      th.map((t) => [[this.tname(t.tid), t.tid], ...SPLIT_ORDER.map((k) => [CT.fmtDur(t.state_ns[k]), t.state_ns[k]])]),
      (i) => this.tl.focusOn(this.tl.range.a, this.tl.range.b, th[i].tid), 'range-threads'));
    const rg = Object.values(st.regions).sort((x, y) => y.count - x.count);
    out.push(el('h4', null, 'Regions ending in it (' + rg.length + ')'));
    out.push(this.table(['Region', 'Count', 'Incompl.', 'p50', 'p99', 'Max', 'Split'],
      rg.map((g) => [[g.name, g.name], [g.count, g.count], [g.incomplete, g.incomplete], [CT.fmtDur(g.duration.p50), g.duration.p50],
        [CT.fmtDur(g.duration.p99), g.duration.p99], [CT.fmtDur(g.duration.max), g.duration.max], [this.splitBar(g.state_ns), 0]]),
      null, 'range-regions'));
    return out;
  }

  splitBar(ns) {
    const tot = ns.reduce((a, b) => a + b, 0) || 1, bar = el('div', { className: 'split small' });
    for (const s of SPLIT_ORDER) if (ns[s]) bar.append(el('span', { style: 'width:' + (ns[s] / tot * 100) + '%;background:' + CT.STATE_COLORS[s], title: CT.STATE_NAMES[s] + ' ' + CT.fmtDur(ns[s]) }));
    return bar;
  }

  // ----------------------------------------------------------- tables

  // A sortable table: cells are [shown, sort key]; click a header to sort.
  table(heads, rows, onRow, id) {
    const t = el('table', { className: 'grid' + (onRow ? ' clickable' : '') });
    if (id) t.id = id;
    const tbody = el('tbody');
    let order = rows.map((_, i) => i), col = -1, dir = 1;
    const fill = () => {
      tbody.replaceChildren(...order.map((i) => el('tr', { onclick: onRow ? () => onRow(i) : null },
        ...rows[i].map((c, k) => el('td', { className: k && typeof c[1] === 'number' ? 'n' : '' }, c[0])))));
    };
    const hr = el('tr', null, ...heads.map((h, k) => el('th', {
      onclick: () => {
        dir = col === k ? -dir : (k ? -1 : 1);
        col = k;
        order.sort((a, b) => { const x = rows[a][k][1], y = rows[b][k][1]; return (x < y ? -1 : x > y ? 1 : 0) * dir; });
        fill();
      },
    }, h)));
    t.append(el('thead', null, hr), tbody);
    fill();
    return t;
  }

  buildTabs() {
    const r = this.report;
    const tabs = [['Threads', () => this.threadsTable()], ['Latency', () => this.latencyTable()],
      ['Regions', () => this.regionsTable()], ['Tasks', () => this.tasksTable()],
      ['Wakeups', () => this.wakeupsTable()], ['CPUs', () => this.cpusTable()],
      ['Search', () => this.searchBox()]];
    this.tabs.replaceChildren();
    for (const [name, fn] of tabs) {
      const b = el('button', { className: 'tab', onclick: () => this.showTab(name, fn) }, name);
      b.dataset.tab = name;
      this.tabs.append(b);
    }
    this.tabFns = new Map(tabs);
    if (!r) this.tables.replaceChildren(el('p', { className: 'note' }, 'No report in this page.'));
    else if ((r.regions || []).length) this.showTab('Regions', this.tabFns.get('Regions'));
    else this.showTab('Threads', this.tabFns.get('Threads'));
  }

  showTab(name, fn) {
    for (const b of this.tabs.children) b.classList.toggle('on', b.dataset.tab === name);
    this.tables.replaceChildren(fn ? fn() : el('div'));
  }

  ms(ns) { return [CT.fmtDur(ns), ns]; }

  threadsTable() {
    const th = this.report.threads || [];
    return this.table(['Thread', 'Pid', 'Running', 'Runnable', 'Sleeping', 'Uninterr.', 'Stopped', 'Unknown', 'Switches', 'Preempt', 'Wakeups', 'Migr.', 'Wake p50', 'Wake p99'],
      th.map((t) => [[this.tname(t.tid), t.tid], [t.pid, t.pid], ...SPLIT_ORDER.map((k) => this.ms(t.state_ns[STATE_KEYS[k]])),
        [t.switches, t.switches], [t.preemptions, t.preemptions], [t.wakeups, t.wakeups], [t.migrations, t.migrations],
        this.ms(t.wakeup_latency.p50), this.ms(t.wakeup_latency.p99)]),
      (i) => { const tr = this.tl.threadTrack.get(th[i].tid); if (tr) this.tl.scrollTo(tr.y - 40); });
  }

  latencyTable() {
    const L = this.report.latency, H = this.meta.report.latency_hist, box = el('div', { className: 'lat' });
    for (const [k, title] of [['wakeup', 'Wakeup → running'], ['preempt', 'Preempted → running']]) {
      const h = L[k], col = el('div', { className: 'latcol' });
      col.append(el('h4', null, title + ' (' + h.count + ')'));
      col.append(this.table(['mean', 'p50', 'p90', 'p99', 'p99.9', 'max'],
        [[this.ms(h.count ? h.sum / h.count : 0), this.ms(h.p50), this.ms(h.p90), this.ms(h.p99), this.ms(h.p999), this.ms(h.max)]]));
      const hist = H[k] || [], most = Math.max(1, ...hist.map((x) => x[1]));
      const t = el('table', { className: 'mini hist' });
      for (const [lo, n] of hist)
        t.append(el('tr', null, el('td', { className: 'n' }, '≥ ' + CT.fmtDur(lo)), el('td', null,
          el('div', { className: 'hbar', style: 'width:' + Math.max(1, n / most * 220) + 'px' })), el('td', { className: 'n' }, n)));
      col.append(t);
      box.append(col);
    }
    return box;
  }

  regionsTable() {
    const rg = this.report.regions || [];
    const tot = (g) => Object.values(g.state_ns).reduce((a, b) => a + b, 0) || 1;
    const pct = (g, k) => { const v = g.state_ns[k] / tot(g) * 100; return [v.toFixed(1) + ' %', v]; };
    return this.table(['Region', 'Count', 'Incompl.', 'p50', 'p90', 'p99', 'Max', 'Running', 'Runnable', 'Sleeping', 'Uninterr.', 'Split', 'Switches'],
      rg.map((g) => [[g.name, g.name], [g.count, g.count], [g.incomplete, g.incomplete], this.ms(g.duration.p50), this.ms(g.duration.p90),
        this.ms(g.duration.p99), this.ms(g.duration.max), pct(g, 'running'), pct(g, 'runnable'), pct(g, 'sleeping'), pct(g, 'uninterruptible'),
        [this.splitBar(SPLIT_ORDER.map(() => 0).map((_, k) => g.state_ns[STATE_KEYS[k]])), 0], [g.switches, g.switches]]),
      (i) => this.jumpSlowest(rg[i]), 'report-regions');
  }

  // A region name's slowest instance (the report keeps them).
  jumpSlowest(g) {
    const s = g.slowest && g.slowest[0];
    if (!s) return;
    const base = BigInt(this.meta.first_ns);
    const a = Number(BigInt(s.begin_ns) - base), b = Number(BigInt(s.end_ns) - base);
    this.tl.focusOn(a, b, s.tid);
    this.selectAt(s.tid, a, b);
  }

  // Select the region of @tid that spans [a, b) once its data is there.
  selectAt(tid, a, b) {
    const tr = this.tl.threadTrack.get(tid);
    if (!tr) return;
    const tryit = (n) => {
      const level = this.tl.level();
      for (let d = 0; d < tr.th.regions.length; d++) {
        const row = tr.th.regions[d];
        if (row === undefined) continue;
        const s = this.src.get(row, level);
        if (!s) continue;
        const i = s.at((a + b) / 2);
        if (i >= 0 && s.n[i] === 1 && s.begin[i] === a && s.end[i] === b) {
          this.tl.select({ track: tr, row, level, i, series: s, item: s.item(i), y0: PAD + d * REGION_H, h: REGION_H, kind: K_REGION });
          return;
        }
      }
      if (n > 0) setTimeout(() => tryit(n - 1), 100);
    };
    tryit(30);
  }

  tasksTable() {
    const t = this.report.tasks || [];
    return this.table(['Task', 'Count', 'Incompl.', 'p50', 'p99', 'Max', 'Threads (mean)', 'Threads (most)', 'Regions', 'Logs'],
      t.map((k) => [[k.name, k.name], [k.count, k.count], [k.incomplete, k.incomplete], this.ms(k.duration.p50), this.ms(k.duration.p99),
        this.ms(k.duration.max), [(k.count ? k.threads / k.count : 0).toFixed(1), k.count ? k.threads / k.count : 0], [k.threads_max, k.threads_max],
        [k.regions, k.regions], [k.logs, k.logs]]),
      (i) => { this.showTab('Search', this.tabFns.get('Search')); this.search(t[i].name); });
  }

  wakeupsTable() {
    const w = (this.report.wakeups || []).slice().sort((a, b) => b.latency_ns - a.latency_ns);
    return this.table(['Waker', "Waker's region", 'Wakee', 'Wakeups', 'Then waited', 'Total wait', 'Longest'],
      w.map((x) => [[x.waker ? this.tname(x.waker) : 'interrupt / idle', x.waker], [x.waker_region || '-', x.waker_region || ''],
        [this.tname(x.wakee), x.wakee], [x.count, x.count], [x.woke, x.woke], this.ms(x.latency_ns), this.ms(x.latency_max)]),
      (i) => { const tr = this.tl.threadTrack.get(w[i].wakee); if (tr) this.tl.scrollTo(tr.y - 40); });
  }

  cpusTable() {
    const c = this.report.cpus || [], span = this.report.span_ns || 1;
    return this.table(['CPU', 'Busy', 'Idle', 'Busy %', 'Threads waiting (mean)', 'Switches'],
      c.map((x) => [[x.cpu, x.cpu], this.ms(x.busy_ns), this.ms(x.idle_ns), [(x.busy_ns / span * 100).toFixed(1) + ' %', x.busy_ns],
        [(x.runnable_ns / span).toFixed(2), x.runnable_ns], [x.switches, x.switches]]));
  }

  // ----------------------------------------------------------- search
  searchBox() {
    const box = el('div', { className: 'search' });
    this.results = el('div', { id: 'results' });
    box.append(this.results);
    // Once the box is in the page: search() shows the tab when it is not.
    if (this.lastQuery) queueMicrotask(() => this.search(this.lastQuery));
    return box;
  }

  // Regions, tasks, threads and log text matching @q (case-insensitive).
  search(q) {
    this.lastQuery = q;
    const input = document.getElementById('search');
    if (input.value !== q) input.value = q;
    if (!this.results || !this.results.isConnected) { this.showTab('Search', this.tabFns.get('Search')); return; }
    const needle = q.toLowerCase(), hits = [], MAX = 300;
    if (!needle) { this.results.replaceChildren(); return; }
    const names = new Set();
    this.meta.strings.forEach((s, i) => { if (s.toLowerCase().includes(needle)) names.add(i); });
    for (const th of this.tl.threadInfo.values()) {
      if ((th.comm + ' ' + th.tid).toLowerCase().includes(needle))
        hits.push({ what: 'thread', text: this.tname(th.tid), tid: th.tid });
    }
    const scan = (row, tid, f) => {
      const s = this.src.serve ? null : this.src.whole(row);
      if (!s) return;
      for (let i = 0; i < s.len && hits.length < MAX; i++) f(s, i, tid);
    };
    for (const th of this.tl.threadInfo.values()) {
      for (const row of th.regions) if (row !== undefined && names.size)
        scan(row, th.tid, (s, i) => { if (names.has(s.f.name[i])) hits.push({ what: 'region', text: this.str(s.f.name[i]), tid: th.tid, a: s.begin[i], b: s.end[i], d: s.end[i] - s.begin[i] }); });
      if (th.marks !== undefined)
        scan(th.marks, th.tid, (s, i) => {
          const m = s.f.msg[i] || '';
          if (names.has(s.f.name[i]) || m.toLowerCase().includes(needle))
            hits.push({ what: s.f.type[i] === 7 ? 'log' : 'instant', text: this.str(s.f.name[i]) + (m ? ': ' + m : ''), tid: th.tid, a: s.begin[i], b: s.begin[i] });
        });
    }
    for (const p of this.tl.procList)
      for (const row of p.lanes)
        scan(row, undefined, (s, i) => { if (names.has(s.f.name[i]) || String(s.f.task[i]) === q) hits.push({ what: 'task', text: this.str(s.f.name[i]) + ' #' + s.f.task[i], a: s.begin[i], b: s.end[i], d: s.end[i] - s.begin[i] }); });
    if (this.src.serve && names.size) {
      for (const g of this.report.regions || []) if (g.name.toLowerCase().includes(needle))
        hits.push({ what: 'region', text: g.name + ' (slowest)', region: g });
    }
    const list = el('table', { className: 'grid clickable' });
    list.append(el('thead', null, el('tr', null, el('th', null, 'Kind'), el('th', null, 'What'), el('th', null, 'Thread'), el('th', null, 'At'), el('th', null, 'Duration'))));
    const tb = el('tbody');
    for (const h of hits.slice(0, MAX)) {
      tb.append(el('tr', {
        onclick: () => {
          if (h.region) this.jumpSlowest(h.region);
          else if (h.a !== undefined) { this.tl.focusOn(h.a, h.b, h.tid); if (h.what === 'region') this.selectAt(h.tid, h.a, h.b); }
          else this.tl.focusOn(this.tl.t0, this.tl.t1, h.tid);
        },
      }, el('td', null, h.what), el('td', { className: 'what' }, h.text), el('td', null, h.tid !== undefined ? this.tname(h.tid) : ''),
        el('td', { className: 'n' }, h.a !== undefined ? CT.fmtTime(h.a) : ''), el('td', { className: 'n' }, h.d !== undefined ? CT.fmtDur(h.d) : '')));
    }
    list.append(tb);
    this.results.replaceChildren(el('p', { className: 'note' }, hits.length >= MAX ? 'first ' + MAX + ' matches' : hits.length + ' matches'), list);
  }
};

// A report JSON (served mode) as the page's range statistics.
CT.statsFromReport = function (r) {
  const threads = {}, regions = {};
  for (const t of r.threads || []) {
    const ns = STATE_KEYS.map((k) => t.state_ns[k]);
    if (ns.some((v) => v > 0)) threads[t.tid] = { tid: t.tid, name: t.name, state_ns: ns };
  }
  for (const g of r.regions || [])
    regions[g.name] = { name: g.name, count: g.count, incomplete: g.incomplete, switches: g.switches, duration: g.duration, state_ns: STATE_KEYS.map((k) => g.state_ns[k]) };
  return { threads, regions };
};
