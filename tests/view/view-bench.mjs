// view-bench.mjs PAGE: how fast ctrace view's page is in Debian's
// Chromium (playwright-core), measured with the Performance API.
//
// PAGE is an HTML file or an http:// URL (--serve).  Prints one line of
// JSON: ready_ms (from the navigation's start to the first frame drawn
// with the data: when the page is interactive), frames (how many were
// drawn while it zoomed and panned: ctrl+wheel at several points, W, S,
// A, D, drags), frame_p50_ms / frame_p95_ms / frame_max_ms (the time
// each took to draw, the timeline's own measure around its draw),
// raster_p50_ms / raster_p95_ms (the same frames with the canvas made to
// raster them before the clock stops), and js_heap_mb (the tab's JavaScript heap, after the run).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const page_ = process.argv[2];
const url = /^https?:/.test(page_) ? page_ : pathToFileURL(path.resolve(page_)).href;
const profile = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'ctrace-view-bench-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    '--enable-precise-memory-info'],
  viewport: { width: 1600, height: 1000 },
});
let out = { page: page_ };
try {
  const pg = ctx.pages()[0] || (await ctx.newPage());
  await pg.goto(url, { timeout: 300000 });
  await pg.waitForFunction(() => document.body.dataset.ready === '1' || document.body.dataset.failed === '1',
    null, { timeout: 300000, polling: 20 });
  out.ready_ms = await pg.evaluate(() => window.ctraceView.readyAt);
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      if (!(await pg.evaluate(() => !!window.ctraceView.src.pending))) break;
      await pg.waitForTimeout(50);
    }
  };
  await settle();
  // Besides the timeline's own measure (its JavaScript), each frame again
  // with the canvas made to raster what it drew: a one-pixel read-back
  // waits for it.  That is closer to what a person waits for.
  await pg.evaluate(() => {
    const tl = window.ctraceView.tl, draw = tl.draw.bind(tl);
    tl.frames.length = 0;
    window.rasterFrames = [];
    tl.draw = () => {
      const a = performance.now();
      draw();
      tl.ctx.getImageData(0, 0, 1, 1);
      window.rasterFrames.push(performance.now() - a);
    };
  });
  const box = await pg.locator('#tl').boundingBox();
  await pg.locator('#tl').focus();
  // Zoom in step by step at several places, pan, zoom out again.
  for (const fx of [0.3, 0.5, 0.7]) {
    await pg.mouse.move(box.x + box.width * fx, box.y + 300);
    await pg.keyboard.down('Control');
    for (let i = 0; i < 12; i++) { await pg.mouse.wheel(0, -240); await pg.waitForTimeout(16); }
    await pg.keyboard.up('Control');
    await settle();
    for (const k of ['d', 'd', 'a', 'd', 'a', 'a']) { await pg.keyboard.press(k); await pg.waitForTimeout(16); }
    await pg.mouse.move(box.x + box.width * 0.6, box.y + 400);
    await pg.mouse.down();
    for (let i = 0; i < 10; i++) { await pg.mouse.move(box.x + box.width * (0.6 - i * 0.02), box.y + 400); await pg.waitForTimeout(16); }
    await pg.mouse.up();
    for (const k of ['s', 's', 's', 's', 'w', 'w']) { await pg.keyboard.press(k); await pg.waitForTimeout(16); }
    await settle();
    await pg.keyboard.press('0');
    await settle();
  }
  const f = await pg.evaluate(() => window.ctraceView.tl.frames.slice());
  f.sort((a, b) => a - b);
  const q = (p) => f.length ? f[Math.min(f.length - 1, Math.floor(p * f.length))] : 0;
  out.frames = f.length;
  out.frame_p50_ms = +q(0.5).toFixed(2);
  out.frame_p95_ms = +q(0.95).toFixed(2);
  out.frame_max_ms = +(f[f.length - 1] || 0).toFixed(2);
  const rf = (await pg.evaluate(() => window.rasterFrames)).sort((a, b) => a - b);
  const rq = (p) => rf.length ? rf[Math.min(rf.length - 1, Math.floor(p * rf.length))] : 0;
  out.raster_p50_ms = +rq(0.5).toFixed(2);
  out.raster_p95_ms = +rq(0.95).toFixed(2);
  const cdp = await ctx.newCDPSession(pg);
  await cdp.send('HeapProfiler.collectGarbage');
  const m = await cdp.send('Performance.getMetrics').catch(() => null);
  await cdp.send('Performance.enable');
  const m2 = await cdp.send('Performance.getMetrics');
  const get = (k) => (m2.metrics.find((x) => x.name === k) || {}).value || 0;
  void m;
  out.js_heap_mb = +(get('JSHeapUsedSize') / 1048576).toFixed(1);
  out.js_heap_total_mb = +(get('JSHeapTotalSize') / 1048576).toFixed(1);
} catch (e) {
  out.error = String(e.stack || e);
} finally {
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
