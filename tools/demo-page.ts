/** The local demo page `npm start` opens: a few generated images (we ship no photos). */
import { encodeJpeg, encodePng, synthetic } from './lib/images';
import type { Route } from './lib/http-server';

export function demoRoutes(): Record<string, Route> {
  const routes: Record<string, Route> = {};
  const cards: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const jpg = i % 2 === 0;
    const [w, h] = [480 + i * 40, 360 + i * 20];
    const path = `/img/sample-${i}.${jpg ? 'jpg' : 'png'}`;
    routes[path] = jpg
      ? { type: 'image/jpeg', body: encodeJpeg(w, h, synthetic(w, h, i)) }
      : { type: 'image/png', body: encodePng(w, h, synthetic(w, h, i)) };
    cards.push(`<figure><img src="${path}" width="240" alt="generated sample ${i}"><figcaption>${path.slice(5)}</figcaption></figure>`);
  }
  routes['/'] = {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Private Image Tagger — demo</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:24px auto;padding:0 16px}
.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{color:#666;font-size:12px}</style></head>
<body><h1>Private Image Tagger — demo page</h1>
<p>Right-click any image below (or on any other web page) and choose <b>Classify image</b>. The label is computed
by a CIFAR-100 model running inside your browser; nothing is uploaded. Open the toolbar popup for history and timing.</p>
<p>These pictures are generated shapes, not photos, so expect odd labels: the model knows 100 everyday classes
(apple, bicycle, tiger, …) at 32×32 pixels. Try it on real photos on any site.</p>
<div class="grid">${cards.join('')}</div></body></html>`,
  };
  return routes;
}
