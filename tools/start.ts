/**
 * `npm start`: (after `vite build`) serve the demo page on 127.0.0.1 and show
 * the extension working.
 *
 * With a display: open Chrome/Chromium with the built extension on the demo
 * page, in a profile kept under .cache/. Without one (or --headless, or
 * --once): run the demo through the real extension in headless Chromium —
 * classify each demo image by the context-menu path, tag the page, print the
 * labels, the click → label times and the popup's latency table, save
 * screenshots under .cache/demo/ — then keep serving until Ctrl-C (--once:
 * exit 0 after the demo).
 *
 * The browser: --browser, CHROME_PATH, CHROMIUM_PATH, then google-chrome,
 * chromium, chromium-browser on PATH, then /usr/bin/chromium; none on
 * Debian/Ubuntu as root or with passwordless sudo: Debian's chromium is
 * installed (see lib/find-browser.ts).
 *
 *   npm start [-- --headless] [-- --once] [-- --port 5178] [-- --browser /path/to/chromium]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoRoutes } from './demo-page';
import { imageTable, popupLatencyTable } from './lib/demo-report';
import { runDemo } from './lib/demo-run';
import { DIST, launchExtension, type ExtensionHandle } from './lib/extension';
import { isBrandedChrome, locateBrowser } from './lib/find-browser';
import { startServer, type TestServer } from './lib/http-server';

const { values: o } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    port: { type: 'string' },
    browser: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (o.help) {
  console.log('npm start [-- --headless] [-- --once] [-- --port 5178] [-- --browser /path/to/chrome]');
  process.exit(0);
}

if (!existsSync(resolve(DIST, 'manifest.json'))) {
  console.error('dist/ is missing: run `npm run build` (npm start does it for you)');
  process.exit(1);
}
const located = locateBrowser(o.browser);
if ('error' in located) {
  console.error(located.error);
  process.exit(1);
}
const found = located;
const branded = isBrandedChrome(found.path);
// Google Chrome 137+ ignores --load-extension unless this is switched off (and later versions may ignore even that).
const brandedArgs = branded ? ['--disable-features=DisableLoadExtensionCommandLineSwitch'] : [];
const brandedHint = 'Google Chrome no longer loads unpacked extensions from the command line: install Chromium (sudo apt-get install chromium) and pass --browser /usr/bin/chromium, or load dist/ by hand (README, Quick start).';

/** Is 127.0.0.1:port free? (startServer does not report a taken port: it would throw out of an event.) */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The demo server on --port (default 5178); when 5178 is taken and no port was asked for, any free port. */
async function serve(): Promise<TestServer> {
  const port = Number(o.port ?? 5178);
  if (port !== 0 && !(await portFree(port))) {
    if (o.port !== undefined) {
      console.error(`port ${port} is in use: pick another with --port N`);
      process.exit(1);
    }
    console.log('port 5178 is in use: serving the demo on a free port instead');
    return startServer(demoRoutes(), 0);
  }
  return startServer(demoRoutes(), port);
}

const server = await serve();
const display = !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const headless = o.headless || o.once || !display;

if (!headless) {
  // With a display: open the browser on the demo page, as a user would use it.
  const profile = resolve(import.meta.dirname, '../.cache/chromium-profile');
  mkdirSync(profile, { recursive: true });
  const args = [
    `--user-data-dir=${profile}`, `--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`, ...brandedArgs,
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), // Chromium refuses to run as root with its sandbox
    `${server.origin}/`,
  ];
  console.log(`browser:   ${found.path} (${found.source})`);
  console.log(`demo page: ${server.origin}/`);
  console.log(`extension: ${DIST} (profile ${profile})`);
  console.log('Right-click an image → "Classify image"; the toolbar popup has the history and timing. Close the browser or press Ctrl-C to stop.');
  if (branded) console.log(`note: ${brandedHint}`);
  const browser = spawn(found.path, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const stop = () => browser.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  browser.on('exit', (code) => {
    void server.close();
    if (code) console.error(`The browser exited with status ${code}. No usable display? Try: npm start -- --headless`);
    process.exitCode = code ?? 0;
  });
} else {
  await headlessDemo();
}

