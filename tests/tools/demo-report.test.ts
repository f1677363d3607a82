import { describe, expect, it } from 'vitest';
import { alignTable, imageTable, overlayMs, popupLatencyTable, shortName } from '../../tools/lib/demo-report';

describe('the headless demo report', () => {
  it('aligns columns, numbers to the right', () => {
    expect(alignTable(['name', 'ms'], [['a', '5'], ['bbb', '120']])).toEqual(['  name   ms', '  a       5', '  bbb   120']);
  });

  it('prints one row per image: label with %, click → label, the overlay\'s own figure; failures stand out', () => {
    const lines = imageTable([
      { image: 'sample-1.png', label: 'maple_tree', prob: 0.378, clickMs: 1211.4, overlay: 'maple tree 37.8% 1230 ms', first: true, coldStart: true },
      { image: 'sample-2.jpg', label: 'pear', prob: 0.085, clickMs: 72.14, overlay: 'pear 8.5% 77.6 ms' },
      { image: 'sample-5.png', label: 'tulip', prob: 0.2, clickMs: 400, overlay: 'tulip 20.0% 410 ms', coldStart: true },
      { image: 'sample-3.png', error: 'fetch failed', clickMs: 3 },
    ]);
    expect(lines[0]).toMatch(/image\s+label \(top-1\)\s+click → label\s+overlay shows/);
    expect(lines[1]).toMatch(/sample-1\.png\s+maple tree 37\.8%\s+1211 ms\s+1230 ms\s+\(first click after install\)/);
    expect(lines[2]).toMatch(/sample-2\.jpg\s+pear 8\.5%\s+72\.1 ms\s+77\.6 ms$/);
    expect(lines[3]).toMatch(/sample-5\.png\s+tulip 20\.0%\s+400 ms\s+410 ms\s+\(incl\. loading the model\)/);
    expect(lines[4]).toMatch(/sample-3\.png\s+FAILED: fetch failed\s+3\.00 ms\s+no overlay/);
  });

  it('reads the names and the overlay\'s wait', () => {
    expect(shortName('http://127.0.0.1:5178/img/sample-4.jpg')).toBe('sample-4.jpg');
    expect(shortName('not a url')).toBe('not a url');
    expect(overlayMs('sea 65.2% 115 ms')).toBe('115 ms');
    expect(overlayMs('Classifying…')).toBe('–');
  });

  it('keeps the popup latency columns a newcomer needs', () => {
    const row = ['resnet20-pit', 'wasm', '1', '6', '69.0', '933', '51.9', '261', '22.1', '94.5', '5.60', '38.4', '–'];
    const [head, line] = popupLatencyTable([row]);
    expect(head).toMatch(/model\s+backend\s+batch\s+n\s+waited median\s+p95\s+session\.run median\s+p95\s+cold start/);
    expect(line!.trim().split(/\s+/)).toEqual(['resnet20-pit', 'wasm', '1', '6', '69.0', '933', '22.1', '94.5', '–']);
  });
});
