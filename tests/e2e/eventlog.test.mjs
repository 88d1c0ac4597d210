// End-to-end: the event log's filters after thousands of per-page lines
// (issue 14: the writes at t = 0 read "(no events yet)" once the log's
// window had moved past them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open } from './lib.mjs';

test('the event log finds the writes at t = 0 after thousands of lines', async (t) => {
  const { page, problems } = await launch(t);
  await open(page, '?scenario=seed&play=1&speed=10');
  await page.waitForFunction(() => Number(document.querySelector('.playground').dataset.traceLen) > 3000, null, { timeout: 60_000 });
  await page.locator('#play').click();
  await page.locator('.playground[data-playing="false"]').waitFor();
  await page.locator('#log-kind').selectOption({ label: 'writes' });
  const text = await page.locator('#log-lines').textContent();
  assert.match(text, /^\s*0\.000000000\s+write\s/m, text.slice(0, 200));
  // Nothing matches: the log says what it holds, not that nothing happened.
  await page.locator('#log-filter').fill('no such event');
  const none = await page.locator('#log-lines').textContent();
  assert.doesNotMatch(none, /no events yet/);
  assert.match(none, /no matching event/);
  assert.deepEqual(problems, []);
});
