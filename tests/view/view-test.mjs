// view-test.mjs CASE PAGE OUT [ARGS...]: ctrace view's page in Debian's
// Chromium (playwright-core; never a browser download), as TAP lines.
//
// PAGE is an HTML file or an http:// URL (--serve).  Every case checks
// that the page loads with no console error and no request outside its
// own file or origin, takes a screenshot OUT/CASE.png and checks it is
// not blank; then its own assertions (tests/view/check-view says which
// trace each case gets and what it expects):
//   basic    CPU tracks, thread tracks and region slices in view equal
//            the report's (REPORT.json: ctrace report --json of the
//            trace); clicking a region shows its details; W zooms in
//   range    shift+drag selects a range whose statistics equal those of
//            ctrace report --window for it (CTRACE: the binary, TRACE)
//   story    uevents: "inner" shows its switch-out, the wakeup (arrow
//            from the waker) and the switch-in
//   split    regions: "sleepy" mostly sleeps, "spinny" mostly runs
//   syscalls a thread's system calls as slices; a sleep's details
//   broken   lossy or truncated: it says what is missing (MODE)
//   hostile  strings with markup: shown as text, no script ran
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [, , kase, page_, out, ...rest] = process.argv;
let n = 0, failed = 0, pg;
function tap(ok, what, detail) {
  n++;
  if (!ok) failed++;
  console.log((ok ? 'ok ' : 'not ok ') + n + ' ' + kase + ': ' + what);
  if (!ok && detail !== undefined) console.log('# ' + String(detail).slice(0, 2000).replace(/\n/g, '\n# '));
}

const url = /^https?:/.test(page_) ? page_ : pathToFileURL(path.resolve(page_)).href;
const origin = /^https?:/.test(url) ? new URL(url).origin : null;
// Let the served source's fetches and the frames finish.
async function settle() {
  for (let i = 0; i < 50; i++) {
    const busy = await pg.evaluate(() => !!(window.ctraceView.src.pending));
    if (!busy) break;
    await pg.waitForTimeout(100);
  }
  await pg.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await pg.waitForTimeout(50);
}

async function variance(file) {
  const b64 = fs.readFileSync(file).toString('base64');
  return pg.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let s = 0, s2 = 0, k = 0;
    for (let i = 0; i < d.length; i += 16) { const y = (d[i] + d[i + 1] + d[i + 2]) / 3; s += y; s2 += y * y; k++; }
    return s2 / k - (s / k) ** 2;
  }, b64);
}

function readJson(f) { return JSON.parse(fs.readFileSync(f, 'utf8')); }

// Where a region is drawn: {x, y} in page coordinates, or null.
async function regionAt(pred) {
  return pg.evaluate((src) => {
    const pred = new Function('name', 'thread', 'return ' + src);
    const v = window.ctraceView, tl = v.tl, m = v.meta, box = tl.cv.getBoundingClientRect();
    const level = tl.level();
    for (const tr of tl.visibleTracks()) {
      if (tr.type !== 'thread') continue;
      for (let d = 0; d < tr.th.regions.length; d++) {
        const s = v.src.get(tr.th.regions[d], level);
        if (!s) continue;
        for (let i = s.first(tl.t0); i < s.len && s.begin[i] < tl.t1; i++) {
          if (s.n[i] !== 1 || !pred(m.strings[s.f.name[i]], tr.th.comm)) continue;
          const x0 = Math.max(tl.X(s.begin[i]), 231), x1 = Math.min(tl.X(s.end[i]), tl.w);
          if (x1 - x0 < 3) continue;
          return { x: box.left + (x0 + x1) / 2, y: box.top + 30 + tr.y - tl.sy + 3 + d * 16 + 8, begin: s.begin[i], end: s.end[i], tid: tr.th.tid };
        }
      }
    }
    return null;
  }, pred);
}

async function clickRegion(pred, what) {
  const at = await regionAt(pred);
  tap(!!at, what + ' is drawn');
  if (!at) return null;
  await pg.mouse.move(at.x, at.y);
  await pg.mouse.click(at.x, at.y);
  await settle();
  const h3 = await pg.evaluate(() => (document.querySelector('#side h3') || {}).textContent || '');
  tap(/^Region: /.test(h3), 'clicking it shows its details', h3);
  return at;
}

