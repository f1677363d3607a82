import { describe, expect, it } from 'vitest';
import { exportCsv, exportRows, libraryEntries, librarySites, type LabelTable } from '../../src/core/library';
import type { InferenceRecord } from '../../src/core/record';

const labels: LabelTable = {
  fine: ['apple', 'aquarium_fish', 'maple_tree', 'tiger'],
  coarse: ['fruit_and_vegetables', 'fish', 'trees', 'large_carnivores'],
  fineToCoarse: [0, 1, 2, 3],
};

let n = 0;
function rec(index: number, prob: number, extra: Partial<InferenceRecord> = {}): InferenceRecord {
  return {
    requestId: `r${n++}`, time: 1000 + n, pageUrl: 'https://a.test/p', site: 'a.test', imageUrl: `https://a.test/${n}.jpg`,
    modelId: 'm', backend: 'wasm', threads: 1, batchSize: 1, coldStart: false, source: 'page',
    top5: [{ index, label: labels.fine[index]!, prob }],
    timings: { fetch: 0, decodeResize: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0, queue: 0 },
    ...extra,
  };
}

describe('libraryEntries', () => {
  const records = [
    rec(0, 0.9),
    rec(1, 0.4, { site: 'b.test', pageUrl: 'https://b.test/' }),
    rec(3, 0.7),
    rec(2, 0.2, { imageUrl: 'https://a.test/same.jpg' }),
    rec(3, 0.95, { imageUrl: 'https://a.test/same.jpg' }), // newer classification of the same image wins
    rec(0, 0, { error: 'HTTP 404', top5: [] }),
  ];

  it('lists each image once, newest classification, errors left out', () => {
    const all = libraryEntries(records, labels);
    expect(all).toHaveLength(4);
    const same = all.find((e) => e.record.imageUrl.endsWith('same.jpg'))!;
    expect([same.label, same.times]).toEqual(['tiger', 2]);
  });

  it('"sure only" keeps the labels at or above their model\'s threshold and the ones the user labelled; a search lists sure ones first', () => {
    const rs = [
      rec(3, 0.35, { modelId: 'm', time: 5000 }), // newest, but a guess under m's 0.5
      rec(3, 0.8, { modelId: 'm', time: 10 }),
      rec(3, 0.35, { modelId: 'lenient', time: 20 }), // lenient's threshold is 0.3: sure
      rec(0, 0.1, { modelId: 'm', time: 30, userLabel: { index: 0, label: 'apple', at: 31 } }), // the user's label is sure
    ];
    const unsureBelow = (id: string) => (id === 'lenient' ? 0.3 : 0.5);
    const sure = libraryEntries(rs, labels, { sureOnly: true, unsureBelow });
    expect(sure.map((e) => [e.record.modelId, e.prob])).toEqual([['m', 0.1], ['lenient', 0.35], ['m', 0.8]]);
    const tigers = libraryEntries(rs, labels, { text: 'tiger', unsureBelow });
    expect(tigers.map((e) => [e.sure, e.record.time])).toEqual([[true, 20], [true, 10], [false, 5000]]);
    // Without thresholds nothing is called unsure.
    expect(libraryEntries(rs, labels).every((e) => e.sure)).toBe(true);
  });

  it('searches by label text and by superclass', () => {
    expect(libraryEntries(records, labels, { text: 'Aquarium Fish' }).map((e) => e.label)).toEqual(['aquarium_fish']);
    expect(libraryEntries(records, labels, { text: 'tig' })).toHaveLength(2);
    expect(libraryEntries(records, labels, { superclass: 3 }).map((e) => e.superclass)).toEqual(['large_carnivores', 'large_carnivores']);
    expect(libraryEntries(records, labels, { superclass: 2 })).toHaveLength(0); // the maple tree was reclassified as a tiger
  });

  it('searches labels in the user\'s language too, when the table carries their names', () => {
    const ru: LabelTable = { ...labels, localized: ['яблоко', 'аквариумная рыбка', 'клён', 'тигр'] };
    expect(libraryEntries(records, ru, { text: 'тигр' }).map((e) => e.label)).toEqual(['tiger', 'tiger']);
    expect(libraryEntries(records, ru, { text: 'ТИГ' })).toHaveLength(2); // case-insensitive
    expect(libraryEntries(records, ru, { text: 'Аквариумная' }).map((e) => e.label)).toEqual(['aquarium_fish']);
    expect(libraryEntries(records, ru, { text: 'клен' })).toHaveLength(0); // "ё" = "е"; the maple tree was reclassified
    expect(libraryEntries([rec(2, 0.5)], ru, { text: 'клен' }).map((e) => e.label)).toEqual(['maple_tree']);
    expect(libraryEntries(records, ru, { text: 'tiger' })).toHaveLength(2); // English still works
    expect(libraryEntries(records, labels, { text: 'тигр' })).toHaveLength(0); // no names given: English only
    // "label A–Z" sorts by the names the user reads.
    expect(libraryEntries(records, ru, { sort: 'label' }).map((e) => e.label)).toEqual(['aquarium_fish', 'tiger', 'tiger', 'apple']);
  });

  it('filters by site, date and confidence, and sorts', () => {
    expect(libraryEntries(records, labels, { site: 'b.test' })).toHaveLength(1);
    // Records of a page without a host are a site of their own (''), not "every site".
    const siteless = [...records, rec(2, 0.7, { site: '', pageUrl: 'file:///tmp/a.html', imageUrl: 'file:///tmp/x.png' })];
    expect(libraryEntries(siteless, labels, { site: '' }).map((e) => e.record.imageUrl)).toEqual(['file:///tmp/x.png']);
    expect(libraryEntries(siteless, labels, {})).toHaveLength(libraryEntries(records, labels, {}).length + 1);
    expect(libraryEntries(records, labels, { minConfidence: 0.8 }).map((e) => e.prob)).toEqual([0.95, 0.9]);
    const t = records[2]!.time;
    expect(libraryEntries(records, labels, { from: t, to: t }).map((e) => e.record.time)).toEqual([t]);
    expect(libraryEntries(records, labels, { sort: 'confidence' }).map((e) => e.prob)).toEqual([0.95, 0.9, 0.7, 0.4]);
    expect(libraryEntries(records, labels, { sort: 'label' }).map((e) => e.label)).toEqual(['apple', 'aquarium_fish', 'tiger', 'tiger']);
    expect(libraryEntries(records, labels, { sort: 'oldest' })[0]?.label).toBe('apple');
  });

  it('counts sites and exports flat rows without thumbnails', () => {
    const entries = libraryEntries(records, labels);
    expect(librarySites(entries)).toEqual([{ site: 'a.test', count: 3 }, { site: 'b.test', count: 1 }]);
    const rows = exportRows(entries.map((e) => ({ ...e, record: { ...e.record, thumbnail: 'data:image/jpeg;base64,AAAA' } })));
    expect(rows).toHaveLength(4);
    expect(Object.keys(rows[0]!)).not.toContain('thumbnail');
    expect(rows.find((r) => r.label === 'aquarium_fish')).toMatchObject({ site: 'b.test', superclass: 'fish', probability: 0.4, source: 'page' });
  });
});

