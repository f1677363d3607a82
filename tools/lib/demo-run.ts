/**
 * The headless `npm start` demo: the demo page's images go through the built
 * extension's real right-click handler (chrome.contextMenus.onClicked, as a
 * click on "Classify image" fires it), one at a time; then the page is tagged
 * as the popup's "Tag this page" does; the popup's own latency table is read
 * back; screenshots of the page and the popup are saved.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { clickClassify, readRecords, waitFor } from './clicks';
import type { DemoImageRow } from './demo-report';
import { shortName } from './demo-report';
import type { ExtensionHandle } from './extension';

interface Rec {
  requestId: string; imageUrl: string; pageUrl: string; source?: string; error?: string; coldStart?: boolean;
  top5: { label: string; prob: number }[]; timings: { total: number; session?: number };
}

export interface DemoResult {
  rows: DemoImageRow[];
  /** The popup's "This page" status after tagging, e.g. "Done: 6 of 6 · 52 images/s". */
  tagStatus: string;
  tagged: number;
  /** The popup: model line, latency table cells, the note under it. */
  popup: { status: string; cells: string[][]; note: string };
  screenshots: { page: string; popup: string };
  /** Requests the demo tab and the popup made to anything but 127.0.0.1, the extension, data: and blob:. */
  offMachine: string[];
  pageUrl: string;
}

/** Every result overlay's text, read from the closed shadow root through CDP (as DevTools sees it). */
async function overlayTexts(page: Page): Promise<Map<string, string>> {
  interface Node { backendNodeId: number; attributes?: string[]; children?: Node[]; shadowRoots?: Node[] }
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true }) as { root: Node };
    const find = (n: Node): Node | undefined => {
      if (n.attributes?.includes('data-pit-layer')) return n.shadowRoots?.[0];
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) {
        const r = find(c);
        if (r) return r;
      }
      return undefined;
    };
    const layer = find(root);
    if (!layer) return new Map();
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: layer.backendNodeId }) as { object: { objectId: string } };
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId, returnByValue: true,
      functionDeclaration: `function () {
        return [...this.querySelectorAll('[data-pit-overlay]')].map((w) => [w.getAttribute('data-pit-overlay'), (w.querySelector('.chip') || w).innerText.replace(/\\s+/g, ' ').trim()]);
      }`,
    }) as { result: { value: [string, string][] } };
    return new Map(result.value);
  } finally {
    await cdp.detach();
  }
}

export async function runDemo(ext: ExtensionHandle, origin: string, outDir: string, log: (line: string) => void): Promise<DemoResult> {
  const pageUrl = `${origin}/`;
  const offMachine: string[] = [];
  const local = (u: string) => /^(data:|blob:|chrome-extension:|chrome:|about:)/.test(u) || u.startsWith(`${origin}/`);
  ext.context.on('request', (r) => {
    if (!local(r.url())) offMachine.push(r.url());
  });

  const page = await ext.context.newPage();
  await page.setViewportSize({ width: 1000, height: 640 }); // the whole demo page, overlays included
  await page.goto(pageUrl);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 30_000 });
  const srcs = await page.evaluate(() => [...document.images].map((i) => i.currentSrc || i.src));

  const records = async () => (await readRecords(await ext.worker())) as unknown as Rec[];
  const rows: DemoImageRow[] = [];
  const done = new Map<string, Rec>();
  for (const [i, src] of srcs.entries()) {
    log(`  classifying ${i + 1}/${srcs.length}: ${shortName(src)}…`);
    await clickClassify(await ext.worker(), pageUrl, [src]);
    const recs = await waitFor(records, (rs) => rs.some((r) => r.imageUrl === src && r.source !== 'page'), 120_000, `the record of ${shortName(src)}`);
    done.set(src, recs.find((r) => r.imageUrl === src && r.source !== 'page')!);
  }
  // Each overlay shows its result (not "Classifying…") once the page got it.
  const overlays = await waitFor(() => overlayTexts(page), (m) => [...done.values()].every((r) => m.has(r.requestId) && !/Classifying/.test(m.get(r.requestId)!)), 10_000, 'the overlays')
    .catch(() => overlayTexts(page));
  for (const [i, src] of srcs.entries()) {
    const r = done.get(src)!;
    const top = r.top5[0];
    rows.push({
      image: shortName(src), clickMs: r.timings.total, overlay: overlays.get(r.requestId), first: i === 0,
      // A cold start, or a click that waited for the session the install warm-up was still creating.
      coldStart: r.coldStart === true || (r.timings.session ?? 0) > r.timings.total / 2,
      ...(r.error !== undefined || !top ? { error: r.error ?? 'no result' } : { label: top.label, prob: top.prob }),
    });
  }

  // "Tag this page": the popup, opened as a page for the demo tab (as the tests do), and its own button, which
  // sends 'background:tag-page' with the tab's id from this extension page.
  const tabId = await (await ext.worker()).evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, pageUrl);
  const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
  await popup.setViewportSize({ width: 590, height: 480 }); // the screenshot grows to the popup's full height
  const text = async (sel: string) => ((await popup.locator(sel).textContent()) ?? '').trim();
  log('  tagging the page (popup → "Tag this page")…');
  await popup.locator('#tag-page').click();
  const tagStatus = await waitFor(() => text('#tag-status'), (t) => /^(Done|Cancelled|No images|Could not)/.test(t), 120_000, 'page tagging to finish');
  const tagged = (await records()).filter((r) => r.source === 'page' && r.pageUrl === pageUrl && !r.error).length;

  // The popup refreshes its history and latency table live (at most once a second): wait for every record.
  const expected = rows.length + tagged;
  const count = () => popup.locator('#stats tbody tr').evaluateAll((trs) => trs.reduce((n, tr) => {
    const cells = tr.querySelectorAll('td');
    const cold = /\((\d+)\)/.exec(cells[12]?.textContent ?? '');
    return n + Number(cells[3]?.textContent ?? 0) + Number(cold?.[1] ?? 0);
  }, 0));
  await waitFor(count, (n) => n >= expected, 10_000, 'the popup latency table').catch(() => undefined);
  const cells = await popup.locator('#stats tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const popupText = { status: await text('#status'), cells, note: await text('#stats-note') };

  mkdirSync(outDir, { recursive: true });
  const shots = { page: join(outDir, 'demo-page.png'), popup: join(outDir, 'popup.png') };
  await page.bringToFront();
  await page.screenshot({ path: shots.page });
  await popup.bringToFront();
  await popup.screenshot({ path: shots.popup, fullPage: true });
  await page.bringToFront();
  await popup.close();
  return { rows, tagStatus, tagged, popup: popupText, screenshots: shots, offMachine, pageUrl };
}
