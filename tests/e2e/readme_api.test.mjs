// The JS API example in README.md, run as written in the served page: the
// block under "## JS API" is injected as a module script and its
// console.log lines are checked against the values the README claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, BASE_URL } from './lib.mjs';

test('the README JS API example runs and prints what it says', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## JS API')[1];
  assert.ok(section, 'README has a "## JS API" section');
  const code = section.match(/```js\n([\s\S]*?)```/)[1];
  // Expected output: the `// → value` comments, in order.
  const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trim());
  assert.ok(expected.length >= 3, 'the example documents its output');

  const { page, problems } = await launch(t);
  const logs = [];
  page.on('console', (msg) => {
    if (msg.type() === 'log') logs.push(msg.text().trim());
  });
  // The playground page sits at the repository root, so './www/lib/…'
  // (the JS library package) resolves from it.
  await page.goto(BASE_URL + '?scenario=blank');
  await page.waitForSelector('.playground', { timeout: 30_000 });
  logs.length = 0;
  await page.addScriptTag({ type: 'module', content: code + '\nwindow.readmeDone = true;' });
  await page.waitForFunction(() => window.readmeDone === true, null, { timeout: 30_000 });
  assert.deepEqual(logs.slice(0, expected.length), expected);
  assert.match(logs[expected.length], /^[0-9a-f]{16}$/, 'then the trace hash');
  assert.deepEqual(problems, []);
});
