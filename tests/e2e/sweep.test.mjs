// End-to-end, the sweep view (issue 14): `?scenario=stalls&view=sweep`
// runs the preset's default 4×4 grid (wmark_ratio × wmark_scale_factor,
// 8 s of virtual time each) in Web Workers; the progress bar reaches
// 100 %, every heatmap cell carries the CLI's column name and number
// (data-metric, data-value), and "Export CSV" is byte for byte what
// `memcg sweep --csv` prints for the page's own script and command line
// (the native CLI, target/debug/memcg, or `cargo run` when it is not
// built). Prints the page's frame times (requestAnimationFrame deltas)
// while the sweep runs; no wall-clock thresholds. A click on a cell opens
// the compare view. Screenshot: tests/e2e/out/sweep.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, open, OUT_DIR } from './lib.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/// `memcg sweep ARGS…` from the repository: the built binary if there is
/// one, else cargo.
function memcgSweep(args) {
  const bin = join(ROOT, 'target/debug/memcg');
  const [cmd, pre] = existsSync(bin)
    ? [bin, []]
    : ['cargo', ['run', '-q', '-p', 'memcg-tests', '--bin', 'memcg', '--']];
  return execFileSync(cmd, [...pre, 'sweep', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'ignore'] });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

test('sweep view: a 4×4 grid in Web Workers equals the CLI sweep', async (t) => {
  const { page, problems } = await launch(t, { width: 1280, height: 1100 });
  // Frame times from the first frame on: rAF deltas while the sweep runs.
  await page.addInitScript(() => {
    window.__frames = [];
    let last = 0;
    const tick = (ts) => {
      if (last) window.__frames.push(ts - last);
      last = ts;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await open(page, '?scenario=stalls&view=sweep');
  await page.waitForSelector('.playground[data-view="sweep"]');
  // From the view's mount (the sweep starts there), not the page's load.
  await page.evaluate(() => { window.__frames.length = 0; });
  assert.equal(
    await page.evaluate(() => location.hash),
    '#sweep=stalls;time=8s;seed=0;ratio=0,50,80,95;wmark_scale_factor=10,50,100,200',
  );
  assert.equal(await page.locator('.sweep-view').getAttribute('data-total'), '16');
  await page.waitForSelector('.sweep-view[data-done="16"]', { timeout: 120_000 });
  const frames = await page.evaluate(() => window.__frames.splice(0));
  console.log(
    `frame times while the sweep ran: ${frames.length} frames, median ${median(frames).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms` +
      ` (Workers: ${await page.evaluate(() => Math.min(4, navigator.hardwareConcurrency || 1))})`,
  );
  assert.equal(await page.locator('#sweep-progress').getAttribute('data-percent'), '100');
  assert.equal(await page.locator('.sweep-view').getAttribute('data-running'), 'false');
  assert.match(await page.locator('#sweep-count').textContent(), /^16\/16 runs \(100 %\)$/);

  // Every heatmap cell: 5 maps × 16 cells.
  const cells = await page.locator('[data-metric]').evaluateAll((els) =>
    els.map((e) => ({ metric: e.dataset.metric, value: e.dataset.value, cell: Number(e.dataset.cell), title: e.title })),
  );
  const maps = ['p99_stall_us', 'task_reclaim_cpu_ms', 'worker_cpu_ms', 'refaults', 'oom_kills'];
  assert.deepEqual([...new Set(cells.map((c) => c.metric))], maps);
  assert.equal(cells.length, maps.length * 16);

  // The page's CSV against the CLI's for the page's script and command line.
  const script = await page.locator('#sweep-script').textContent();
  const cli = (await page.locator('#sweep-cli').textContent()).trim().split(/\s+/);
  assert.deepEqual(cli.slice(0, 2), ['memcg', 'sweep']);
  assert.equal(cli.at(-1), 'sweep.sh');
  const dir = await mkdtemp(join(tmpdir(), 'memcg-sweep-e2e-'));
  await writeFile(join(dir, 'sweep.sh'), script);
  const expected = memcgSweep([...cli.slice(2, -1), join(dir, 'sweep.sh')]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#sweep-export').click()]);
  assert.equal(download.suggestedFilename(), 'memcg-sweep.csv');
  const exported = await readFile(await download.path(), 'utf8');
  assert.equal(exported, expected, 'the exported CSV is the CLI sweep\'s');
  const rows = expected.trim().split('\n').map((l) => l.split(','));
  assert.equal(rows.length, 17);
  for (const c of cells) {
    const col = rows[0].indexOf(c.metric);
    assert.equal(c.value, rows[c.cell + 1][col], `${c.metric} of cell ${c.cell}`);
    assert.ok(c.title.includes(`${c.metric} = ${c.value}`), 'the title shows the numbers');
  }
  // The grid is not flat: ratio 0 pays in direct reclaim, ratio 95 in the worker.
  const p99 = (i) => Number(rows[i + 1][rows[0].indexOf('p99_stall_us')]);
  const worker = (i) => Number(rows[i + 1][rows[0].indexOf('worker_cpu_ms')]);
  assert.ok(p99(0) > p99(12), `p99 at ratio 0 (${p99(0)}) > at ratio 95 (${p99(12)})`);
  assert.ok(worker(12) > worker(0), 'ratio 95 pays in worker CPU');

  // The recommendation is the CLI's sentence (the last line of its table
  // output), for a constraint some runs meet and one none does.
  const args = cli.slice(2, -1).filter((a) => a !== '--csv');
  for (const [c, start] of [['p99_stall_us<=100', 'Recommended: '], ['p99_stall_us<=100,refaults<=0', 'Recommended: '], ['p99_stall_us<0.1', 'No recommendation: ']]) {
    const sentence = memcgSweep([...args, '--recommend', c, join(dir, 'sweep.sh')]).trim().split('\n').at(-1);
    assert.ok(sentence.startsWith(start), sentence);
    await page.locator('#sweep-constraint').fill(c);
    await page.waitForFunction((s) => document.querySelector('#sweep-recommendation').textContent === s, sentence);
  }
  await page.locator('#sweep-constraint').fill('p99_stall_us<=100');
  const rec = await page.locator('#sweep-recommendation').textContent();
  assert.match(rec, /^Recommended: kernel=alinux-4.19 ratio=\d+ wmark_scale_factor=\d+ — 12 of the 16 runs meet p99_stall_us<=100/);
  await page.locator('#sweep-constraint').fill('p99_stall_us<=x');
  await page.waitForFunction(() => /is not a number/.test(document.querySelector('#sweep-recommendation').textContent));
  await page.locator('#sweep-constraint').fill('p99_stall_us<=100');
  await page.waitForFunction(() => document.querySelector('#sweep-recommendation').textContent.startsWith('Recommended:'));
  await page.screenshot({ path: `${OUT_DIR}sweep.png`, fullPage: true });

  // Run again, then cancel: no more progress after it.
  await page.locator('#sweep-run').click();
  await page.locator('#sweep-cancel').click();
  await page.waitForSelector('.sweep-view[data-running="false"]');
  const stopped = await page.locator('.sweep-view').getAttribute('data-done');
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('.sweep-view').getAttribute('data-done'), stopped);
  assert.ok(Number(stopped) < 16, `cancelled at ${stopped}/16`);
  await page.locator('#sweep-run').click();
  await page.waitForSelector('.sweep-view[data-done="16"]', { timeout: 120_000 });

  // A click on the last cell opens it in the compare view against the first.
  await page.locator('[data-metric="p99_stall_us"][data-cell="15"]').click();
  await page.waitForSelector('.playground[data-view="compare"]');
  assert.equal(
    decodeURIComponent(await page.evaluate(() => location.hash)),
    '#cmp=stalls;ratio=0,/svc/memory.wmark_scale_factor=10;ratio=95,/svc/memory.wmark_scale_factor=200',
  );
  assert.deepEqual(problems, []);
});

test('sweep view: a one-parameter link reruns that sweep', async (t) => {
  const { page, problems } = await launch(t);
  await open(page, '?view=sweep#sweep=stalls;time=2s;seed=0;ratio=0,95');
  await page.waitForSelector('.sweep-view[data-done="2"]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-metric="p99_stall_us"]').count(), 2);
  assert.equal(await page.locator('#sweep-params').inputValue(), 'ratio=0,95');
  // A bad link says why and opens the preset's default sweep.
  await open(page, '?scenario=stalls&view=sweep#sweep=stalls;ratio=0;ratio=1');
  await page.waitForSelector('.sweep-view');
  assert.match(await page.locator('.sweep-view [role="alert"]').textContent(), /could not be opened: parameter ratio given twice/);
  assert.equal(await page.locator('.sweep-view').getAttribute('data-total'), '16');
  assert.deepEqual(problems, []);
});
