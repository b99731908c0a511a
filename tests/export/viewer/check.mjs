// SPDX-License-Identifier: GPL-2.0
//
// check.mjs GROUND OUT: the Chrome JSON export of the ground-truth traces,
// loaded in the real Catapult viewer (Debian's golang-1.19-src, as `go
// tool trace` serves it) in Debian's Chromium, driven by playwright-core.
//
//   ctrace export -f json ---> OUT/NAME.json --+
//   json-expect TRACE ------> what it must show +--> viewer.html in Chromium
//   ctrace report --events -> the same, counted from the text    |
//   GROUND/NAME.info -------> the workload's own facts           v
//                                 tr.Model read back, compared: TAP
//
// Per trace: no import warnings; every row (thread rows, "(state)" rows,
// CPU rows) with exactly the slices the model said; counters, tasks,
// flows, losses; the workload's facts (nesting, which thread, names);
// and a screenshot, OUT/NAME.png, that is not blank.  Then one trace
// split into parts by --max-size: each part loads alone, and together
// they hold every slice.  Environment: CTRACE_BUILD (build/), GO_STATIC
// (the viewer's directory), CHROMIUM (/usr/bin/chromium).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const [ground, out] = process.argv.slice(2);
const build = process.env.CTRACE_BUILD || path.join(here, '../../../build');
const ctrace = path.join(build, 'bin/ctrace');
const expectBin = path.join(build, 'tests/export/json-expect');
const staticDir = process.env.GO_STATIC || '/usr/share/go-1.19/src/cmd/trace/static';
const STATE = 2 ** 32;		// state rows: tid 2^32 + tid (tools/export/json.c)
const CPUS = 0;			// the "CPUs" pseudo-process
const SPLIT = 512 * 1024;

let n = 0, failed = 0;
function tap(ok, what, detail) {
  n++;
  if (!ok)
    failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${n} - ${what}`);
  if (!ok && detail)
    for (const line of String(detail).split('\n'))
      console.log(`#   ${line}`);
}

// Differences between two {key: count} maps, as text ('' when equal).
function diff(got, want) {
  const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
  const bad = [...keys].filter((k) => (got[k] || 0) !== (want[k] || 0));
  return bad.map((k) => `${k}: viewer ${got[k] || 0}, expected ${want[k] || 0}`).join('\n');
}

function count(list, key) {
  const m = {};
  for (const x of list)
    m[key(x)] = (m[key(x)] || 0) + 1;
  return m;
}

// The event text, one line per event: "comm-tid [cpu] secs: TYPE details".
function textEvents(trace) {
  const text = execFileSync(ctrace, ['report', '--events', trace], { maxBuffer: 1 << 30 }).toString();
  const evs = [];
  for (const line of text.split('\n')) {
    const m = line.match(/\] \d+\.\d+: (\w+)\s+(.*)$/);
    if (m)
      evs.push({ type: m[1], rest: m[2] });
  }
  return evs;
}

// ------------------------------------------------------------ the server

function serve(files) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file;
    if (url.pathname === '/viewer.html')
      file = path.join(here, 'viewer.html');
    else if (url.pathname.startsWith('/static/'))
      file = path.join(staticDir, path.basename(url.pathname));
    else if (url.pathname.startsWith('/json/'))
      file = files.get(path.basename(url.pathname));
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const type = file.endsWith('.html') ? 'text/html' :
      file.endsWith('.js') ? 'text/javascript' : 'application/json';
    res.writeHead(200, { 'content-type': type });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// --------------------------------------------------- in the viewer's page

