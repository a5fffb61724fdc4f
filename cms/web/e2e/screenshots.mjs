// Takes the README's screenshots of the demo into docs/screenshots/:
//   node cms/web/e2e/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTorg, browserContext, root } from './torg.mjs';

const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const torg = await startTorg();
const shots = [
  ['home', 'sara', '/'],
  ['page', 'sara', '/vikarie/boka-pass'],
  ['search', 'sara', '/sok?q=l%C3%B6n'],
  ['editor', 'klara', '/redaktion/ny?type=news&section=nyheter'],
  ['dashboard', 'klara', '/redaktion/synpunkter'],
];
try {
  for (const [name, person, path] of shots) {
    for (const [size, viewport] of [['desktop', { width: 1280, height: 860 }], ['mobile', { width: 390, height: 844 }]]) {
      const b = await browserContext({ viewport, reducedMotion: 'reduce' });
      try {
        const page = await torg.signIn(b.ctx, person, path);
        await page.screenshot({ path: join(out, `${name}-${size}.png`), fullPage: false });
      } finally { await b.close(); }
    }
  }
} finally { await torg.stop(); }
console.log(`screenshots in ${out}`);
