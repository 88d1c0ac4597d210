// Shared helpers of the end-to-end tests: launching Debian chromium through
// playwright-core, collecting page errors, and driving the playground.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.E2E_URL || 'http://127.0.0.1:8080/';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));

export async function launch(t, { width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width, height }, colorScheme });
  page.setDefaultTimeout(20_000);
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await mkdir(OUT_DIR, { recursive: true });
  return { browser, page, problems };
}

/// Opens the playground with a query string and waits until it is mounted.
export async function open(page, query = '') {
  await page.goto(BASE_URL + query);
  await page.waitForSelector('.playground', { timeout: 30_000 });
}

/// Virtual time in ns, from the DOM.
export async function now(page) {
  return Number(await page.locator('.playground').getAttribute('data-now'));
}

/// Sets the speed slider with the keyboard (one decade = 10 presses).
export async function setSpeed(page, tenths) {
  const slider = page.locator('#speed');
  await slider.focus();
  const current = Number(await slider.inputValue());
  const key = tenths > current ? 'ArrowRight' : 'ArrowLeft';
  for (let i = 0; i < Math.abs(tenths - current); i++) await slider.press(key);
}

/// Waits until the tour stops at its next step (or ends, or time passes `limitNs`).
export async function waitForStop(page, limitNs = Infinity) {
  await page.waitForFunction(
    (limit) => {
      const tour = document.querySelector('#tour');
      const t = Number(document.querySelector('.playground').dataset.now);
      return !tour || tour.dataset.waiting === 'false' || t >= limit;
    },
    limitNs,
    { timeout: 60_000, polling: 'raf' },
  );
}

/// The data attributes of a cgroup's node in the tree.
export async function node(page, path) {
  return page.locator(`#cgroup-tree [data-path="${path}"]`).evaluate((el) => ({ ...el.dataset }));
}