// What the viewer imported, read from its tr.Model (runs in the page).
function summarize() {
  const m = window.ctraceModel;
  const s = { warnings: m.importWarnings.map((w) => `${w.type}: ${w.message}`),
    rows: [], counters: [], flows: [], globals: [], meta: null };
  const where = (slice) => {
    const t = slice.parentContainer;
    return { pid: t.parent.pid, tid: t.tid, title: slice.title, cat: slice.category };
  };
  for (const md of m.metadata)
    if (md.name === 'otherData')
      s.meta = md.value;
  for (const t of m.getAllThreads()) {
    const row = { pid: t.parent.pid, tid: t.tid, name: t.name === undefined ? null : t.name,
      process: t.parent.name === undefined ? null : t.parent.name,
      cats: {}, regions: [], tasks: [] };
    for (const x of t.sliceGroup.slices) {
      const copy = x.args && x.args.continues !== undefined;
      const key = x.category + (copy ? ' copy' : '');
      row.cats[key] = (row.cats[key] || 0) + 1;
      if (x.category === 'region' && !copy)
        row.regions.push({ title: x.title, start: x.start, end: x.end, args: x.args,
          parent: x.parentSlice ? x.parentSlice.title : null });
    }
    for (const x of t.asyncSliceGroup.slices)
      row.tasks.push({ title: x.title, cat: x.category, args: x.args });
    // State and CPU slices by their true begin (ns): a part draws one
    // from its own start on, saying where it began.
    if (t.parent.pid === 0 || t.tid >= 2 ** 32)
      row.begins = t.sliceGroup.slices.map((x) => Math.round(x.args && x.args.began_us !== undefined ?
        x.args.began_us * 1e3 : x.start * 1e6));
    s.rows.push(row);
  }
  for (const p of Object.values(m.processes))
    for (const c of Object.values(p.counters))
      s.counters.push({ pid: p.pid, name: c.name,
        values: c.series[0].samples.map((x) => x.value) });
  for (const f of m.flowEvents)
    s.flows.push({ cat: f.category, title: f.title, args: f.args,
      from: where(f.startSlice), to: where(f.endSlice) });
  for (const g of m.instantEvents)
    s.globals.push({ cat: g.category, title: g.title, args: g.args });
  return s;
}

// Pixel variance of a PNG, drawn on a canvas of a blank page.
async function variance(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sq = 0;
    const px = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y;
      sq += y * y;
    }
    return sq / px - (sum / px) ** 2;
  }, png.toString('base64'));
}

