/**
 * Compare-with-cloud in real Chromium against the project's reference
 * KServe v2 server on 127.0.0.1: consent flow, both timings stored and shown,
 * and an endpoint that goes down never costs the local result.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import type { InferenceRecord } from '../../src/core/record';
import { layerClick, layerText } from '../support/overlay';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';
import { startFixture, type Fixture } from './fixtures';

let ext: ExtensionHandle;
let fx: Fixture;
let server: RunningServer;
let page: Page;
let options: Page;
let sw: Worker;
const records = async () => (await readRecords(options)) as unknown as InferenceRecord[];

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1' });
  fx = await startFixture();
  ext = await launchExtension();
  sw = await ext.worker();
  page = await ext.context.newPage();
  await page.goto(fx.pageUrl);
  options = await ext.page('src/options/options.html');
  await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
});
afterAll(async () => {
  await ext?.close();
  await fx?.close();
  await server?.close();
});

describe('compare with cloud', () => {
  it('is off by default and turns on only after an explained confirmation', async () => {
    expect(await options.locator('#cloud-enabled').isChecked()).toBe(false);
    expect(await options.locator('#cloud-state').innerText()).toMatch(/Off: nothing leaves this device/);
    await options.locator('#cloud-endpoint').fill('http://example.com:8000');
    await options.locator('#cloud-endpoint').dispatchEvent('change');
    expect(await options.locator('#cloud-endpoint-msg').innerText()).toMatch(/use https/);

    await options.locator('#cloud-endpoint').fill(server.url);
    await options.locator('#cloud-endpoint').dispatchEvent('change');
    await options.locator('#cloud-test').click();
    await expect.poll(() => options.locator('#cloud-report li.ok').count()).toBeGreaterThanOrEqual(4);
    expect(await options.locator('#cloud-report li.fail').count()).toBe(0);

    await options.locator('#cloud-enabled').click();
    expect(await options.locator('#cloud-enabled').isChecked()).toBe(false); // not yet: consent first
    expect(await options.locator('#cloud-consent-text').innerText()).toContain(server.url);
    await options.screenshot({ path: 'test-results/options-cloud-consent.png', fullPage: true });
    await options.locator('#cloud-consent-yes').click();
    await expect.poll(() => options.locator('#cloud-state').innerText()).toMatch(/ON: every classified image is also sent/);
    expect(await options.locator('#cloud-enabled').isChecked()).toBe(true);
  });

  it('stores and shows the cloud result next to the local one', async () => {
    await clickClassify(sw, fx.pageUrl, [fx.images.png, fx.images.jpeg, fx.images.cross]);
    // The local result is stored first, the cloud half added to the same record after.
    const recs = await waitFor(records, (r) => r.length === 3 && r.every((x) => x.cloud), 60_000, 'three compared records');
    for (const r of recs) {
      expect(r.error).toBeUndefined();
      const c = r.cloud!;
      expect(c.error, c.error).toBeUndefined();
      expect(c.endpoint).toBe(server.url);
      expect(c.roundTripMs).toBeGreaterThan(0);
      expect(c.computeMs).toBeGreaterThan(0);
      expect(c.overheadMs).toBeGreaterThanOrEqual(0);
      expect(c.roundTripMs).toBeGreaterThanOrEqual(c.computeMs!);
      expect(c.requestBytes).toBeGreaterThan(12_288);
      expect(c.attempts).toBe(1);
      // Same model, same tensor: the server must agree with the browser.
      expect(c.top5.map((p) => p.index)).toEqual(r.top5.map((p) => p.index));
      expect(c.top5[0]!.prob).toBeCloseTo(r.top5[0]!.prob, 4);
    }
    const chip = `[data-pit-overlay="${recs[0]!.requestId}"] button.chip`;
    await expect.poll(() => layerText(page, chip)).toMatch(/cloud \d+(\.\d+)? ms/);
    await layerClick(page, chip);
    expect(await layerText(page, `[data-pit-overlay="${recs[0]!.requestId}"] .meta.cloud`)).toMatch(/round trip .* = server .* \+ network/);

    const popup = await ext.page('src/popup/popup.html');
    await expect.poll(() => popup.locator('#privacy').innerText()).toMatch(/Cloud comparison ON.*127\.0\.0\.1/);
    await expect.poll(() => popup.locator('#cloud-section').isVisible()).toBe(true);
    const cells = await popup.locator('#cloud-stats tbody tr').first().locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/^resnet20-/);
    expect(cells[7]).toBe('100% of 3');
    expect(cells[8]).toBe('0');
    for (const c of cells.slice(3, 7)) expect(Number(c)).toBeGreaterThan(0);
    await popup.setViewportSize({ width: 600, height: 800 });
    await popup.screenshot({ path: 'test-results/popup-cloud.png' });
    await popup.close();
  });

  it('a hanging endpoint never holds back the local result', async () => {
    const { createServer } = await import('node:http');
    const hang = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as { port: number }).port}`;
    await options.locator('#cloud-timeout').fill('3');
    await options.locator('#cloud-timeout').dispatchEvent('change');
    // Point the comparison at it (a new endpoint needs a new consent).
    await options.locator('#cloud-endpoint').fill(url);
    await options.locator('#cloud-endpoint').dispatchEvent('change');
    await options.locator('#cloud-enabled').click();
    await options.locator('#cloud-consent-yes').click();
    const n0 = (await records()).length;
    const t0 = Date.now();
    await clickClassify(sw, fx.pageUrl, [fx.images.data]);
    const local = await waitFor(records, (r) => r.length === n0 + 1, 30_000, 'local record');
    expect(Date.now() - t0).toBeLessThan(2500); // well before the 3 s cloud timeout
    expect(local.at(-1)!.top5).toHaveLength(5);
    const done = await waitFor(records, (r) => r.at(-1)?.cloud !== undefined, 30_000, 'cloud timeout recorded');
    expect(done.at(-1)!.cloud!.error).toMatch(/did not answer within 3\.0 s/);
    expect(done).toHaveLength(n0 + 1);
    hang.closeAllConnections();
    hang.close();
    await options.locator('#cloud-endpoint').fill(server.url);
    await options.locator('#cloud-endpoint').dispatchEvent('change');
    await options.locator('#cloud-enabled').click();
    await options.locator('#cloud-consent-yes').click();
  });

  it('endpoint down: a clear cloud error, the local result still shown and stored, no duplicate records', async () => {
    await server.close();
    const n0 = (await records()).length;
    await clickClassify(sw, fx.pageUrl, [fx.images.large]);
    const recs = await waitFor(records, (r) => r.length === n0 + 1 && r.at(-1)?.cloud !== undefined, 60_000, 'record with the endpoint down');
    const r = recs.at(-1)!;
    expect(r.error).toBeUndefined();
    expect(r.top5).toHaveLength(5);
    expect(r.cloud?.error).toMatch(/cloud endpoint is unreachable/);
    expect(r.cloud?.attempts).toBe(2); // a refused connection is retried once, then reported
    const chip = `[data-pit-overlay="${r.requestId}"] button.chip`;
    await expect.poll(() => layerText(page, chip)).toMatch(/cloud failed/);
    expect(await layerText(page, chip)).toContain(r.top5[0]!.label.replaceAll('_', ' '));
    await new Promise((res) => setTimeout(res, 500));
    expect((await records()).length).toBe(n0 + 1);
  });
});
