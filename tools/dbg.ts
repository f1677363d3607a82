import { launchExtension } from './lib/extension';
import { startServer } from './lib/http-server';
import { encodeJpeg, encodePng, synthetic } from './lib/images';
const server = await startServer({
  '/a.png': { type: 'image/png', body: encodePng(128, 128, synthetic(128, 128, 1)) },
  '/b.jpg': { type: 'image/jpeg', body: encodeJpeg(640, 480, synthetic(640, 480, 2)) },
  '/c.jpg': { type: 'image/jpeg', body: encodeJpeg(1920, 1080, synthetic(1920, 1080, 3)) },
  '/d.jpg': { type: 'image/jpeg', body: encodeJpeg(4000, 3000, synthetic(4000, 3000, 4)) },
});
const ext = await launchExtension();
const sw = await ext.worker();
for (const p of ['/a.png', '/b.jpg', '/c.jpg', '/d.jpg']) for (const prefer of ['auto', 'bitmap']) {
  const rs = [];
  for (let i = 0; i < 8; i++) rs.push(await sw.evaluate(async (a) => (globalThis as any).pit.sendOffscreen('offscreen:preprocess', a), { srcUrl: `${server.origin}${p}?${i}`, size: 32, prefer }));
  const d = rs.slice(2).map((r: any) => r.decodeMs).sort((a, b) => a - b);
  console.log(p, prefer, rs[0].decoder, 'decode median', d[Math.floor(d.length / 2)].toFixed(1), 'fetch', (rs[3] as any).fetchMs.toFixed(1));
}
await ext.close(); await server.close();