async function load(ctx, port, name, shot) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/viewer.html?json=/json/${name}`);
  await page.waitForFunction(() => window.ctraceState && window.ctraceState.done, null,
    { timeout: 180000 });
  const state = await page.evaluate(() => window.ctraceState);
  let s = null;
  if (!state.error)
    s = await page.evaluate(summarize);
  if (shot) {
    // The view draws in animation frames and idle callbacks after the
    // model is set: give it time before the picture.
    await page.waitForTimeout(2500);
    const png = await page.screenshot({ path: shot });
    const blank = await ctx.newPage();
    s && (s.variance = await variance(blank, png));
    await blank.close();
  }
  await page.close();
  return { error: state.error || (errors.length ? errors.join('; ') : null), s };
}

// ------------------------------------------------------------ the checks

const hex = (v) => '0x' + BigInt(v).toString(16);

function rowsOf(s) {
  const cpu = s.rows.filter((r) => r.pid === CPUS);
  const state = s.rows.filter((r) => r.pid !== CPUS && r.tid >= STATE);
  const thread = s.rows.filter((r) => r.pid !== CPUS && r.tid < STATE);
  return { cpu, state, thread };
}

function checkCounts(name, s, want, text) {
  const { cpu, state, thread } = rowsOf(s);
  const wt = want.threads;

  tap(s.warnings.length === 0, `${name}: imported with no warnings`, s.warnings.slice(0, 10).join('\n'));

  // Thread rows: regions, instants and logs as slices, tasks as async.
  const got = {}, exp = {};
  for (const r of thread)
    for (const [k, v] of [['region', r.cats.region], ['instant', r.cats.instant],
      ['log', r.cats.log], ['task', r.tasks.length]])
      if (v)
        got[`${r.tid} ${k}`] = (got[`${r.tid} ${k}`] || 0) + v;
  for (const [tid, t] of Object.entries(wt))
    for (const [k, v] of [['region', t.regions], ['instant', t.instants], ['log', t.logs],
      ['task', t.tasks]])
      if (v)
        exp[`${tid} ${k}`] = v;
  const other = thread.filter((r) => Object.keys(r.cats).some((c) => !['region', 'instant', 'log'].includes(c)));
  tap(!diff(got, exp) && !other.length,
    `${name}: ${thread.length} thread rows, slices per row as the model says (${Object.values(exp).reduce((a, b) => a + b, 0)} in all)`,
    diff(got, exp) + other.map((r) => `row ${r.tid} has ${Object.keys(r.cats)}`).join('\n'));
  const unnamed = thread.filter((r) => wt[r.tid] && wt[r.tid].comm && r.name !== wt[r.tid].comm);
  tap(!unnamed.length, `${name}: thread rows named after their threads`,
    unnamed.map((r) => `${r.tid}: "${r.name}", expected "${wt[r.tid].comm}"`).join('\n'));

  // State rows: one per thread the scheduler follows.
  const gs = count(state, (r) => r.tid - STATE);
  const gotStates = {}, expStates = {};
  for (const r of state)
    gotStates[r.tid - STATE] = (gotStates[r.tid - STATE] || 0) + (r.cats.state || 0);
  for (const [tid, t] of Object.entries(wt))
    if (t.states)
      expStates[tid] = t.states;
  const badName = state.filter((r) => wt[r.tid - STATE] && wt[r.tid - STATE].comm &&
    r.name !== `${wt[r.tid - STATE].comm} (state)`);
  tap(!diff(gotStates, expStates) && !badName.length && Object.values(gs).every((v) => v === 1),
    `${name}: ${state.length} state rows, ${Object.values(expStates).reduce((a, b) => a + b, 0)} state slices as the model says`,
    diff(gotStates, expStates) + badName.map((r) => `${r.tid}: "${r.name}"`).join('\n'));
  const misplaced = [...state.map((r) => [r, r.tid - STATE]), ...thread.map((r) => [r, r.tid])]
    .filter(([r, tid]) => wt[tid] && r.pid !== wt[tid].pid);
  tap(state.length > 0 && !misplaced.length,
    `${name}: each thread's rows under its process`,
    misplaced.map(([r, tid]) => `${tid} in ${r.pid}, expected ${wt[tid].pid}`).join('\n'));

  // CPU rows.
  const gotCpu = {};
  for (const r of cpu)
    gotCpu[r.tid] = r.cats.cpu || 0;
  tap(!diff(gotCpu, want.cpus) && cpu.every((r) => r.name === `CPU ${r.tid}` && r.process === 'CPUs'),
    `${name}: ${cpu.length} CPU rows in "CPUs", ${Object.values(want.cpus).reduce((a, b) => a + b, 0)} slices as the model says`,
    diff(gotCpu, want.cpus));

  // Counters, flows, losses.
  const gotCtr = {};
  for (const c of s.counters)
    gotCtr[`${c.pid}/${c.name}`] = c.values.length;
  tap(!diff(gotCtr, want.counters), `${name}: counters (${Object.keys(want.counters).length}) with every sample`,
    diff(gotCtr, want.counters));
  const fl = count(s.flows, (f) => f.cat);
  tap((fl.flow || 0) === want.flows && (fl.wakeup || 0) === want.wakeup_flows &&
    Object.keys(fl).every((k) => k === 'flow' || k === 'wakeup'),
    `${name}: ${want.flows} flows and ${want.wakeup_flows} wakeup arrows`, JSON.stringify(fl));
  const losses = s.globals.filter((g) => g.cat === 'loss').length;
  tap(losses === want.losses && s.meta.lost_events === want.lost_events &&
    s.globals.length === losses,
    `${name}: ${want.losses} losses marked, ${want.lost_events} lost events in otherData`,
    `viewer ${losses} losses, otherData ${s.meta.lost_events} lost events`);

  // The same counted from the event text, apart from the model.
  const tx = count(text, (e) => e.type === 'region' || e.type === 'task' || e.type === 'flow' ?
    `${e.type} ${e.rest.split(' ')[0]}` : e.type);
  const all = thread.flatMap((r) => r.regions);
  const textLost = text.filter((e) => e.type === 'lost')
    .reduce((a, e) => a + Number((e.rest.match(/count=(\d+)/) || [0, 0])[1]), 0);
  const gotTx = {
    'region begin': all.length,
    'task begin': thread.reduce((a, r) => a + r.tasks.length, 0),
    'flow begin': fl.flow || 0,
    counter: s.counters.reduce((a, c) => a + c.values.length, 0),
    log: thread.reduce((a, r) => a + (r.cats.log || 0), 0),
    instant: thread.reduce((a, r) => a + (r.cats.instant || 0), 0),
    lost: textLost,
  };
  const wantTx = {};
  for (const k of Object.keys(gotTx))
    wantTx[k] = k === 'lost' ? s.meta.lost_events : tx[k] || 0;
  tap(!diff(gotTx, wantTx), `${name}: the same as \`ctrace report --events\` says`, diff(gotTx, wantTx));
}