// Jump to a region name's slowest instance from the report's table.
async function jumpTo(name) {
  await pg.click('button[data-tab="Regions"]');
  const rows = pg.locator('#report-regions tbody tr');
  const k = await rows.count();
  for (let i = 0; i < k; i++) {
    if ((await rows.nth(i).locator('td').first().textContent()) === name) {
      await rows.nth(i).click();
      await pg.waitForTimeout(400);
      await settle();
      return true;
    }
  }
  return false;
}

const cases = {
  async basic() {
    const rep = readJson(rest[0]).report || readJson(rest[0]);
    const st = await pg.evaluate(() => { const v = window.ctraceView; v.tl.setView(0, v.meta.span_ns); return null; });
    void st;
    await pg.evaluate(() => { window.ctraceView.tl.scrollTo(0); window.ctraceView.tl.collapsed.clear(); window.ctraceView.tl.layout(); });
    await pg.setViewportSize({ width: 1500, height: 4000 });
    await settle();
    const s = await pg.evaluate(() => window.ctraceView.stats());
    const cpus = (rep.cpus || []).length;
    tap(s.cpuTracks === cpus, 'one track per CPU: ' + s.cpuTracks + ' = ' + cpus + ' in the report');
    const want = new Set((rep.threads || []).filter((t) => Object.values(t.state_ns).some((v) => v > 0)).map((t) => t.tid));
    const have = await pg.evaluate(() => [...window.ctraceView.tl.threadInfo.values()].filter((t) => t.state !== undefined).map((t) => t.tid));
    const same = have.length === want.size && have.every((t) => want.has(t));
    tap(same, 'a thread track with a state band per thread the report has: ' + have.length + ' = ' + want.size,
      JSON.stringify({ have, want: [...want] }));
    tap(s.threadTracks >= want.size, 'every thread track is in view at full height (' + s.threadTracks + ')');
    const regions = (rep.regions || []).reduce((a, g) => a + g.count + g.incomplete, 0);
    tap(s.regionItems === regions, 'region slices in view cover every region: ' + s.regionItems + ' = ' + regions);
    await pg.setViewportSize({ width: 1500, height: 950 });
    await settle();
    if (regions) await clickRegion('true', 'a region');
    const before = await pg.evaluate(() => window.ctraceView.view());
    await pg.locator('#tl').focus();
    for (let i = 0; i < 4; i++) await pg.keyboard.press('w');
    await pg.keyboard.press('d');
    await settle();
    const after = await pg.evaluate(() => window.ctraceView.view());
    tap(after.t1 - after.t0 < (before.t1 - before.t0) * 0.6 && after.t0 !== before.t0,
      'W zooms in and D pans: ' + JSON.stringify(before) + ' -> ' + JSON.stringify(after));
    const b2 = await pg.evaluate(() => window.ctraceView.view());
    const box = await pg.locator('#tl').boundingBox();
    await pg.mouse.move(box.x + box.width * 0.6, box.y + 200);
    await pg.keyboard.down('Control');
    await pg.mouse.wheel(0, 300);
    await pg.keyboard.up('Control');
    await settle();
    const a2 = await pg.evaluate(() => window.ctraceView.view());
    tap(a2.t1 - a2.t0 > (b2.t1 - b2.t0) * 1.5, 'ctrl+wheel zooms out');
    await pg.keyboard.press('0');
    await settle();
  },

  async range() {
    const [ctrace, trace] = rest;
    const box = await pg.locator('#tl').boundingBox();
    await pg.evaluate(() => window.ctraceView.tl.setView(0, window.ctraceView.meta.span_ns));
    await settle();
    const y = box.y + 120, x0 = box.x + 231 + (box.width - 231) * 0.2, x1 = box.x + 231 + (box.width - 231) * 0.7;
    await pg.keyboard.down('Shift');
    await pg.mouse.move(x0, y);
    await pg.mouse.down();
    await pg.mouse.move((x0 + x1) / 2, y, { steps: 4 });
    await pg.mouse.move(x1, y, { steps: 4 });
    await pg.mouse.up();
    await pg.keyboard.up('Shift');
    await pg.waitForFunction(() => window.CT.lastRange, null, { timeout: 60000 });
    const r = await pg.evaluate(() => window.CT.lastRange);
    const cmd = await pg.evaluate(() => document.getElementById('range-cmd').textContent);
    tap(cmd === 'ctrace report --window ' + r.from + ':' + r.to, 'the range says its command: ' + cmd);
    const rep = JSON.parse(execFileSync(ctrace, ['report', '--json', '--window', r.from + ':' + r.to, trace], { maxBuffer: 1 << 28 }).toString());
    const keys = ['unknown', 'running', 'runnable', 'sleeping', 'uninterruptible', 'stopped'];
    const bad = [];
    let nt = 0;
    for (const t of rep.threads || []) {
      const ns = keys.map((k) => t.state_ns[k]);
      if (!ns.some((v) => v > 0)) continue;
      nt++;
      const p = r.stats.threads[t.tid];
      if (!p || p.state_ns.some((v, k) => v !== ns[k])) bad.push({ tid: t.tid, report: ns, page: p && p.state_ns });
    }
    tap(!bad.length && Object.keys(r.stats.threads).length === nt,
      'per-thread state times equal ctrace report --window\'s (' + nt + ' threads)', JSON.stringify(bad));
    const rb = [];
    for (const g of rep.regions || []) {
      const p = r.stats.regions[g.name];
      const want = { count: g.count, incomplete: g.incomplete, switches: g.switches, p50: g.duration.p50, p90: g.duration.p90, p99: g.duration.p99, max: g.duration.max, state_ns: keys.map((k) => g.state_ns[k]) };
      const got = p && { count: p.count, incomplete: p.incomplete, switches: p.switches, p50: p.duration.p50, p90: p.duration.p90, p99: p.duration.p99, max: p.duration.max, state_ns: p.state_ns };
      if (JSON.stringify(want) !== JSON.stringify(got)) rb.push({ name: g.name, want, got });
    }
    tap(!rb.length && Object.keys(r.stats.regions).length === (rep.regions || []).length,
      'region statistics (count, incomplete, switches, p50/p90/p99/max, split) equal the report\'s (' + (rep.regions || []).length + ' names)', JSON.stringify(rb));
  },

  async story() {
    tap(await jumpTo('inner'), 'the report\'s Regions table has "inner" and jumps to it');
    const h3 = await pg.evaluate(() => (document.querySelector('#side h3') || {}).textContent || '');
    tap(h3 === 'Region: inner', 'its details are shown', h3);
    await pg.waitForFunction(() => { const s = document.querySelector('ol.story'); return s && s.dataset.wakeups !== undefined; }, null, { timeout: 20000 });
    const d = await pg.evaluate(() => ({ ...document.querySelector('ol.story').dataset, text: document.querySelector('ol.story').textContent }));
    tap(+d.switchOut >= 1, 'its story has the switch-out (' + d.switchOut + ')', d.text);
    tap(+d.wakeups >= 1, 'and the wakeup, with who issued it (' + d.wakeups + ')', d.text);
    tap(+d.switchIn >= 1, 'and the switch-in (' + d.switchIn + ')', d.text);
    await settle();
    const s = await pg.evaluate(() => window.ctraceView.stats());
    tap(s.arrows >= 1, 'the wakeup arrow is drawn from the waker (' + s.arrows + ' arrows)');
    const outer = await regionAt('name === "outer"');
    tap(!!outer, '"outer" is drawn above it');
  },

  async split() {
    const pct = await pg.evaluate(() => {
      const r = window.ctraceView.meta.report.report.regions, o = {};
      for (const g of r) {
        const tot = Object.values(g.state_ns).reduce((a, b) => a + b, 0);
        o[g.name] = { sleeping: g.state_ns.sleeping / tot, running: g.state_ns.running / tot };
      }
      return o;
    });
    tap(pct.sleepy && pct.sleepy.sleeping > 0.5, '"sleepy" mostly sleeps: ' + JSON.stringify(pct.sleepy));
    tap(pct.spinny && pct.spinny.running > 0.5, '"spinny" mostly runs: ' + JSON.stringify(pct.spinny));
    await pg.click('button[data-tab="Regions"]');
    const txt = await pg.locator('#report-regions').textContent();
    tap(/sleepy/.test(txt) && /spinny/.test(txt), 'the Regions table lists both');
    await jumpTo('sleepy');
    const h3 = await pg.evaluate(() => (document.querySelector('#side h3') || {}).textContent || '');
    tap(h3 === 'Region: sleepy', 'a click on its row selects the slowest "sleepy"', h3);
  },

  async syscalls() {
    // The three 10 ms sleeps: wide enough to find and click at this zoom.
    const at = await regionAt('name === "clock_nanosleep()" || name === "nanosleep()"');
    tap(!!at, 'a nanosleep is drawn as a slice on the syscaller\'s track');
    if (at) {
      await pg.mouse.click(at.x, at.y);
      const side = await pg.evaluate(() => document.querySelector('#side').textContent);
      tap(/^System call: (clock_)?nanosleep\(\)/.test(side.trim()), 'its details say it is a system call', side.slice(0, 200));
      tap(/Blocked/.test(side), 'and that the thread slept in it', side.slice(0, 300));
    }
    const n = await pg.evaluate(() => {
      const v = window.ctraceView, m = v.meta;
      let calls = 0;
      for (const th of v.tl.threadInfo.values())
        for (const row of th.regions) {
          if (row === undefined) continue;
          const s = v.src.whole(row);
          for (let i = 0; i < s.len; i++) calls += m.strings[s.f.name[i]].endsWith('()');
        }
      return calls;
    });
    tap(n >= 100, 'the getppid(), write() and other calls are all there (' + n + ' slices)');
    await pg.click('button[data-tab="Regions"]');
    const txt = await pg.locator('#report-regions').textContent();
    tap(!/nanosleep/.test(txt), 'none of them is listed as a region', txt.slice(0, 200));
  },

  async broken() {
    const mode = rest[0];
    const m = await pg.evaluate(() => ({ problem: window.ctraceView.meta.problem, losses: window.ctraceView.meta.losses.length,
      banner: document.getElementById('banner').hidden ? '' : document.getElementById('banner').textContent }));
    if (mode === 'lossy') tap(m.losses > 0 && /losses/.test(m.banner), 'the losses are marked and said: ' + m.banner);
    else tap(!!m.problem && /incomplete/.test(m.banner), 'it says where decoding stopped: ' + m.banner);
    const s = await pg.evaluate(() => window.ctraceView.stats());
    tap(s.cpuTracks + s.threadTracks > 0, 'what is valid is drawn (' + s.cpuTracks + ' CPUs, ' + s.threadTracks + ' threads)');
  },

  async hostile() {
    const payload = rest[0];
    tap(await pg.evaluate(() => window.__pwned === undefined), 'no script from the trace ran');
    await pg.click('button[data-tab="Threads"]');
    const t = await pg.locator('#tables').textContent();
    tap(t.includes(payload.slice(0, 15)), 'the hostile thread name is shown as text in the Threads table');
    await pg.fill('#search', '<img');
    await pg.press('#search', 'Enter');
    await settle();
    const res = await pg.locator('#results').textContent();
    tap(res.includes('<img src=x onerror='), 'search finds the hostile log text and shows it literally', res.slice(0, 300));
    const at = await regionAt('name.includes("</script>")');
    tap(!!at, 'the region named with </script> is drawn');
    if (at) {
      await pg.mouse.click(at.x, at.y);
      const h3 = await pg.evaluate(() => document.querySelector('#side h3').textContent);
      tap(h3.includes('</script>'), 'its details show the name as text: ' + h3);
    }
    tap(await pg.evaluate(() => window.__pwned === undefined && !document.querySelector('img[src=x]')), 'still no script ran and no element was injected');
  },
};
// A recording cut short: the same checks, another screenshot.
cases['broken-cut'] = cases.broken;

