// Copies the icons the theme and tiles use from the npm package
// lucide-static (ISC licence) into static/icons, where go:embed bundles
// them into the binary. Run after changing the list: npm run icons
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const icons = [
  'book-open', 'briefcase', 'building-2', 'calendar-clock', 'calendar-days', 'clock', 'coins', 'file-signature',
  'file-text', 'graduation-cap', 'hand-coins', 'heart-pulse', 'key-round', 'laptop', 'life-buoy', 'lock', 'mail',
  'message-square', 'monitor-smartphone', 'phone', 'pin', 'pin-off', 'receipt', 'shield-check', 'stethoscope',
  'triangle-alert', 'users', 'wallet',
];
const here = new URL('.', import.meta.url).pathname;
const from = join(here, '..', '..', 'node_modules', 'lucide-static');
const to = join(here, 'static', 'icons');
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of icons) copyFileSync(join(from, 'icons', `${name}.svg`), join(to, `${name}.svg`));
copyFileSync(join(from, 'LICENSE'), join(to, 'LICENSE'));
console.log(`${readdirSync(to).length - 1} icons copied to ${to}`);
