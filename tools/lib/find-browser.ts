/**
 * Which Chrome/Chromium `npm start` runs, and what to do when there is none.
 *
 * `findBrowser` is pure (every fact about the machine comes in as an argument,
 * so the unit test drives each branch with fakes); `ensureBrowser` runs the
 * install it may propose and looks again; `machineFacts` reads the real machine.
 *
 * Order: --browser, CHROME_PATH, CHROMIUM_PATH (what the project's tests use),
 * then `google-chrome`, `chromium`, `chromium-browser` on PATH, then /usr/bin/chromium.
 * A path the user named that does not exist is an error, never silently replaced.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const SEARCH_NAMES = ['google-chrome', 'chromium', 'chromium-browser'] as const;
export const FALLBACK_PATH = '/usr/bin/chromium';
export const INSTALL_HINT = 'Chromium/Chrome not found. Install it with: sudo apt-get install chromium   (or pass --browser /path/to/chrome)';

export interface PlatformFacts {
  /** /etc/debian_version exists, or /etc/os-release says ID/ID_LIKE debian or ubuntu. */
  debian: boolean;
  /** Running as uid 0. */
  root: boolean;
  /** `sudo -n true` succeeds (only asked when not root). */
  sudo: boolean;
}

export interface FindInput {
  /** The --browser option, if given. */
  option?: string | undefined;
  env: Record<string, string | undefined>;
  /** Like `which`: the full path of an executable on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Is there an executable file at this path? */
  exists(path: string): boolean;
  /** Asked only when no browser was found (it may run `sudo -n true`). */
  platform(): PlatformFacts;
}

/** One step of an install: argv plus extra environment. */
export interface Step {
  argv: string[];
  env?: Record<string, string>;
}

export type FindResult =
  | { path: string; source: string }
  | { install: string; steps: Step[] }
  | { instructions: string };

export function findBrowser(inp: FindInput): FindResult {
  const named: [string, string | undefined][] = [
    ['--browser', inp.option],
    ['CHROME_PATH', inp.env.CHROME_PATH],
    ['CHROMIUM_PATH', inp.env.CHROMIUM_PATH],
  ];
  for (const [source, value] of named) {
    if (!value) continue;
    // A bare name (`--browser chromium`) is looked up on PATH.
    const p = value.includes('/') ? (inp.exists(value) ? value : undefined) : inp.which(value);
    if (p) return { path: p, source };
    return { instructions: `${source} ${value}: no executable there. Pass the path of a Chrome/Chromium binary, or leave ${source} out to search PATH.` };
  }
  for (const name of SEARCH_NAMES) {
    const p = inp.which(name);
    if (p) return { path: p, source: `${name} on PATH` };
  }
  if (inp.exists(FALLBACK_PATH)) return { path: FALLBACK_PATH, source: FALLBACK_PATH };
  return installPlan(inp.platform());
}

/** Debian/Ubuntu with root or passwordless sudo: install Debian's chromium. Otherwise: the one command to run. */
export function installPlan(f: PlatformFacts): FindResult {
  if (!f.debian || !(f.root || f.sudo)) return { instructions: INSTALL_HINT };
  const sudo = f.root ? [] : ['sudo', '-n'];
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  // sudo resets the environment: hand DEBIAN_FRONTEND through `env`.
  const install = f.root ? ['apt-get', 'install', '-y', 'chromium'] : ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'chromium'];
  const steps: Step[] = [{ argv: [...sudo, 'apt-get', 'update'] }, { argv: [...sudo, ...install], env }];
  return { install: steps.map((s) => s.argv.join(' ')).join(' && '), steps };
}

export interface EnsureDeps {
  find(): FindResult;
  /** Run one step with its output streamed to the terminal; true when it exited 0. */
  run(step: Step): boolean;
  log(line: string): void;
}

/** A browser path, or the message to print before exiting 1. Installs (once) when findBrowser proposes it. */
export function ensureBrowser(d: EnsureDeps): { path: string; source: string } | { error: string } {
  const first = d.find();
  if ('path' in first) return first;
  if ('instructions' in first) return { error: first.instructions };
  d.log(`Chromium not found: installing Debian's chromium (apt-get install chromium)…\n  $ ${first.install}`);
  for (const step of first.steps) {
    if (!d.run(step)) return { error: `Installing chromium failed (${step.argv.join(' ')}). ${INSTALL_HINT}` };
  }
  const again = d.find();
  if ('path' in again) {
    d.log(`Installed: ${again.path}`);
    return again;
  }
  return { error: `chromium was installed but no browser was found afterwards. ${INSTALL_HINT}` };
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function whichOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

/** /etc/os-release text → is it Debian or a derivative (Ubuntu included)? */
export function osReleaseIsDebian(text: string): boolean {
  const field = (k: string) => (new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? '').replace(/^["']|["']$/g, '').toLowerCase();
  return [field('ID'), ...field('ID_LIKE').split(/\s+/)].some((id) => id === 'debian' || id === 'ubuntu');
}

export function machineFacts(): PlatformFacts {
  let osRelease = '';
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // not Linux, or a minimal image
  }
  const debian = existsSync('/etc/debian_version') || osReleaseIsDebian(osRelease);
  const root = process.getuid?.() === 0;
  const sudo = !root && debian && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  return { debian, root, sudo };
}

/** The real machine: PATH, the filesystem, apt-get with its output streamed. */
export function locateBrowser(option: string | undefined, log: (line: string) => void = console.log): { path: string; source: string } | { error: string } {
  const find = () => findBrowser({ option, env: process.env, which: (n) => whichOnPath(n), exists: isExecutable, platform: machineFacts });
  return ensureBrowser({
    find, log,
    run: (s) => spawnSync(s.argv[0]!, s.argv.slice(1), { stdio: 'inherit', env: { ...process.env, ...s.env } }).status === 0,
  });
}

/** Google-branded Chrome 137+ ignores --load-extension unless this feature is switched off (Chromium does not need it). */
export function isBrandedChrome(path: string): boolean {
  return /google-chrome|google chrome|\/opt\/google\/chrome/i.test(path);
}
