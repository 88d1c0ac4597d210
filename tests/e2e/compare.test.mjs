// End-to-end, the compare view (issue 14): `?scenario=stalls&view=compare`
// opens ratio 0 vs ratio 95 of one cgroup; playing moves both runs on one
// clock; the metrics table's cells carry the CLI's column names and numbers
// (data-metric, data-value), and ratio 0 pays its reclaim in direct reclaim
// (stalls) where ratio 95's worker pays it. The link restores the view.
// Screenshot: tests/e2e/out/compare.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, open, now, setSpeed, OUT_DIR } from './lib.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const EIGHT_S = 8_000_000_000;

/// Every run's value of `metric`, in run order (numbers as the CLI prints them).
async function column(page, metric) {
  return page.locator(`#compare-table td[data-metric="${metric}"]`).evaluateAll((cells) =>
    cells.map((c) => c.dataset.value),
  );
}

test('compare view: ratio 0 vs 95 of the stalls preset on one clock', async (t) => {
  const { page, problems } = await launch(t, { width: 1280, height: 1000 });
  await open(page, '?scenario=stalls&view=compare');
  await page.waitForSelector('.playground[data-view="compare"]');
  const heads = await page.locator('#compare-table thead th[data-run]').allTextContents();
  assert.deepEqual(heads, ['run 1: ratio=0', 'run 2: ratio=95']);
  assert.match(await page.evaluate(() => location.hash), /^#cmp=stalls;ratio=0;ratio=95$/);

  await setSpeed(page, 10); // ×10
  await page.locator('#play').click();
  await page.waitForFunction((t) => Number(document.querySelector('.playground').dataset.now) >= t, EIGHT_S, { timeout: 90_000 });
  await page.locator('#play').click();
  await page.waitForSelector('.playground[data-playing="false"]');

  // One clock: every run's virtual time is the clock's.
  const t0 = await now(page);
  const runtimes = await column(page, 'runtime_ms');
  assert.equal(runtimes.length, 2);
  // runtime_ms is printed in µs (rounded): equal to the clock within that.
  for (const r of runtimes) assert.ok(Math.abs(Number(r) * 1e6 - t0) <= 500, `runtime ${r} ms at t = ${t0} ns`);
  assert.equal(runtimes[0], runtimes[1]);

  const p99 = await column(page, 'p99_stall_us');
  assert.equal(p99.length, 2);
  for (const v of p99) assert.match(v, /^\d+\.\d{3}$/, 'p99 printed as the CLI prints µs');
  const direct = (await column(page, 'direct_reclaim_ms')).map(Number);
  const worker = (await column(page, 'worker_cpu_ms')).map(Number);
  console.log(`p99_stall_us ${p99.join(' vs ')}; direct_reclaim_ms ${direct.join(' vs ')}; worker_cpu_ms ${worker.join(' vs ')}`);
  assert.ok(direct[0] > direct[1], `ratio 0's direct reclaim ${direct[0]} > ratio 95's ${direct[1]}`);
  assert.ok(Number(p99[0]) > Number(p99[1]), `ratio 0's p99 ${p99[0]} > ratio 95's ${p99[1]}`);
  assert.ok(worker[1] > worker[0], 'ratio 95 pays in worker CPU');
  assert.match(await page.locator('#compare-table tr.payers td[data-run="0"]').getAttribute('data-payers'), /^tasks 100%/);
  assert.match(await page.locator('#compare-table tr.payers td[data-run="1"]').getAttribute('data-payers'), /^worker/);
  // The differences are marked.
  assert.match(await page.locator('#compare-table td[data-metric="direct_reclaim_ms"][data-run="1"]').getAttribute('class'), /best/);
  assert.equal(await page.locator('.compare-run').count(), 2);
  await page.screenshot({ path: `${OUT_DIR}compare.png`, fullPage: true });

  // Seeking moves both runs.
  await page.locator('.scrubber button[aria-label="seek to the start"]').click();
  await page.waitForFunction(() => document.querySelector('.playground').dataset.now === '0');
  assert.deepEqual(await column(page, 'runtime_ms'), ['0.000', '0.000']);

  // A run's setting, edited: the link follows and reopening restores it.
  const input = page.locator('input.run-settings[data-run="1"]');
  await input.fill('ratio=80');
  await input.press('Enter');
  await page.waitForFunction(() => location.hash === '#cmp=stalls;ratio=0;ratio=80');
  const link = await page.evaluate(() => location.href);
  await page.goto('about:blank');
  await page.goto(link);
  await page.waitForSelector('.playground[data-view="compare"]');
  assert.deepEqual(await page.locator('#compare-table thead th[data-run]').allTextContents(), ['run 1: ratio=0', 'run 2: ratio=80']);

  // From the playground: the preset's "Compare runs" button, and back.
  await page.goto('about:blank');
  await open(page, '?scenario=stalls');
  await page.locator('#compare-open').click();
  await page.waitForSelector('.playground[data-view="compare"]');
  assert.equal(await page.locator('#compare-table td[data-metric="p99_stall_us"]').count(), 2);
  await page.locator('#compare-close').click();
  await page.waitForSelector('#cgroup-tree');
  assert.deepEqual(problems, []);
});

// The README's walkthrough: "ratio 95 or 80 for a service allocating
// 200 MB/s in a 1 GiB cgroup?", answered with the vendor's example (the
// `seed` preset: 1G limit, anon at 200 MB/s with a 256M working set) and a
// comparison that writes memory.wmark_ratio after its setup. Prints the
// numbers the README quotes.
test('compare view: the README walkthrough, ratio 80 vs 95 for 200 MB/s in 1G', async (t) => {
  const { page, problems } = await launch(t, { width: 1280, height: 1000 });
  await open(page, '?scenario=seed&view=compare#cmp=seed;/test/memory.wmark_ratio=0;/test/memory.wmark_ratio=80;/test/memory.wmark_ratio=95');
  await page.waitForSelector('.playground[data-view="compare"]');
  assert.equal(await page.locator('#compare-table thead th[data-run]').count(), 3);
  await setSpeed(page, 10);
  await page.locator('#play').click();
  await page.waitForFunction(() => Number(document.querySelector('.playground').dataset.now) >= 12_000_000_000, null, { timeout: 120_000 });
  await page.locator('#play').click();
  await page.waitForSelector('.playground[data-playing="false"]');
  // Back to exactly 12 s, so the numbers are the CLI's at `sleep 12s`.
  await page.locator('#scrubber').fill('12000');
  await page.waitForFunction(() => document.querySelector('.playground').dataset.now === '12000000000');
  const row = async (m) => (await column(page, m)).map(Number);
  const [p99, worker, direct, refaults, runtime] = await Promise.all(
    ['p99_stall_us', 'worker_cpu_ms', 'direct_reclaim_ms', 'refaults', 'runtime_ms'].map(row),
  );
  console.log(`# walkthrough at ${runtime[0]} ms: p99_stall_us ${p99.join(' / ')}; direct_reclaim_ms ${direct.join(' / ')}; worker_cpu_ms ${worker.join(' / ')}; refaults ${refaults.join(' / ')} (ratio 0 / 80 / 95)`);
  assert.ok(direct[0] > 0 && direct[1] === 0 && direct[2] === 0, `only ratio 0 reclaims directly: ${direct}`);
  assert.ok(p99[0] > p99[1] && p99[1] === p99[2], `80 and 95 stall alike, less than 0: ${p99}`);
  assert.ok(worker[1] > worker[2], `ratio 80's worker spends more than 95's: ${worker}`);
  assert.deepEqual(refaults, [0, 0, 0]);
  // The CLI's sweep of the same setup at 12 s prints the same cells.
  const dir = await mkdtemp(join(tmpdir(), 'memcg-walk-'));
  const script = join(dir, 'seed.sh');
  await writeFile(script, [
    'mkdir test',
    'echo 1G > test/memory.limit_in_bytes',
    'echo 95 > test/memory.wmark_ratio',
    'spawn test anon 3G --ws 256M --rate 200M/s',
    'echo $R > test/memory.wmark_ratio',
    'sleep 12s',
    '',
  ].join('\n'));
  const bin = join(ROOT, 'target/debug/memcg');
  const [cmd, pre] = existsSync(bin) ? [bin, []] : ['cargo', ['run', '-q', '-p', 'memcg-tests', '--bin', 'memcg', '--']];
  const csv = execFileSync(cmd, [...pre, 'sweep', '--param', 'R=0,80,95', '--csv', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').map((l) => l.split(','));
  const [head, ...rows] = csv;
  for (const m of ['p99_stall_us', 'direct_reclaim_ms', 'worker_cpu_ms', 'refaults', 'alloc_mb']) {
    const i = head.indexOf(m);
    assert.deepEqual(await column(page, m), rows.map((r) => r[i]), `${m}: the page's cells are the CLI's`);
  }
  await page.screenshot({ path: `${OUT_DIR}compare-walkthrough.png`, fullPage: true });
  assert.deepEqual(problems, []);
});
