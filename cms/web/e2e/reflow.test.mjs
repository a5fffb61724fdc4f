// Reflow of the editorial pages: each fits a 320 px screen, and a 1280 px
// window at 200 % zoom, without sideways scrolling, with real content in its
// lists (an item with a long name, feedback with a long address, searches
// that found nothing, audit entries), in all four languages, and stays clean
// to axe when its tables are read as lists.   node --test cms/web/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startTorg, browserContext } from './torg.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let torg;
const open = [];
before(async () => { torg = await startTorg(); });
after(async () => {
  for (const b of open) await b.close();
  await torg?.stop();
});

async function signedIn(person, path) {
  const b = await browserContext({ bypassCSP: true }); // axe is added to the page as a script
  open.push(b);
  return torg.signIn(b.ctx, person, path);
}

// Long unbroken words and addresses, as editors really meet them.
const longWord = 'arbetsmiljoforhandlingsprotokollsammanstallningen';
const longTitle = 'Arbetsmiljöförhandlingsprotokollsammanställningen för timvikarier';
const longURL = 'https://gamla-intranatet.sjobacka.example/sites/personal/Delade%20dokument/Forms/AllItems.aspx?id=%2Fsites%2Fpersonal%2FDelade%20dokument%2FBlanketter';

// overflow is how far the page scrolls sideways at its current width.
function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('every editorial page fits 320 px and 200 % zoom without sideways scrolling, with tables read as lists', { timeout: 180000 }, async () => {
  // Content for the lists: feedback with a long address in it, and a search
  // for an address that finds nothing.
  const erik = await signedIn('erik', '/personal/distansarbete');
  await erik.check('input[name="helpful"][value="no"]');
  await erik.fill('#fb-comment', `Länken ${longURL} fungerar inte`);
  await Promise.all([erik.waitForURL(/feedback=thanks/), erik.click('.feedback-form button[type="submit"]')]);
  await erik.goto(`${torg.base}/sok?q=${encodeURIComponent(longURL)}`);

  // An item with a long address and headline, saved twice, in review.
  const klara = await signedIn('klara', '/redaktion/ny?type=news&section=nyheter');
  await klara.fill('#f-slug', longWord);
  await klara.fill('#f-title', longTitle);
  await klara.fill('#f-summary', `Se ${longURL}`);
  await klara.fill('#f-body', `Protokollet finns på ${longURL}.\n\n| Datum | Plats | Dokument |\n|---|---|---|\n| 2027-01-12 | Stora salen | ${longWord}.pdf |`);
  await klara.fill('#f-note', longWord);
  await Promise.all([klara.waitForURL(/\/redaktion\/\d+\?saved=1$/), klara.click('button[value="create"]')]);
  const item = new URL(klara.url()).pathname;
  await klara.fill('#f-note', `${longWord} andra versionen`);
  await Promise.all([klara.waitForURL(/saved=1$/), klara.click('button[value="save"]')]);
  await Promise.all([klara.waitForURL(/saved=1$/), klara.click('button[value="submit"]')]);

  // The publisher sees every editorial page; the audit log is the admin's.
  const per = await signedIn('per', '/redaktion');
  const anna = await signedIn('anna', '/redaktion/logg');
  const pages = [
    [per, '/redaktion'],
    [per, '/redaktion/ny?type=news&section=nyheter'],
    [per, item],
    [per, '/redaktion/synpunkter'],
    [per, '/redaktion/halsa'],
    [anna, '/redaktion/logg'],
  ];

  // The lists are not empty, so the tables are really tried.
  await per.goto(torg.base + '/redaktion');
  assert.match(await per.locator('main').textContent(), new RegExp(longWord), 'the item list shows the new item');
  await per.goto(torg.base + '/redaktion/synpunkter');
  assert.match(await per.locator('main').textContent(), /gamla-intranatet/, 'the dashboard shows the feedback');
  await anna.goto(torg.base + '/redaktion/logg');
  assert.ok(await anna.locator('main tbody tr').count() >= 3, 'the audit log has entries');

  const found = [];
  for (const lang of ['sv', 'nb', 'nn', 'en']) {
    for (const page of [per, anna]) await page.goto(`${torg.base}/_lang/${lang}?return=/`);
    // 200 % zoom of a 1280 px window leaves 640 CSS pixels.
    for (const width of [320, 640]) {
      for (const [page, url] of pages) {
        await page.setViewportSize({ width, height: 800 });
        const res = await page.goto(torg.base + url);
        assert.equal(res.status(), 200, `${url} answered ${res.status()}`);
        const over = await overflow(page);
        if (over > 0) found.push(`${lang} ${url} at ${width} px scrolls sideways by ${over} px`);
        if (width !== 320) continue;
        await page.addScriptTag({ path: axePath });
        const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
        for (const v of result.violations) found.push(`${lang} ${url} at 320 px: ${v.id} ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
  }
  assert.deepEqual(found, [], found.join('\n'));

  // At 320 px a table row reads as a list: one line per cell, each led by
  // its column's name, and the table keeps its header associations.
  await anna.setViewportSize({ width: 320, height: 800 });
  await anna.goto(torg.base + '/redaktion/logg');
  const row = await anna.evaluate(() => {
    const tr = document.querySelector('main tbody tr');
    const heads = [...document.querySelectorAll('main thead th')].map((th) => th.textContent.trim());
    return {
      display: getComputedStyle(tr).display,
      labels: [...tr.cells].map((td) => td.dataset.label),
      shown: [...tr.cells].map((td) => getComputedStyle(td, '::before').content !== 'none'),
      heads,
    };
  });
  assert.equal(row.display, 'block', 'a row is a block at 320 px');
  assert.deepEqual(row.labels, row.heads, 'each cell names its column');
  assert.ok(row.shown.every(Boolean), 'each cell shows its column name before it');
  // Chromium's own accessibility tree still has a table with column
  // headers and cells, not a run of text.
  const cdp = await anna.context().newCDPSession(anna);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const roles = new Set(nodes.map((n) => n.role?.value));
  for (const role of ['table', 'row', 'columnheader', 'cell']) assert.ok(roles.has(role), `no ${role} in the accessibility tree at 320 px`);
});
