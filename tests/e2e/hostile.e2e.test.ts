/**
 * A page made to abuse the extension, on a "public" host name (mapped to
 * 127.0.0.1 by Chromium's resolver), as a hostile site would:
 *   A. its own script walks the DOM after a label is shown: it must read none of it;
 *   B. it names an intranet (loopback) image: our privileged fetch must refuse it;
 *   C. it names its own URL that redirects to another site: that site's cookies must not go.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../tools/lib/http-server';
import { encodePng, synthetic } from '../../tools/lib/images';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { contentWorld } from '../support/content-world';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';
import { layerCount, layerRoot, layerText } from '../support/overlay';

interface Rec { requestId: string; imageUrl: string; error?: string; errorStage?: string; top5: { label: string; prob: number }[]; modelId: string; backend: string }

let ext: ExtensionHandle;
let site: TestServer;
let other: TestServer;
let intranet: TestServer;
let page: Page;
let extPage: Page;
let sw: Worker;
let pageUrl: string;
const png = () => ({ type: 'image/png', body: encodePng(96, 96, synthetic(96, 96, 7)) });
const records = async () => (await readRecords(extPage)) as unknown as Rec[];
/**
 * Requests for a path. The page's own <img> tags for the hostile URLs are lazy
 * and far below the fold, so the page never loads them itself: every request
 * seen is the extension's.
 */
const byExtension = (s: TestServer, path: string) => s.log.filter((l) => l.path === path);

beforeAll(async () => {
  intranet = await startServer({ '/secret.png': png() });
  other = await startServer({ '/pixel.png': png() });
  site = await startServer({ '/ok.png': png() });
  const otherUrl = `http://other.test:${new URL(other.origin).port}`;
  site.routes.set('/redir.png', { status: 302, type: 'text/plain', body: '', headers: { location: `${otherUrl}/pixel.png` } });
  site.routes.set('/mint.html', {
    type: 'text/html',
    // A page that mints a new image URL every 30 ms, forever.
    body: `<!doctype html><html><body><script>
      let n = 0;
      setInterval(() => {
        const img = new Image(64, 64);
        img.src = '/ok.png?minted=' + n++;
        document.body.append(img);
      }, 30);
    </script></body></html>`,
  });
  site.routes.set('/hostile.html', {
    type: 'text/html',
    body: `<!doctype html><html><body>
      <img id="ok" src="/ok.png" width="96" height="96" alt="">
      <div style="height: 20000px"></div>
      <img id="secret" loading="lazy" src="${intranet.origin}/secret.png" width="96" height="96" alt="">
      <img id="redir" loading="lazy" src="/redir.png" width="96" height="96" alt="">
      <script>
        // What the page can see of us: every text, attribute and shadow root it can reach.
        window.harvest = () => {
          const out = [];
          const walk = (root) => {
            for (const el of root.querySelectorAll('*')) {
              for (const a of el.attributes) out.push(a.value);
              if (el.shadowRoot) walk(el.shadowRoot);
            }
            out.push(root.textContent || '');
          };
          walk(document);
          out.push(document.documentElement.innerText);
          const layer = document.querySelector('[data-pit-layer]');
          return { text: out.join('\\n'), layerFound: !!layer, layerOpen: !!(layer && layer.shadowRoot) };
        };
      </script>
    </body></html>`,
  });
  ext = await launchExtension({ args: ['--host-resolver-rules=MAP public.test 127.0.0.1, MAP other.test 127.0.0.1'] });
  sw = await ext.worker();
  pageUrl = `http://public.test:${new URL(site.origin).port}/hostile.html`;
  await ext.context.addCookies([
    { name: 'track', value: 'other-secret', domain: 'other.test', path: '/' },
    { name: 'sid', value: 'site-session', domain: 'public.test', path: '/' },
  ]);
  page = await ext.context.newPage();
  await page.goto(pageUrl);
  extPage = await ext.page('src/options/options.html');
});

afterAll(async () => {
  await ext?.close();
  await Promise.all([site?.close(), other?.close(), intranet?.close()]);
});