async function main() {
const profile = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'ctrace-view-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  viewport: { width: 1500, height: 950 },
});
const errors = [], foreign = [];
try {
  pg = ctx.pages()[0] || (await ctx.newPage());
  pg.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  pg.on('pageerror', (e) => errors.push(String(e)));
  pg.on('request', (r) => {
    const u = r.url();
    const own = origin ? u.startsWith(origin + '/') : u === url || u.startsWith(url + '#');
    if (!own) foreign.push(u);
  });
  await pg.goto(url);
  await pg.waitForFunction(() => document.body.dataset.ready === '1' || document.body.dataset.failed === '1', null, { timeout: 30000 });
  const ready = await pg.evaluate(() => document.body.dataset.ready === '1');
  tap(ready, 'the page starts', await pg.evaluate(() => document.getElementById('status').textContent));
  if (!ready) throw new Error('not ready');
  await settle();
  await cases[kase]();
  await settle();
  const shot = path.join(out, kase + '.png');
  await pg.screenshot({ path: shot });
  const v = await variance(shot);
  tap(v > 200, 'the screenshot ' + shot + ' is not blank (pixel variance ' + v.toFixed(0) + ')');
  tap(!errors.length, 'no console errors', errors.join('\n'));
  tap(!foreign.length, 'no request leaves the page\'s own ' + (origin ? 'origin' : 'file'), foreign.join('\n'));
} catch (e) {
  tap(false, 'ran to the end', e.stack);
} finally {
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log('# ' + kase + ': ' + (n - failed) + ' passed, ' + failed + ' failed');
process.exit(failed ? 1 : 0);

}

await main();
