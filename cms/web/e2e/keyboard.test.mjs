// Keyboard, focus, reflow and motion in Debian's Chromium:
//   node --test cms/web/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTorg, browserContext } from './torg.mjs';

let torg;
before(async () => { torg = await startTorg(); });
after(async () => { await torg?.stop(); });

// tabTo presses Tab until the focused element matches selector.
async function tabTo(page, selector, most = 80) {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`${selector} was not reached with ${most} presses of Tab`);
}

test('keyboard only: sign in, open a tile, search, and answer the feedback form, with focus visible', { timeout: 120000 }, async () => {
  const b = await browserContext();
  try {
    const page = b.ctx.pages()[0] || await b.ctx.newPage();
    await page.goto(`${torg.base}/vikarie/boka-pass`);
    assert.match(page.url(), /\/demo-idp\/login/);
    await tabTo(page, 'button[data-person="sara"][data-level="password"]');
    await Promise.all([page.waitForURL(`${torg.base}/vikarie/boka-pass`), page.keyboard.press('Enter')]);

    // The focus ring is visible: an outline of at least 2px that is not "none".
    await page.goto(`${torg.base}/`);
    await tabTo(page, 'a[href^="/go/"]');
    const ring = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; });
    assert.notEqual(ring.style, 'none', 'a focused tile shows no outline');
    assert.ok(ring.width >= 2, `outline ${ring.width}px`);
    const tile = await page.evaluate(() => document.activeElement.getAttribute('href'));
    const [popup] = await Promise.all([
      b.ctx.waitForEvent('page', { timeout: 5000 }).catch(() => null),
      page.keyboard.press('Enter'),
    ]);
    const landed = popup || page;
    await landed.waitForLoadState();
    assert.ok(!landed.url().startsWith(`${torg.base}/go/`), `the tile ${tile} led on, to ${landed.url()}`);
    if (popup) await popup.close();

    await page.goto(`${torg.base}/`);
    await tabTo(page, '#q');
    await page.keyboard.type('boka pass');
    await Promise.all([page.waitForURL(/\/sok\?q=boka/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').textContent(), /Boka pass/);

    await page.goto(`${torg.base}/vikarie/boka-pass`);
    await tabTo(page, 'input[name="helpful"][value="yes"]');
    await page.keyboard.press('Space');
    await tabTo(page, '.feedback-form button[type="submit"]');
    await Promise.all([page.waitForURL(/feedback=thanks/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('.feedback-thanks').textContent(), /Tack/);
  } finally { await b.close(); }
});

test('no horizontal scrolling at 320 px or at 200 % zoom, and no motion when reduced motion is asked for', { timeout: 120000 }, async () => {
  const b = await browserContext();
  try {
    const page = await torg.signIn(b.ctx, 'sara');
    const pages = ['/', '/vikarie', '/vikarie/boka-pass', '/nyheter', '/jobb', '/kontakt/lonesupport', '/fragor/vanliga-fragor', '/sok?q=l%C3%B6n'];
    // 200 % zoom of a 1280 px window leaves 640 CSS pixels.
    for (const width of [320, 640]) {
      await page.setViewportSize({ width, height: 800 });
      for (const url of pages) {
        await page.goto(torg.base + url);
        const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(over <= 0, `${url} at ${width} px scrolls sideways by ${over} px`);
      }
    }
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(torg.base + '/');
    const moving = await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) => {
      const s = getComputedStyle(el);
      return parseFloat(s.transitionDuration) > 0 || (s.animationName !== 'none' && parseFloat(s.animationDuration) > 0);
    }).map((el) => el.tagName + '.' + el.className).slice(0, 5));
    assert.deepEqual(moving, [], 'elements still move with reduced motion');
  } finally { await b.close(); }
});