async function headlessDemo(): Promise<void> {
  const why = o.once ? '--once' : o.headless ? '--headless' : 'no display found';
  console.log(`\nPrivate Image Tagger: headless demo (${why}). Nothing leaves this machine: the model runs inside the browser.`);
  console.log(`  browser:   ${found.path} (${found.source}), headless, fresh temporary profile`);
  console.log(`  extension: ${relative(process.cwd(), DIST) || DIST}/ (the build npm start just made)`);
  console.log(`  demo page: ${server.origin}/ (served on 127.0.0.1 only)`);
  let ext: ExtensionHandle | undefined;
  const shutdown = async (code: number) => {
    await ext?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    process.exit(code);
  };
  // Playwright's own signal handlers are off (handleSignals: false below): Ctrl-C closes the browser,
  // removes its temporary profile and exits (0 once the demo is done, 130 during it).
  let stopping = false;
  let demoDone = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    void shutdown(demoDone ? 0 : 130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    ext = await launchExtension({ executablePath: found.path, args: brandedArgs, handleSignals: false });
  } catch (e) {
    if (stopping) return;
    console.error(`\nThe browser did not start the extension: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    if (branded) console.error(brandedHint);
    await shutdown(1);
    return;
  }
  console.log('\nRight-clicking each demo image → "Classify image" (the extension\'s real menu handler), one at a time:');
  const outDir = resolve(import.meta.dirname, '../.cache/demo');
  let result: Awaited<ReturnType<typeof runDemo>>;
  try {
    result = await runDemo(ext, server.origin, outDir, (l) => console.log(l));
  } catch (e) {
    if (stopping) return; // Ctrl-C during the demo
    console.error(`\nThe demo failed: ${e instanceof Error ? e.message : String(e)}`);
    if (branded) console.error(brandedHint);
    await shutdown(1);
    return;
  }

  console.log('');
  for (const l of imageTable(result.rows)) console.log(l);
  console.log('  click → label: the record\'s timings.total, from the click on "Classify image" to the label handed to the page');
  console.log('  (what `npm run bench:click` measures); "overlay shows": the wait printed on the image, click → label drawn.');
  const missingOverlay = result.rows.filter((r) => r.label !== undefined && !r.overlay?.includes(r.label.replaceAll('_', ' ')));
  if (missingOverlay.length > 0) console.log(`  note: no overlay with the label was found on ${missingOverlay.map((r) => r.image).join(', ')}`);

  console.log(`\nTag this page (popup): ${result.tagStatus || `${result.tagged} images tagged`}`);
  console.log(`\nPopup → Latency (ms), ${result.popup.status}:`);
  for (const l of popupLatencyTable(result.popup.cells)) console.log(l);
  console.log('  waited = click → label for a right-click, load → label for a tagged image; cold starts (model load) are only under "cold start".');
  if (result.popup.note) console.log(`  ${result.popup.note}`);

  console.log('\nScreenshots:');
  const w = Math.max(result.screenshots.page.length, result.screenshots.popup.length);
  console.log(`  ${result.screenshots.page.padEnd(w)}  the demo page: result overlays (top) and tag chips (bottom)`);
  console.log(`  ${result.screenshots.popup.padEnd(w)}  the toolbar popup: recent classifications, latency table`);
  console.log(result.offMachine.length === 0
    ? '\nThe demo tab and the popup made no request beyond 127.0.0.1 and the extension itself.'
    : `\nRequests beyond 127.0.0.1 (${result.offMachine.length}): ${result.offMachine.slice(0, 5).join(', ')}`);

  const failed = result.rows.filter((r) => r.label === undefined);
  if (failed.length > 0) {
    console.error(`\n${failed.length} of ${result.rows.length} demo images got no label (${failed.map((r) => `${r.image}: ${r.error}`).join('; ')}): the extension is not working.`);
    await shutdown(1);
    return;
  }
  if (o.once) {
    console.log('\n--once: done.');
    await shutdown(0);
    return;
  }
  console.log(`\nStill serving ${result.pageUrl} with the extension in headless ${branded ? 'Chrome' : 'Chromium'}. Press Ctrl-C to stop.`);
  demoDone = true;
}