describe('a hostile page', () => {
  it('A: cannot read the label, probabilities, model, backend or timing out of the overlay', async () => {
    const okUrl = `http://public.test:${new URL(site.origin).port}/ok.png`;
    await clickClassify(sw, pageUrl, [okUrl]);
    const rec = (await waitFor(records, (r) => r.some((x) => x.imageUrl === okUrl), 60_000, 'record')).find((x) => x.imageUrl === okUrl)!;
    expect(rec.error).toBeUndefined();
    await expect.poll(() => layerCount(page, '[data-pit-overlay] .chip:not(.pending)')).toBe(1);
    const shown = (await layerText(page, '[data-pit-overlay] .chip')) ?? '';
    const label = rec.top5[0]!.label.replaceAll('_', ' ');
    expect(shown).toContain(label); // the user sees it…
    expect((await layerRoot(page)).mode).toBe('closed');
    const seen = await page.evaluate(() => (window as unknown as { harvest(): { text: string; layerFound: boolean; layerOpen: boolean } }).harvest());
    expect(seen.layerFound).toBe(true);
    expect(seen.layerOpen).toBe(false);
    // …the page reads none of it. A label counts as a whole word: inside a CSS property name the page's
    // computed-style text carries anyway ("-webkit-line-clamp" for "lamp") it tells the page nothing.
    const second = rec.top5[1]!.label.replaceAll('_', ' ');
    for (const word of [label, second]) expect(seen.text, word).not.toMatch(new RegExp(`(?<!\\w)${word}(?!\\w)`));
    for (const secret of [rec.modelId, 'session.run', ' ms', '%', 'Classif']) {
      expect(seen.text, secret).not.toContain(secret);
    }
  });

  it('B: cannot aim the extension’s fetch at its intranet, neither by a click nor by "Tag this page"', async () => {
    const secretUrl = `${intranet.origin}/secret.png`;
    await clickClassify(sw, pageUrl, [secretUrl]);
    const rec = (await waitFor(records, (r) => r.some((x) => x.imageUrl === secretUrl), 60_000, 'record')).find((x) => x.imageUrl === secretUrl)!;
    expect(rec.errorStage).toBe('fetch');
    expect(rec.error).toMatch(/refused: a public page cannot have the extension fetch a loopback address \(127\.0\.0\.1:\d+\)/);
    expect(rec.top5).toEqual([]);
    const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, pageUrl);
    const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
    const n0 = (await records()).length;
    const started = await popup.evaluate((tab) => chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: tab } }), tabId) as { total: number };
    await waitFor(records, (r) => r.length >= n0 + started.total, 60_000, 'tag job records');
    const tagged = (await records()).slice(n0);
    for (const r of tagged.filter((x) => x.imageUrl === secretUrl)) expect(r.error).toMatch(/refused/);
    expect(byExtension(intranet, '/secret.png')).toHaveLength(0);
    await popup.close();
  });

  it('C: a redirect from its own URL to another site carries no cookie there', async () => {
    const redirUrl = `http://public.test:${new URL(site.origin).port}/redir.png`;
    const before = byExtension(other, '/pixel.png').length;
    site.log.length = 0;
    await clickClassify(sw, pageUrl, [redirUrl]);
    await waitFor(async () => byExtension(other, '/pixel.png').length, (n) => n > before, 30_000, 'the redirect target fetched');
    const hops = byExtension(other, '/pixel.png').slice(before);
    for (const h of hops) expect(h.headers.cookie ?? '').not.toContain('other-secret');
    // The first request went to the page's own origin with its cookie (an image behind the site's login);
    // once it answered with a redirect, the image was fetched again without any.
    const first = byExtension(site, '/redir.png');
    expect(first.at(-2)?.headers.cookie).toBe('sid=site-session');
    expect(first.at(-1)?.headers.cookie).toBeUndefined();
    const rec = (await waitFor(records, (r) => r.some((x) => x.imageUrl === redirUrl), 60_000, 'record')).find((x) => x.imageUrl === redirUrl)!;
    expect(rec.error).toBeUndefined(); // other.test is public like the page: the image is classified, without cookies
  });

  it('cannot make auto-tag do endless work by minting image URLs: the site quota holds, and the next click still works', async () => {
    const options = await ext.page('src/options/options.html');
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    await options.locator('#auto-sites').fill('public.test');
    await options.locator('#auto-sites').dispatchEvent('change');
    await options.locator('#auto-rate').fill('20');
    await options.locator('#auto-rate').dispatchEvent('change');
    await options.locator('#auto-tag').check();
    await expect.poll(() => options.locator('#saved').innerText()).toMatch(/Saved/);
    const mint = await ext.context.newPage();
    await mint.goto(`http://public.test:${new URL(site.origin).port}/mint.html`);
    // When the content script offers images (its own world's chrome.runtime): after a refusal it must back off,
    // not rescan and offer again on each of the page's mutations.
    const world = await contentWorld(mint);
    await world.evaluate(`(() => {
      const send = chrome.runtime.sendMessage.bind(chrome.runtime);
      self.offerTimes = [];
      chrome.runtime.sendMessage = (...args) => {
        if (args[0] && args[0].name === 'background:auto-tag') self.offerTimes.push(Date.now());
        return send(...args);
      };
    })()`);
    const auto = async () => (await records()).filter((r) => (r as unknown as { source?: string }).source === 'auto');
    await waitFor(auto, (r) => r.length >= 20, 60_000, 'the first minute’s quota tagged');
    const quotaSpent = Date.now();
    await new Promise((r) => setTimeout(r, 8_000)); // the page keeps minting; nothing more may be taken this minute
    const minted = await mint.evaluate(() => document.images.length);
    expect(minted).toBeGreaterThan(200);
    expect((await auto()).length).toBe(20);
    // 8 s of a new image every 30 ms, and at most one offer (the 10 s retry): the refusal is not asked again per mutation.
    const offers = ((await world.evaluate('self.offerTimes')) as number[]).filter((t) => t > quotaSpent);
    expect(offers.length).toBeLessThanOrEqual(1);
    await world.close();
    await mint.close();
    await options.locator('#auto-tag').uncheck();
    // Still working for the user.
    const okUrl = `http://public.test:${new URL(site.origin).port}/ok.png?after`;
    await clickClassify(sw, pageUrl, [okUrl]);
    const rec = (await waitFor(records, (r) => r.some((x) => x.imageUrl === okUrl), 60_000, 'click after the flood')).find((x) => x.imageUrl === okUrl)!;
    expect(rec.error).toBeUndefined();
    await options.close();
  });
});
