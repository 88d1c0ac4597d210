// End-to-end: the layout bugs of issue 14 ("Bugs found trying it"): the
// page at 390 px wide (no horizontal page scroll; screenshot
// tests/e2e/out/narrow.png), tick labels at a readable size, the scenario
// selector and the root's name whole, the docs embeds' trees not clipped
// under their legend, and the version selector asking before it discards
// a machine with edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, open, OUT_DIR } from './lib.mjs';

test('390 px wide: no horizontal page scroll, panes stacked', async (t) => {
  const { browser, problems } = await launch(t);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await open(page, '?scenario=stalls');
  await page.waitForSelector('#cgroup-tree [role=treeitem]');
  const widths = await page.evaluate(() => {
    const over = [...document.querySelectorAll('.playground *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className.baseVal ?? el.className} ${Math.round(el.getBoundingClientRect().right)}`);
    return { scroll: document.scrollingElement.scrollWidth, over };
  });
  await page.screenshot({ path: `${OUT_DIR}narrow.png`, fullPage: true });
  assert.ok(widths.scroll <= 391, `page ${widths.scroll} px wide: ${widths.over.join(', ')}`);
  assert.deepEqual(problems, []);
});

test('tick labels are at least 10 px high; the scenario and the root are named whole', async (t) => {
  const { page, problems } = await launch(t);
  await open(page, '?scenario=seed');
  await page.waitForSelector('#timeline .chart');
  // Whichever way the labels are drawn (SVG text or HTML over it).
  const heights = await page.locator('#timeline .chart svg text, #timeline .chart .ticks span')
    .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
  assert.ok(heights.length >= 8, `${heights.length} labels`);
  assert.ok(Math.min(...heights) >= 10, `label heights ${heights.map(Math.round)}`);
  // The chosen preset's title, whole, in the selector's tooltip.
  const title = await page.locator('#scenario-select').getAttribute('title');
  assert.match(title, /^1\. The vendor's example \(v1, 1G limit, wmark_ratio 95\)/);
  // The root's name is the whole mount point, and within its row's name column.
  const root = page.locator('#cgroup-tree [role=treeitem]').first().locator('text.name');
  assert.equal(await root.textContent(), '/sys/fs/cgroup/memory');
  const box = await root.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const bar = el.parentElement.querySelector('.bar-bg').getBoundingClientRect();
    return { right: r.right, bar: bar.left };
  });
  assert.ok(box.right <= box.bar, `root name ends at ${box.right}, the bar starts at ${box.bar}`);
  assert.deepEqual(problems, []);
});

test('docs embeds: every tree row can be seen above the legend', async (t) => {
  const { page, problems } = await launch(t, { width: 1280, height: 900 });
  await page.goto(new URL('www/docs/async-reclaim.html', BASE_URL).href);
  for (const id of ['precaution-1', 'precaution-2']) {
    const embed = page.locator(`#${id} memcg-playground`);
    await embed.locator('#cgroup-tree [role=treeitem]').nth(1).waitFor({ timeout: 30_000 });
    // As the page opens (no scrolling inside the embed), the last row is in
    // view, above the legend.
    const r = await embed.locator('.tree-wrap').evaluate((wrap) => {
      const rows = wrap.querySelectorAll('[role=treeitem] .row-bg');
      const last = rows[rows.length - 1].getBoundingClientRect();
      const legend = wrap.parentElement.querySelector('.legend').getBoundingClientRect();
      const box = wrap.getBoundingClientRect();
      return { last: last.bottom, legend: legend.top, wrap: box.bottom };
    });
    assert.ok(r.last <= Math.min(r.legend, r.wrap) + 1, `${id}: last row ends at ${r.last}, legend at ${r.legend}, tree box at ${r.wrap}`);
    await page.locator(`#${id}`).screenshot({ path: `${OUT_DIR}docs-${id}-rows.png` });
  }
  assert.deepEqual(problems, []);
});

test('the version selector asks before discarding a machine with edits', async (t) => {
  const { page, problems } = await launch(t);
  await open(page, '?scenario=blank');
  const input = page.locator('#console-input');
  await input.fill('mkdir /sys/fs/cgroup/memory/keep');
  await input.press('Enter');
  await page.locator('#cgroup-tree [data-path="/sys/fs/cgroup/memory/keep"]').waitFor();
  await page.locator('#version-select').selectOption('v2');
  await page.locator('#confirm-version').waitFor();
  assert.equal(await page.locator('#cgroup-tree [data-path="/sys/fs/cgroup/memory/keep"]').count(), 1, 'kept while asking');
  await page.locator('#confirm-cancel').click();
  assert.equal(await page.locator('#confirm-version').count(), 0);
  assert.equal(await page.locator('#version-select').inputValue(), 'v1');
  assert.equal(await page.locator('#cgroup-tree [data-path="/sys/fs/cgroup/memory/keep"]').count(), 1, 'kept on Cancel');
  await page.locator('#version-select').selectOption('v2');
  await page.locator('#confirm-switch').click();
  await page.locator('#cgroup-tree [data-path="/sys/fs/cgroup"]').waitFor();
  assert.equal(await page.locator('#version-select').inputValue(), 'v2');
  assert.equal(await page.locator('#confirm-version').count(), 0);
  assert.deepEqual(problems, []);
});
