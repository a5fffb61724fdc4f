// Browser test: sign in through the demo provider as the substitute, land on
// the page asked for, sign out. Runs Debian's Chromium through playwright-core.
//   node --test cms/web/e2e/
// TORG_BIN names a built torg binary; CHROMIUM the browser (/usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTorg, browserContext } from './torg.mjs';

let torg, base, main, context;
const extra = [];

before(async () => {
  torg = await startTorg();
  base = torg.base;
  main = await browserContext();
  context = main.ctx;
});

after(async () => {
  for (const x of extra) await x.close();
  if (main) await main.close();
  if (torg) await torg.stop();
});

test('a substitute signs in through the demo provider, lands on the page asked for, and signs out', { timeout: 60000 }, async () => {
  const page = await context.newPage();
  await page.goto(`${base}/vikarie/boka-pass`);
  assert.match(page.url(), /\/demo-idp\/login\?authRequestID=/, 'an anonymous visitor is sent to sign in');
  assert.equal(await page.locator('h1').textContent(), 'Demoinloggning');

  await Promise.all([
    page.waitForURL(`${base}/vikarie/boka-pass`),
    page.click('button[data-person="sara"][data-level="password"]'),
  ]);
  assert.equal(await page.locator('main h1').textContent(), 'Boka pass');
  assert.equal(await page.locator('.account .who').textContent(), 'Sara Lind');

  await Promise.all([
    page.waitForURL(`${base}/`),
    page.click('.account button[type="submit"]'),
  ]);
  assert.equal(await page.locator('.account a.signin').count(), 1, 'signed out, the header offers to sign in');
  const me = await page.request.get(`${base}/api/v1/me`);
  assert.equal(me.status(), 401);
  await page.goto(`${base}/vikarie/boka-pass`);
  assert.match(page.url(), /\/demo-idp\/login/, 'the page is closed again');
});

async function person(name) {
  const b = await browserContext();
  extra.push(b);
  const page = await b.ctx.newPage();
  return {
    page,
    async signInAt(path, level = 'password') {
      await page.goto(`${base}${path}`);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/demo-idp') && !u.pathname.startsWith('/auth')),
        page.click(`button[data-person="${name}"][data-level="${level}"]`),
      ]);
    },
  };
}

test('a communicator writes news, a publisher approves it, an employee sees and finds it', { timeout: 90000 }, async () => {
  const klara = await person('klara');
  await klara.signInAt('/redaktion/ny?type=news&section=nyheter');
  const p = klara.page;
  await p.fill('#f-slug', 'webbtest');
  await p.fill('#f-title', 'Webbtest av redaktionen');
  await p.fill('#f-summary', 'En nyhet skriven i webbläsaren.');
  await p.fill('#f-body', 'Skriven i **webbläsaren** och godkänd av en publicist.');
  await p.waitForFunction(() => document.getElementById('preview').innerHTML.includes('<strong>webbläsaren</strong>'));
  await Promise.all([p.waitForURL(/\/redaktion\/\d+\?saved=1$/), p.click('button[value="create"]')]);
  const itemPath = new URL(p.url()).pathname;
  assert.equal(await p.locator('button[value="approve"]').count(), 0, 'the author is not offered approval');
  await Promise.all([p.waitForURL(/saved=1$/), p.click('button[value="submit"]')]);

  const per = await person('per');
  await per.signInAt(itemPath);
  await Promise.all([per.page.waitForURL(/saved=1$/), per.page.click('button[value="approve"]')]);
  assert.match(await per.page.locator('main').textContent(), /(approved by|godkänd av) Per Nord/);

  const erik = await person('erik');
  await erik.signInAt('/auth/login?return=/');
  const deadline = Date.now() + 15000;
  while (!(await erik.page.content()).includes('Webbtest av redaktionen')) {
    assert.ok(Date.now() < deadline, 'the approved news never reached the home page');
    await erik.page.waitForTimeout(300);
    await erik.page.reload();
  }
  await erik.page.fill('#q', 'webbtest');
  await Promise.all([erik.page.waitForURL(/\/sok\?q=webbtest/), erik.page.press('#q', 'Enter')]);
  assert.match(await erik.page.locator('main').textContent(), /Webbtest av redaktionen/);
});

test('an employee answers "Was this page helpful?", the communicator sees it, and the health report lists the stale page and says links are not checked in the demo', { timeout: 90000 }, async () => {
  const erik = await person('erik');
  await erik.signInAt('/personal/distansarbete');
  const e = erik.page;
  await e.check('input[name="helpful"][value="no"]');
  await e.fill('#fb-comment', 'Länken till det gamla intranätet fungerar inte <b>alls</b>');
  await Promise.all([e.waitForURL(/feedback=thanks/), e.click('.feedback-form button[type="submit"]')]);
  assert.match(await e.locator('.feedback-thanks').textContent(), /Tack/);

  const klara = await person('klara');
  await klara.signInAt('/redaktion/synpunkter?section=personal');
  const k = klara.page;
  const main = await k.locator('main').textContent();
  assert.match(main, /Arbeta på distans/);
  assert.match(main, /0 %/);
  assert.equal(await k.locator('.fb-comment blockquote').first().textContent(), 'Länken till det gamla intranätet fungerar inte <b>alls</b>', 'the comment is shown as text');
  const csv = await k.request.get(`${base}/api/v1/admin/feedback.csv?section=personal`);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /\/personal\/distansarbete,sv,no,Länken till det gamla intranätet/);

  // The demo asks nothing outside this machine, so the report says its
  // external links are not checked rather than calling them fine.
  await k.goto(`${base}/redaktion/halsa`);
  const report = await k.locator('main').textContent();
  assert.match(report, /Arbeta på distans/, 'the stale page is listed');
  assert.match(report, /check-links/, 'the report says links are not checked');
});
