// End-to-end, acceptance of the playground: load tour (2), play 10 virtual
// seconds, and read from the DOM that the wmark_ratio 95 run has its worker
// running and its usage falling below wmark_low, while the ratio-0 run shows
// direct-reclaim stalls. Screenshots of every stop go to tests/e2e/out/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, now, setSpeed, waitForStop, node, OUT_DIR } from './lib.mjs';

const W95 = '/sys/fs/cgroup/wmark95';
const R0 = '/sys/fs/cgroup/ratio0';
const TEN_S = 10_000_000_000;

test('tour 2: the wmark run reclaims in the background, the ratio-0 run stalls', async (t) => {
  const { page, problems } = await launch(t);
  await open(page, '?scenario=stalls');
  await page.waitForSelector('#tour[data-step="0"][data-waiting="false"]');
  assert.match(await page.locator('#tour').textContent(), /Same load, two settings/);
  await setSpeed(page, 10); // ×10

  const seen = { running: false, belowLow: false, stalls: false };
  await page.locator('#tour-next').click();
  for (let guard = 0; guard < 10; guard++) {
    await waitForStop(page, TEN_S);
    const tour = page.locator('#tour');
    if ((await tour.count()) === 0 || (await now(page)) >= TEN_S) break;
    const step = Number(await tour.getAttribute('data-step'));
    const w = await node(page, W95);
    const r = await node(page, R0);
    if (step === 1) {
      // The stop is the moment the worker starts: the badge says so.
      assert.match(w.work, /^running/);
      assert.match(await page.locator(`#cgroup-tree [data-path="${W95}"] .badge text`).textContent(), /running/);
      seen.running = true;
    }
    if (step === 2) {
      assert.ok(Number(w.usage) < Number(w.wmarkLow), `usage ${w.usage} ≥ wmark_low ${w.wmarkLow}`);
      seen.belowLow = true;
    }
    if (step === 3) {
      assert.ok(Number(r.maxEvents) > 0, 'ratio0 hit memory.max');
      assert.ok(Number(r.stallNs) > 0, 'ratio0 tasks stalled');
      seen.stalls = true;
    }
    await page.screenshot({ path: `${OUT_DIR}tour2-step${step}.png` });
    await page.locator('#tour-next').click();
  }
  // Whatever the tour did, play on to 10 virtual seconds.
  if ((await page.locator('.playground').getAttribute('data-playing')) !== 'true') {
    await page.locator('#play').click();
  }
  await page.waitForFunction((t) => Number(document.querySelector('.playground').dataset.now) >= t, TEN_S, { timeout: 60_000 });
  await page.locator('#play').click();
  assert.ok(seen.running && seen.belowLow && seen.stalls, JSON.stringify(seen));

  const w = await node(page, W95);
  const r = await node(page, R0);
  assert.equal(w.maxEvents, '0', 'wmark95 never hit memory.max');
  assert.ok(Number(w.workerNs) > 0, 'wmark95 paid in worker CPU time');
  assert.ok(Number(r.maxEvents) > 0 && Number(r.stallNs) > 0, 'ratio0 stalled in direct reclaim');

  // The ratio-0 run's latency histogram has stall buckets; its service's p99
  // is a direct-reclaim stall (hundreds of µs), wmark95's is a plain fault.
  await page.locator(`#cgroup-tree [data-path="${R0}"]`).click();
  await page.waitForSelector(`#timeline[data-path="${R0}"]`);
  assert.ok(Number(await page.locator('.hist-chart svg').getAttribute('data-stalls')) > 0);
  const p99 = await page.locator('#workloads tr[data-pid="1001"] td.p99').textContent();
  assert.match(p99, /\d+(\.\d+)? (µs|ms)/);
  await page.screenshot({ path: `${OUT_DIR}tour2-ratio0.png` });
  await page.locator(`#cgroup-tree [data-path="${W95}"]`).click();
  await page.waitForSelector(`#timeline[data-path="${W95}"]`);
  assert.equal(await page.locator('#workloads tr[data-pid="1002"] td.p99').textContent(), '250 ns');
  // The event log has the worker's lines for wmark95.
  await page.locator('#log-kind').selectOption({ label: 'worker (work_*)' });
  assert.match(await page.locator('#log-lines').textContent(), /work_(chunk|start|done|queued)\s+-?\s*\d*\s*\/wmark95/);
  assert.equal(await page.locator('#log-lines').getAttribute('aria-live'), 'polite');
  await page.screenshot({ path: `${OUT_DIR}tour2-wmark95.png` });
  assert.deepEqual(problems, []);
});
