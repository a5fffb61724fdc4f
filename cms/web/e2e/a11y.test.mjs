// Accessibility: every page type, signed out and signed in, in all four
// languages, checked with axe-core against the WCAG 2.1 A and AA rules in
// Debian's Chromium.   node --test cms/web/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startTorg, browserContext } from './torg.mjs';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
let torg;
before(async () => { torg = await startTorg(); });
after(async () => { await torg?.stop(); });

const signedOut = ['/', '/inloggning', '/inloggning/logga-in', '/inloggning/glomt-losenord', '/kontakt/it-servicedesk', '/auth/login?return=/vikarie'];
const signedIn = ['/', '/personal', '/personal/distansarbete', '/nyheter', '/nyheter/julstangning', '/jobb', '/jobb/lonehandlaggare',
  '/fragor/vanliga-fragor', '/kontakt', '/kontakt/lonesupport', '/sok?q=l%C3%B6n', '/sok?q=zzzqqq', '/finns-inte',
  '/redaktion', '/redaktion/ny?type=news&section=nyheter', '/redaktion/synpunkter', '/redaktion/halsa', '/redaktion/logg'];

async function check(page, url) {
  const res = await page.goto(torg.base + url);
  assert.equal(res.status(), url === '/finns-inte' ? 404 : 200, `${url} answered ${res.status()} at ${page.url()}`);
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.map((v) => `${url}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

for (const lang of ['sv', 'nb', 'nn', 'en']) {
  test(`no WCAG 2.1 A/AA violations in ${lang}, signed out and signed in`, { timeout: 180000 }, async () => {
    const out = await browserContext({ bypassCSP: true }); // axe is added to the page as a script
    const found = [];
    try {
      const p = out.ctx.pages()[0] || await out.ctx.newPage();
      await p.goto(`${torg.base}/_lang/${lang}?return=/`);
      for (const url of signedOut) found.push(...await check(p, url));
    } finally { await out.close(); }

    const inn = await browserContext({ bypassCSP: true });
    try {
      const p = await torg.signIn(inn.ctx, 'anna', '/_lang/' + lang + '?return=/');
      for (const url of signedIn) found.push(...await check(p, url));
    } finally { await inn.close(); }
    assert.deepEqual(found, [], found.join('\n'));
  });
}