describe('exportCsv', () => {
  it('defuses cells a spreadsheet would run as formulas (a page names its own URLs)', () => {
    const hostile = rec(0, 0.9, { pageUrl: '=HYPERLINK("https://evil.test","x")', site: '+cmd|calc', imageUrl: '@SUM(A1)' });
    const csv = exportCsv(libraryEntries([hostile], labels));
    const row = csv.split('\r\n')[1] ?? '';
    expect(row).toContain(`"'=HYPERLINK(""https://evil.test"",""x"")"`);
    expect(row).toContain("'+cmd|calc");
    expect(row).toContain("'@SUM(A1)");
    expect(row).not.toMatch(/(^|,)[=+@]/);
    expect(row).toContain(',apple,0.9,');
  });
});

describe('corrections', () => {
  const at = 5_000;
  const wrong = rec(3, 0.8, { imageUrl: 'https://a.test/fish.jpg', modelId: 'm' }); // the model says tiger
  const corrected = { ...wrong, userLabel: { index: 1, label: 'aquarium_fish', at } };
  const confirmed = rec(0, 0.9, { imageUrl: 'https://a.test/apple.jpg', userLabel: { index: 0, label: 'apple', at } });

  it('the library shows, searches and files an image under the user\'s label, keeping the model\'s', () => {
    const [e] = libraryEntries([corrected], labels);
    expect(e).toMatchObject({ label: 'aquarium_fish', modelLabel: 'tiger', superclass: 'fish', prob: 0.8 });
    expect(libraryEntries([corrected], labels, { text: 'aquarium' })).toHaveLength(1);
    expect(libraryEntries([corrected], labels, { text: 'tiger' })).toHaveLength(0);
    expect(libraryEntries([corrected], labels, { superclass: 1 })).toHaveLength(1);
    expect(libraryEntries([corrected], labels, { superclass: 3 })).toHaveLength(0);
    // Undo: the record without its user label is filed under the model's label again.
    expect(libraryEntries([wrong], labels, { superclass: 3 })).toHaveLength(1);
  });

  it('a correction on an older record of the image still applies to its newest one', () => {
    const newer = rec(3, 0.7, { imageUrl: 'https://a.test/fish.jpg', time: 9_999 });
    const [e] = libraryEntries([corrected, newer], labels);
    expect(e?.record.time).toBe(9_999);
    expect(e?.label).toBe('aquarium_fish');
  });

  it('CSV and JSON rows carry both labels', () => {
    const rows = exportRows(libraryEntries([corrected, confirmed, rec(2, 0.5)], labels));
    expect(rows.find((r) => r.image === 'https://a.test/fish.jpg')).toMatchObject({ label: 'tiger', user_label: 'aquarium_fish', user_labelled_at: new Date(at).toISOString() });
    expect(rows.find((r) => r.label === 'maple_tree')).toMatchObject({ user_label: '', user_labelled_at: '' });
    expect(exportCsv(libraryEntries([corrected], labels)).split('\r\n')[0]).toContain('user_label');
  });
});
