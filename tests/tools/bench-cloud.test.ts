/** The cloud backend of `npm run bench` against the project's own KServe v2 server (port 0, the shipped catalog). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../server/app';
import { cloudBase, measureCloud } from '../../tools/bench/cloud';
import { resolveModels } from '../../tools/bench/models';
import { CATALOG_PATH, readCatalog } from '../../tools/lib/catalog-file';

const catalog = readCatalog();
const plan = { batches: [1, 8], runs: 3, warmup: 0, maxMs: 10_000, seed: 1 };
let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1 });
}, 60_000);
afterAll(() => srv?.close());

describe('cloud backend', () => {
  it('times round trips and keeps the server compute time apart', async () => {
    const [spec] = resolveModels([catalog.default], catalog, null, '/x');
    const rows = await measureCloud(spec!, cloudBase(srv.url), undefined, plan);
    expect(rows.map((r) => [r.backend, r.batch, r.threads, r.sessionCreateMs])).toEqual([['cloud', 1, null, null], ['cloud', 8, null, null]]);
    for (const r of rows) {
      expect(r.error).toBeUndefined();
      expect(r.runs).toBe(3);
      expect(r.serverComputeMs).toBeGreaterThan(0);
      expect(r.medianMs!).toBeGreaterThan(r.serverComputeMs!);
      expect(r.p90Ms!).toBeGreaterThanOrEqual(r.medianMs!);
      expect(r.throughput!).toBeCloseTo((r.batch * 1000) / r.medianMs!);
    }
  });

  it('reports a model the server does not serve as an error row, and refuses plain http to another host', async () => {
    const served = resolveModels([catalog.default], catalog, null, '/x')[0]!;
    const spec = { ...served, model: { ...served.model, key: 'zoo:vgg19_bn' } };
    const rows = await measureCloud(spec, cloudBase(srv.url), undefined, { ...plan, batches: [1] });
    expect(rows[0]).toMatchObject({ medianMs: null, error: expect.stringMatching(/404/) });
    expect(() => cloudBase('http://example.com:8000')).toThrow(/https/);
  });
});
