import { describe, expect, it } from 'vitest';
import { ensureBrowser, findBrowser, INSTALL_HINT, installPlan, isBrandedChrome, osReleaseIsDebian, type FindInput, type PlatformFacts, type Step } from '../../tools/lib/find-browser';

/** A fake machine: which executables are on PATH (name → path), which files exist, platform facts. */
function machine(opts: { onPath?: Record<string, string>; files?: string[]; facts?: PlatformFacts; option?: string; env?: Record<string, string> } = {}): FindInput & { platformAsked: number } {
  const files = new Set([...(opts.files ?? []), ...Object.values(opts.onPath ?? {})]);
  const m = {
    option: opts.option,
    env: opts.env ?? {},
    which: (n: string) => opts.onPath?.[n],
    exists: (p: string) => files.has(p),
    platformAsked: 0,
    platform: () => {
      m.platformAsked++;
      return opts.facts ?? { debian: false, root: false, sudo: false };
    },
  };
  return m;
}

const all = { 'google-chrome': '/opt/bin/google-chrome', chromium: '/opt/bin/chromium', 'chromium-browser': '/snap/bin/chromium-browser' };

describe('findBrowser', () => {
  it('takes --browser first, then CHROME_PATH, then CHROMIUM_PATH', () => {
    const env = { CHROME_PATH: '/env/chrome', CHROMIUM_PATH: '/env/chromium' };
    const files = ['/my/chrome', '/env/chrome', '/env/chromium', '/usr/bin/chromium'];
    expect(findBrowser(machine({ option: '/my/chrome', env, files, onPath: all }))).toEqual({ path: '/my/chrome', source: '--browser' });
    expect(findBrowser(machine({ env, files, onPath: all }))).toEqual({ path: '/env/chrome', source: 'CHROME_PATH' });
    expect(findBrowser(machine({ env: { CHROMIUM_PATH: '/env/chromium' }, files, onPath: all }))).toEqual({ path: '/env/chromium', source: 'CHROMIUM_PATH' });
  });

  it('looks a bare --browser name up on PATH', () => {
    expect(findBrowser(machine({ option: 'chromium', onPath: all }))).toEqual({ path: '/opt/bin/chromium', source: '--browser' });
  });

  it('a named path that does not exist is an error, not replaced by another browser', () => {
    const m = machine({ option: '/nonexistent', onPath: all, files: ['/usr/bin/chromium'] });
    const r = findBrowser(m);
    expect(r).toEqual({ instructions: expect.stringMatching(/^--browser \/nonexistent: no executable there/) });
    expect(findBrowser(machine({ env: { CHROME_PATH: '/gone' }, onPath: all }))).toEqual({ instructions: expect.stringMatching(/^CHROME_PATH \/gone/) });
    expect(m.platformAsked).toBe(0);
  });

  it('then google-chrome, chromium, chromium-browser on PATH, in that order', () => {
    expect(findBrowser(machine({ onPath: all }))).toEqual({ path: '/opt/bin/google-chrome', source: 'google-chrome on PATH' });
    const { 'google-chrome': _, ...noChrome } = all;
    expect(findBrowser(machine({ onPath: noChrome }))).toEqual({ path: '/opt/bin/chromium', source: 'chromium on PATH' });
    expect(findBrowser(machine({ onPath: { 'chromium-browser': all['chromium-browser'] } }))).toEqual({ path: '/snap/bin/chromium-browser', source: 'chromium-browser on PATH' });
  });

  it('then /usr/bin/chromium even when it is not on PATH; platform facts are not asked when a browser is found', () => {
    const m = machine({ files: ['/usr/bin/chromium'] });
    expect(findBrowser(m)).toEqual({ path: '/usr/bin/chromium', source: '/usr/bin/chromium' });
    expect(m.platformAsked).toBe(0);
  });

  it('nothing found on Debian as root: install chromium with apt-get', () => {
    const r = findBrowser(machine({ facts: { debian: true, root: true, sudo: false } }));
    expect(r).toEqual({
      install: 'apt-get update && apt-get install -y chromium',
      steps: [{ argv: ['apt-get', 'update'] }, { argv: ['apt-get', 'install', '-y', 'chromium'], env: { DEBIAN_FRONTEND: 'noninteractive' } }],
    });
  });

  it('nothing found on Debian/Ubuntu with passwordless sudo: the same through sudo -n', () => {
    const r = findBrowser(machine({ facts: { debian: true, root: false, sudo: true } }));
    expect(r).toMatchObject({ install: 'sudo -n apt-get update && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium' });
  });

  it('nothing found and no way to install: the one command to run', () => {
    for (const facts of [{ debian: true, root: false, sudo: false }, { debian: false, root: true, sudo: false }, { debian: false, root: false, sudo: true }]) {
      expect(findBrowser(machine({ facts }))).toEqual({ instructions: INSTALL_HINT });
    }
    expect(INSTALL_HINT).toMatch(/sudo apt-get install chromium .*--browser/);
    expect(installPlan({ debian: false, root: false, sudo: false })).toEqual({ instructions: INSTALL_HINT });
  });
});

