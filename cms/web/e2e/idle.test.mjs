// The idle warning in Debian's Chromium, with short session idle times so
// that it shows within seconds:
//   node --test cms/web/e2e/idle.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startTorg, browserContext } from './torg.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// axeOn checks the part of the page under selector against WCAG 2.1 A and AA.
async function axeOn(page, selector) {
  if (!await page.evaluate(() => !!window.axe)) await page.addScriptTag({ path: axePath });
  const r = await page.evaluate((sel) => window.axe.run({ include: [[sel]] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }), selector);
  assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `${selector} breaks WCAG rules`);
}

// The warning counts down to the last request plus the idle time less the
// 30 s the server may take to record activity, and shows at most a minute
// (at most half of that span) before: after 30 s at 90 s idle, 20 s at 70 s.
let slow, fast;
before(async () => {
  [slow, fast] = await Promise.all([startTorg(['--session-idle', '90s']), startTorg(['--session-idle', '70s'])]);
});
after(async () => { await Promise.all([slow?.stop(), fast?.stop()]); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const signedIn = (page) => page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'same-origin' })).status);

test('the idle warning', { concurrency: true, timeout: 240000 }, async (t) => {
  await Promise.all([
  t.test('it shows while someone writes, but focus stays in the field and every character lands', async () => {
    const b = await browserContext();
    try {
      const page = await slow.signIn(b.ctx, 'klara', '/redaktion/ny');
      await page.click('#f-body');
      await page.keyboard.type('abc');
      await page.locator('.idle-warning').waitFor({ state: 'visible', timeout: 60000 });
      const focused = await page.evaluate(() => document.activeElement?.id);
      assert.equal(focused, 'f-body', 'the warning took focus from the text being written');
      await page.keyboard.type('def ghi');
      assert.equal(await page.inputValue('#f-body'), 'abcdef ghi');
    } finally { await b.close(); }
  }),

  t.test('typing keeps the session alive past the idle time, and the warning away', async () => {
    const b = await browserContext();
    try {
      const page = await fast.signIn(b.ctx, 'klara', '/redaktion/ny');
      await page.click('#f-title');
      const start = Date.now();
      let typed = '';
      while (Date.now() - start < 85000) {
        await page.keyboard.type('x');
        typed += 'x';
        assert.equal(await page.locator('.idle-warning').count(), 0, `the warning showed ${Math.round((Date.now() - start) / 1000)} s into steady typing`);
        await sleep(4000);
      }
      assert.equal(await page.inputValue('#f-title'), typed);
      assert.equal(await signedIn(page), 200, 'signed out after 85 s of typing with a 70 s idle time');
    } finally { await b.close(); }
  }),

  t.test('the countdown runs, "Fortsätt" extends, and the end is said plainly', async () => {
    const b = await browserContext({ bypassCSP: true }); // axe is added as a script;
    try {
      const page = await fast.signIn(b.ctx, 'klara', '/');
      const clock = page.locator('.idle-warning .idle-clock');
      await clock.waitFor({ state: 'visible', timeout: 40000 });
      const first = await clock.textContent();
      assert.match(first, /^0:[0-2]\d$/);
      await sleep(2500);
      const later = await clock.textContent();
      assert.notEqual(later, first, 'the countdown did not move');
      await axeOn(page, '.idle-warning');
      assert.match(await page.locator('[aria-live="polite"]').textContent(), /Du loggas ut om 0:\d\d/);

      await page.getByRole('button', { name: /Fortsätt/ }).click();
      const clicked = Date.now();
      await page.locator('.idle-warning').waitFor({ state: 'detached', timeout: 5000 });
      await sleep(12000);
      assert.equal(await page.locator('.idle-warning').count(), 0, 'the warning came back 12 s after "Fortsätt"');

      const ended = page.locator('.idle-warning.idle-ended');
      await ended.waitFor({ state: 'visible', timeout: 60000 });
      assert.ok(Date.now() - clicked >= 38000, `ended ${Date.now() - clicked} ms after "Fortsätt"`);
      assert.match(await ended.textContent(), /Du har loggats ut/);
      await axeOn(page, '.idle-warning');
      assert.match(await page.locator('[aria-live="polite"]').textContent(), /Du har loggats ut/);
    } finally { await b.close(); }
  }),
  ]);
});
