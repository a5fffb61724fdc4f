// Shared by the browser tests: start the demo binary on a free loopback
// port, open Debian's Chromium, sign in through the demo provider.
// TORG_BIN names a built torg binary (else it is built); CHROMIUM the browser.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const root = new URL('../../../', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitReady(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

export async function startTorg(extraArgs = []) {
  let bin = process.env.TORG_BIN;
  if (!bin) {
    bin = join(mkdtempSync(join(tmpdir(), 'torg-bin-')), 'torg');
    execFileSync('go', ['build', '-o', bin, './cmd/torg'], { cwd: root, stdio: 'inherit' });
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'torg-data-'));
  const server = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', dataDir, '--log-format', 'json', ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', () => {});
  await waitReady(`${base}/readyz`, 20000);
  return {
    base,
    async signIn(ctx, person, path = '/', level = 'password') {
      const page = ctx.pages()[0] || await ctx.newPage();
      await page.goto(`${base}/auth/login?return=${encodeURIComponent('/')}`);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/demo-idp') && !u.pathname.startsWith('/auth')),
        page.click(`button[data-person="${person}"][data-level="${level}"]`),
      ]);
      if (path !== '/') await page.goto(base + path);
      return page;
    },
    async stop() {
      server.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// browserContext opens Chromium with a fresh profile.
export async function browserContext(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'torg-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    ...options,
  });
  return { ctx, async close() { await ctx.close(); rmSync(dir, { recursive: true, force: true }); } };
}
