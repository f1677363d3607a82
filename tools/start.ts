/**
 * `npm start`: (after `vite build`) serve the demo page on 127.0.0.1 and open
 * Chromium with the built extension loaded, in a profile kept under .cache/.
 *
 *   npm start [-- --headless] [-- --port 5178] [-- --browser /path/to/chromium]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoRoutes } from './demo-page';
import { startServer } from './lib/http-server';
import { CHROMIUM, DIST } from './lib/extension';

const { values: o } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    port: { type: 'string', default: '5178' },
    browser: { type: 'string', default: CHROMIUM },
  },
});

if (!existsSync(resolve(DIST, 'manifest.json'))) throw new Error('dist/ is missing: run `npm run build` (npm start does it for you)');
if (!existsSync(o.browser)) {
  console.error(`Chromium not found at ${o.browser}. Install it (Debian: sudo apt-get install chromium) or pass --browser PATH.`);
  process.exit(1);
}
const server = await startServer(demoRoutes(), Number(o.port));
const headless = o.headless || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);
const profile = resolve(import.meta.dirname, '../.cache/chromium-profile');
mkdirSync(profile, { recursive: true });
const args = [
  `--user-data-dir=${profile}`, `--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`,
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ...(headless ? ['--headless=new', '--remote-debugging-port=0'] : []),
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), // Chromium refuses to run as root with its sandbox
  `${server.origin}/`,
];
console.log(`demo page: ${server.origin}/`);
console.log(`extension: ${DIST} (profile ${profile})`);
if (headless) console.log('no display found (or --headless): Chromium runs headless; stop with Ctrl-C');
const chromium = spawn(o.browser, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => chromium.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
chromium.on('exit', (code) => {
  void server.close();
  process.exitCode = code ?? 0;
});