// What each workload knows it did (GROUND/NAME.info).
const facts = {
  uevents(s, info) {
    const [main, worker, task, flow] = info.trim().split(/\s+/);
    const { thread } = rowsOf(s);
    const m = thread.find((r) => r.tid === Number(main));
    const w = thread.find((r) => r.tid === Number(worker));
    const outer = m && m.regions.find((r) => r.title === 'outer');
    const inner = m && m.regions.find((r) => r.title === 'inner');
    tap(outer && inner && outer.parent === null && inner.parent === 'outer' &&
      inner.start >= outer.start && inner.end <= outer.end && outer.args.task === hex(task),
    'uevents: "inner" nests inside "outer" on the main thread, which is in the task',
    JSON.stringify({ outer, inner }));
    tap(inner && inner.args.sleeping_ms > inner.args.running_ms,
      'uevents: "inner" (which sleeps) shows its time mostly Sleeping', JSON.stringify(inner && inner.args));
    const work = w && w.regions.find((r) => r.title === 'work');
    const f = s.flows.find((x) => x.cat === 'flow');
    tap(work && f && f.title === 'handoff' && f.args.flow === hex(flow) &&
      f.from.pid === Number(main) && (f.from.tid === Number(main) || f.from.tid === STATE + Number(main)) &&
      f.to.tid === Number(worker) && f.to.title === 'work',
    'uevents: the flow "handoff" goes from the main thread to "work" on the worker', JSON.stringify(f));
    const job = m && m.tasks.find((t) => t.title === 'job');
    tap(job && job.cat === 'task' && job.args.task === hex(task) && job.args.threads === 2,
      'uevents: the task "job", across two threads, on the main thread', JSON.stringify(m && m.tasks));
    const v = Object.fromEntries(s.counters.map((c) => [c.name, c.values]));
    tap(v.depth && v.depth[0] === 2 && v.ratio && v.ratio[0] === 0.5,
      'uevents: counters depth = 2 and ratio = 0.5', JSON.stringify(v));
  },
  regions(s, info) {
    const [tid, sleepy, spinny] = info.trim().split(/\s+/).map(Number);
    const r = rowsOf(s).thread.find((x) => x.tid === tid);
    const of = (t) => (r ? r.regions.filter((x) => x.title === t) : []);
    const sum = (l) => l.reduce((a, x) => a + (x.end - x.start) * 1e6, 0);
    const [sl, sp] = [of('sleepy'), of('spinny')];
    // The trace's times lie inside the program's own measurement.
    tap(sl.length === sp.length && sl.length > 0 && sum(sl) <= sleepy && sum(sl) > 0.9 * sleepy &&
      sum(sp) <= spinny && sum(sp) > 0.9 * spinny,
    `regions: ${sl.length} "sleepy" and ${sp.length} "spinny" on ${tid}, durations as measured`,
    `sleepy ${sum(sl)} of ${sleepy} ns, spinny ${sum(sp)} of ${spinny} ns`);
    const ms = (l, k) => l.reduce((a, x) => a + x.args[k], 0);
    tap(ms(sl, 'sleeping_ms') > ms(sl, 'running_ms') && ms(sp, 'running_ms') + ms(sp, 'runnable_ms') > ms(sp, 'sleeping_ms'),
      'regions: "sleepy" split mostly Sleeping, "spinny" mostly on or waiting for a CPU',
      JSON.stringify({ sleepy: sl[0] && sl[0].args, spinny: sp[0] && sp[0].args }));
  },
  pingpong(s, info, text) {
    const [, , a, b] = info.trim().split(/\s+/).map(Number);
    const ab = (x) => (x.from.tid === STATE + a && x.to.tid === STATE + b) ||
      (x.from.tid === STATE + b && x.to.tid === STATE + a);
    const flows = s.flows.filter((x) => x.cat === 'wakeup' && ab(x)).length;
    const re = new RegExp(`wakee=\\S+:(${a}|${b}) waker=\\S+:(${a}|${b})\\b`);
    const wakeups = text.filter((e) => e.type === 'wakeup' && re.test(e.rest)).length;
    tap(flows > 0 && flows <= wakeups && flows >= 0.99 * wakeups,
      `pingpong: ${flows} wakeup arrows between ${a} and ${b}, for ${wakeups} wakeups`);
  },
  lossy(s) {
    const lost = s.globals.filter((g) => g.title === 'lost events');
    tap(lost.length > 0 && lost.every((g) => g.args.count > 0 && g.args.ring_kind === 'kernel'),
      `lossy: ${lost.length} "lost events" marks on kernel rings`);
  },
  pipeline(s, info) {
    const [, reqs, workers] = info.match(/(\d+) requests by (\d+) workers/).map(Number);
    const { thread } = rowsOf(s);
    const tasks = thread.flatMap((r) => r.tasks).filter((t) => t.title === 'request');
    const queued = s.flows.filter((f) => f.title === 'queued');
    const producer = thread.find((r) => r.name === 'producer');
    const regions = (t) => thread.flatMap((r) => r.regions.filter((x) => x.title === t));
    tap(tasks.length === reqs, `pipeline: ${reqs} "request" tasks`, tasks.length);
    tap(queued.length === reqs && producer && queued.every((f) => f.from.pid === producer.pid &&
      (f.from.tid === producer.tid || f.from.tid === STATE + producer.tid) && f.to.tid !== producer.tid),
    `pipeline: ${reqs} "queued" flows from the producer to the workers`, JSON.stringify(queued[0]));
    const byWorker = new Set(thread.filter((r) => r.regions.some((x) => x.title === 'parse')).map((r) => r.tid));
    tap(['parse', 'compute', 'store'].every((t) => regions(t).length === reqs) &&
      byWorker.size === workers,
    `pipeline: parse, compute and store ${reqs} times each, on ${workers} workers`);
  },
};