describe('ensureBrowser', () => {
  const found = { path: '/usr/bin/chromium', source: '/usr/bin/chromium' };
  const plan = installPlan({ debian: true, root: true, sudo: false });

  it('returns a found browser without running anything', () => {
    const ran: Step[] = [];
    expect(ensureBrowser({ find: () => found, run: (s) => ran.push(s) > 0, log: () => undefined })).toEqual(found);
    expect(ran).toEqual([]);
  });

  it('says it installs, runs each step, then finds the browser again', () => {
    const results = [plan, found];
    const ran: string[] = [];
    const log: string[] = [];
    const r = ensureBrowser({ find: () => results.shift()!, run: (s) => ran.push(s.argv.join(' ')) > 0, log: (l) => log.push(l) });
    expect(r).toEqual(found);
    expect(ran).toEqual(['apt-get update', 'apt-get install -y chromium']);
    expect(log[0]).toMatch(/^Chromium not found: installing Debian's chromium \(apt-get install chromium\)…/);
  });

  it('a failed install step stops with the instructions', () => {
    const ran: string[] = [];
    const r = ensureBrowser({ find: () => plan, run: (s) => ran.push(s.argv.join(' ')) > 1, log: () => undefined });
    expect(r).toEqual({ error: expect.stringContaining(INSTALL_HINT) });
    expect(ran).toEqual(['apt-get update']);
  });

  it('installed but still not found, or no way to install: an error with the instructions', () => {
    expect(ensureBrowser({ find: () => plan, run: () => true, log: () => undefined })).toEqual({ error: expect.stringMatching(/installed but no browser was found/) });
    expect(ensureBrowser({ find: () => ({ instructions: INSTALL_HINT }), run: () => true, log: () => undefined })).toEqual({ error: INSTALL_HINT });
  });
});

describe('platform facts', () => {
  it('reads Debian and its derivatives from /etc/os-release', () => {
    expect(osReleaseIsDebian('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toBe(true);
    expect(osReleaseIsDebian('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n')).toBe(true);
    expect(osReleaseIsDebian('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBe(true);
    expect(osReleaseIsDebian('ID="fedora"\n')).toBe(false);
    expect(osReleaseIsDebian('ID=arch\nID_LIKE=archlinux\n')).toBe(false);
    expect(osReleaseIsDebian('')).toBe(false);
  });

  it('knows Google-branded Chrome from Chromium', () => {
    expect(isBrandedChrome('/usr/bin/google-chrome')).toBe(true);
    expect(isBrandedChrome('/opt/google/chrome/chrome')).toBe(true);
    expect(isBrandedChrome('/usr/bin/chromium')).toBe(false);
  });
});
