// End-to-end: the served playground page in Debian chromium, driven through
// playwright-core. Types the seed document's configuration example into the
// console of an empty machine and checks the documented outputs.
//
//   E2E_URL=http://127.0.0.1:8080/ node --test tests/e2e/
//
// The page must already be built (make build) and served (make serve);
// `make test` does both on a free port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, OUT_DIR } from './lib.mjs';

// The seed's five steps (step 5 is two commands), verbatim.
const SEED = [
  'mkdir /sys/fs/cgroup/memory/test/',
  'echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes',
  'echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio',
  'cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor',
  'cat /sys/fs/cgroup/memory/test/memory.wmark_high',
  'cat /sys/fs/cgroup/memory/test/memory.wmark_low',
];

test('the seed example typed into the playground console prints 50, 1020051456, 1014685696', async (t) => {
  const { page, problems } = await launch(t);
  await open(page, '?scenario=blank');
  const input = page.locator('#console-input');
  await input.waitFor({ state: 'visible' });

  for (const [i, command] of SEED.entries()) {
    await input.pressSequentially(command);
    await input.press('Enter');
    // The command is echoed after its prompt once the app has run it.
    await page.waitForFunction(
      (n) => document.querySelectorAll('#console-output .input').length === n,
      i + 1,
    );
  }

  const echoed = await page.locator('#console-output .input').allTextContents();
  assert.deepEqual(
    echoed.map((l) => l.trimEnd().replace(/^.*?# /, '')),
    SEED,
  );
  const stdout = await page.locator('#console-output .stdout').allTextContents();
  assert.deepEqual(stdout.map((l) => l.replace(/\n$/, '')), ['50', '1020051456', '1014685696']);
  const stderr = await page.locator('#console-output .stderr').allTextContents();
  assert.deepEqual(stderr, []);

  // The new cgroup is in the tree; selecting it shows its files.
  await page.locator('#cgroup-tree [data-path="/sys/fs/cgroup/memory/test"]').click();
  await page.waitForSelector('#inspector[data-path="/sys/fs/cgroup/memory/test"]');
  const value = (file) =>
    page.locator(`#inspector tr[data-file="${file}"] td.value`).textContent();
  assert.equal(await value('memory.wmark_ratio'), '95');
  assert.equal(await value('memory.wmark_high'), '1020051456');
  assert.equal(await value('memory.wmark_low'), '1014685696');

  assert.equal(await page.locator('#error-panel').isVisible(), false);
  await page.screenshot({ path: `${OUT_DIR}playground.png` });
  assert.deepEqual(problems, []);
});