// One trace, split: every part alone, and all of them together.
async function checkSplit(ctx, port, files, name, want) {
  const parts = [...files.keys()].filter((k) => k.startsWith(`${name}-split`)).sort((x, y) => {
    const num = (k) => (k === `${name}-split.json` ? 1 : Number(k.match(/-(\d+)\.json$/)[1]));
    return num(x) - num(y);
  });
  const sizes = parts.map((k) => fs.statSync(files.get(k)).size);
  tap(parts.length > 1 && sizes.every((z) => z <= SPLIT),
    `${name} split: ${parts.length} parts of at most ${SPLIT} bytes`, sizes.join(' '));
  let warnings = 0, regions = 0, flows = 0, cut = 0;
  const bad = [], states = new Set(), cpus = new Set();
  for (let i = 0; i < parts.length; i++) {
    const shot = i === 0 || i === parts.length - 1 ? path.join(out, parts[i].replace(/json$/, 'png')) : null;
    const { error, s } = await load(ctx, port, parts[i], shot);
    if (error) {
      bad.push(`${parts[i]}: ${error}`);
      continue;
    }
    warnings += s.warnings.length;
    if (s.warnings.length)
      bad.push(`${parts[i]}: ${s.warnings.slice(0, 3).join('; ')}`);
    if (s.meta.part !== i + 1 || (i === parts.length - 1) !== (s.meta.parts === parts.length))
      bad.push(`${parts[i]}: otherData says part ${s.meta.part} of ${s.meta.parts}`);
    if (shot && !(s.variance > 100))
      bad.push(`${parts[i]}: blank screenshot`);
    const { cpu, state, thread } = rowsOf(s);
    regions += thread.reduce((a, r) => a + r.regions.length, 0);
    for (const [set, rows] of [[states, state], [cpus, cpu]])
      for (const r of rows)
        for (const b of r.begins)
          set.add(`${r.tid} ${b}`);
    flows += s.flows.filter((f) => f.cat === 'wakeup').length;
    cut = s.meta.flows_cut || 0;
  }
  const expRegions = Object.values(want.threads).reduce((a, t) => a + t.regions, 0);
  const expStates = Object.values(want.threads).reduce((a, t) => a + t.states, 0);
  const expCpus = Object.values(want.cpus).reduce((a, b) => a + b, 0);
  tap(!bad.length && !warnings, `${name} split: each part loads alone, with no warnings`, bad.join('\n'));
  tap(regions === expRegions && states.size === expStates && cpus.size === expCpus &&
    flows + cut === want.wakeup_flows,
  `${name} split: together the parts hold every slice (${expStates} states, ${expCpus} CPU, ${regions} regions), ${flows} + ${cut} cut wakeup arrows`,
  `regions ${regions}/${expRegions}, states ${states.size}/${expStates}, CPU ${cpus.size}/${expCpus}, flows ${flows}+${cut}/${want.wakeup_flows}`);
}

