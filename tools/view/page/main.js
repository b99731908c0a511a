// ctrace view: start-up.  The meta JSON is in the page (self-contained)
// or at /meta (served); then the timeline and the panels, and a small
// API on window.ctraceView for tests and benchmarks.
'use strict';

(function () {
  const t0 = performance.now();
  function fail(msg) {
    document.getElementById('status').textContent = msg;
    document.body.dataset.failed = '1';
  }

  function start(meta, blob) {
    CT.prepareKinds(meta);
    let tl = null;
    const src = meta.serve ? new CT.ServedSource(meta, () => tl && tl.redraw()) : new CT.EmbeddedSource(meta, blob);
    let panels = null;
    tl = new CT.Timeline(document.getElementById('tl'), meta, src, {
      onSelect: (h) => panels && panels.select(h),
      onRange: (r) => panels && panels.range(r),
      onHover: (h, x, y) => panels && panels.hover(h, x, y),
      onView: () => {},
    });
    if (!meta.serve) src.view = () => [tl.t0, tl.t1];
    panels = new CT.Panels(meta, src, tl);
    document.getElementById('title').textContent = meta.title;
    const st = document.getElementById('status');
    st.textContent = meta.events.toLocaleString('en') + ' events · ' + CT.fmtDur(meta.span_ns) +
      (meta.serve ? ' · served' : '');
    if (meta.problem || meta.losses.length) {
      const b = document.getElementById('banner');
      b.hidden = false;
      b.textContent = (meta.problem ? 'This trace is incomplete: ' + meta.problem + '. Shown: what decoded before it. ' : '') +
        (meta.losses.length ? meta.losses.length + ' losses (red bands): states across them are unknown.' : '');
      tl.resize();	/* the banner took some of the timeline's height */
    }
    const wk = document.getElementById('wakeups'), fl = document.getElementById('flows');
    wk.addEventListener('change', () => { tl.showWakeups = wk.checked; tl.redraw(); });
    fl.addEventListener('change', () => { tl.showFlows = fl.checked; tl.redraw(); });
    const search = document.getElementById('search');
    search.addEventListener('keydown', (e) => { if (e.key === 'Enter') panels.search(search.value); e.stopPropagation(); });
    window.ctraceView = {
      meta, tl, panels, src,
      loadMs: performance.now() - t0,
      setView: (a, b) => tl.setView(a, b),
      view: () => ({ t0: tl.t0, t1: tl.t1, level: tl.level() }),
      stats: () => tl.stats,
      frames: tl.frames,
      select: (r) => { tl.range = r; tl.redraw(); panels.range(r); },
    };
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.ctraceView.readyMs = performance.now() - t0;
      /* From the navigation's start: what "interactive within 2 s" means. */
      window.ctraceView.readyAt = performance.now();
      document.body.dataset.ready = '1';
    }));
  }

  try {
    const m = JSON.parse(document.getElementById('ctrace-meta').textContent);
    if (m.serve && !m.kinds) {
      fetch('meta').then((r) => r.json()).then((meta) => start(meta, null)).catch((e) => fail('cannot load: ' + e.message));
    } else {
      start(m, CT.decodeBase64(document.getElementById('ctrace-blocks').textContent));
    }
  } catch (e) {
    fail('cannot read this page\'s data: ' + e.message);
    throw e;
  }
})();
