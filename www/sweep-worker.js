// The sweep view's Web Worker (issue 14): a module worker that loads the
// JS library's wasm (www/lib, `make build`) and runs sweep cells with the
// core's Sweep::run_one, the code `memcg sweep` runs; it also prints a
// finished sweep's CSV and recommendation with the core's code. The page
// keeps only the view; this module is loaded once per worker.
//
// In:  {id, i, script, version, seed, kernel, names, values}
// Out: {id, i, values, errors, first_error}  or  {id, i, error}
// In:  {report: seq, names, values, kernel, cells, constraint}
// Out: {report: seq, csv, recommendation}  or  {report: seq, error}
import init, { sweepCell, sweepReport } from './lib/memcg.js';

const ready = init();

self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.report !== undefined) {
    try {
      await ready;
      const r = sweepReport(m.names, m.values, m.kernel, m.cells, m.constraint);
      self.postMessage({ report: m.report, csv: r.csv, recommendation: r.recommendation });
    } catch (e) {
      self.postMessage({ report: m.report, error: String(e && e.message || e) });
    }
    return;
  }
  try {
    await ready;
    const r = sweepCell(m.script, m.version, m.seed, m.kernel, m.names, m.values);
    self.postMessage({ id: m.id, i: m.i, values: r.values, errors: r.errors, first_error: r.first_error ?? null });
  } catch (e) {
    self.postMessage({ id: m.id, i: m.i, error: String(e && e.message || e) });
  }
};