// Peak anonymous memory (KiB) of a command, read from /proc while it
// runs: the trace is mapped, so plain RSS grows with the file.
function peakAnon(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    let peak = 0;
    const t0 = process.hrtime.bigint();
    const poll = setInterval(() => {
      try {
        const m = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/RssAnon:\s+(\d+)/);
        if (m)
          peak = Math.max(peak, Number(m[1]));
      } catch (e) { /* gone */ }
    }, 5);
    child.on('exit', (code) => {
      clearInterval(poll);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      code === 0 ? resolve({ peak, s }) : reject(new Error(`${cmd} exited ${code}`));
    });
  });
}

// Streaming: a synthetic trace ten times longer (tests/bench/gen-trace.c)
// takes no more memory to export.
async function checkMemory() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctrace-json-mem-'));
  try {
    const gen = path.join(tmp, 'gen-trace');
    const top = path.join(here, '../../..');
    execFileSync('gcc', ['-std=gnu11', '-D_GNU_SOURCE', '-O2', `-I${top}/uapi`,
      `-I${top}/tools/tracefile`, `-I${top}/tests/unit`, '-o', gen,
      `${top}/tests/bench/gen-trace.c`, path.join(build, 'lib/libtracefile.a')]);
    const runs = [];
    for (const events of [200000, 2000000]) {
      const trace = path.join(tmp, `${events}.trace`);
      execFileSync(gen, [String(events), trace], { stdio: 'ignore' });
      const r = await peakAnon(ctrace, ['export', '-f', 'json', '--max-size', '64G', '-o', '/dev/null', trace]);
      r.mb = fs.statSync(trace).size / 1e6;
      runs.push(r);
    }
    const [small, big] = runs;
    console.log(`# ${big.mb.toFixed(0)} MB of trace in ${big.s.toFixed(2)} s: ${(big.mb / big.s).toFixed(1)} MB/s`);
    tap(big.peak <= small.peak * 1.2 + 4096,
      `memory does not grow with the trace: ${small.peak} KiB anonymous for 200 k events, ${big.peak} KiB for 2 M`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  if (!ground || !out) {
    console.error('usage: check.mjs GROUND OUT');
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  const cases = ['pingpong', 'uevents', 'regions', 'lossy', 'pipeline'];
  const files = new Map(), wants = {}, texts = {};
  for (const name of cases) {
    const trace = path.join(ground, `${name}.trace`);
    const json = path.join(out, `${name}.json`);
    execFileSync(ctrace, ['export', '-f', 'json', '-o', json, trace]);
    files.set(`${name}.json`, json);
    wants[name] = JSON.parse(execFileSync(expectBin, [trace]).toString());
    texts[name] = textEvents(trace);
  }
  const split = 'pingpong';
  for (const f of fs.readdirSync(out))
    if (f.startsWith(`${split}-split`))
      fs.unlinkSync(path.join(out, f));
  execFileSync(ctrace, ['export', '-f', 'json', '--max-size', String(SPLIT), '-o',
    path.join(out, `${split}-split.json`), path.join(ground, `${split}.trace`)], { stdio: 'ignore' });
  for (const f of fs.readdirSync(out))
    if (f.startsWith(`${split}-split`) && f.endsWith('.json'))
      files.set(f, path.join(out, f));

  const server = await serve(files);
  const port = server.address().port;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ctrace-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // A closed network: no background connections, no component updates.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1400, height: 900 },
  });
  try {
    for (const name of cases) {
      const shot = path.join(out, `${name}.png`);
      const { error, s } = await load(ctx, port, `${name}.json`, shot);
      tap(!error, `${name}: the viewer loads ${name}.json`, error);
      if (error)
        continue;
      checkCounts(name, s, wants[name], texts[name]);
      const info = path.join(ground, `${name}.info`);
      if (facts[name])
        facts[name](s, fs.existsSync(info) ? fs.readFileSync(info, 'utf8') : '', texts[name]);
      tap(s.variance > 100, `${name}: screenshot ${shot} is not blank (variance ${Math.round(s.variance)})`);
    }
    await checkSplit(ctx, port, files, split, wants[split]);
  } finally {
    await ctx.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  await checkMemory();
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`not ok ${n + 1} - ${e.stack.split('\n')[0]}`);
  console.log(`1..${n + 1}`);
  process.exit(1);
});
