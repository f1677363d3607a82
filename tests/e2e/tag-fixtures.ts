/** Pages for the page-tagging tests: every way a page shows an image, and a 200-image page. */
import { encodePng, synthetic, uniform } from '../../tools/lib/images';
import { startServer, type Route, type TestServer } from '../../tools/lib/http-server';

const png = (w: number, h: number, seed: number): Route => ({ type: 'image/png', body: encodePng(w, h, synthetic(w, h, seed)) });

export interface TagFixture {
  server: TestServer;
  pageUrl: string;
  manyUrl: string;
  /** Every image URL "Tag this page" must tag on pageUrl (blob: added by the test). */
  expected: string[];
  close(): Promise<void>;
}

export async function startTagFixture(manyCount = 200): Promise<TagFixture> {
  const routes: Record<string, Route> = {
    '/plain.png': png(200, 150, 11),
    '/small-1x.png': png(160, 120, 12),
    '/small-2x.png': png(320, 240, 13),
    '/pic.png': png(300, 200, 14),
    '/pic-fallback.png': png(300, 200, 15),
    '/bg.png': png(240, 180, 16),
    '/lazy.png': png(200, 150, 17),
    '/shadow.png': png(200, 150, 18),
    '/blob-source.png': png(180, 120, 19),
    '/pixel.png': { type: 'image/png', body: encodePng(1, 1, uniform(1, 1, [0, 0, 0])) },
    '/thumb.png': png(20, 20, 20),
    '/below.png': png(200, 150, 22),
    '/shape.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="150"><rect width="200" height="150" fill="#36c"/><circle cx="100" cy="75" r="50" fill="#fc3"/></svg>' },
  };
  const data = `data:image/png;base64,${encodePng(64, 64, synthetic(64, 64, 21)).toString('base64')}`;
  routes['/page.html'] = {
    type: 'text/html',
    body: `<!doctype html><html><head><title>tag fixture</title><style>
      .bg { width: 240px; height: 180px; background-image: url("/bg.png"); background-size: cover; display: inline-block; }
    </style></head><body>
      <img id="plain" src="/plain.png" width="200" height="150" alt="plain">
      <img id="srcset" src="/small-1x.png" srcset="/small-1x.png 1x, /small-2x.png 2x" width="160" height="120" alt="srcset">
      <picture id="picture"><source srcset="/pic.png" type="image/png"><img src="/pic-fallback.png" width="150" height="100" alt="picture"></picture>
      <div id="bg" class="bg" role="img" aria-label="background"></div>
      <div id="host"></div>
      <img id="data" src="${data}" width="64" height="64" alt="data">
      <img id="blob" width="120" height="80" alt="blob">
      <img id="svg" src="/shape.svg" width="200" height="150" alt="svg">
      <img id="pixel" src="/pixel.png" width="1" height="1" alt="">
      <img id="dup" src="/plain.png" width="100" height="75" alt="duplicate">
      <img id="broken" src="/missing.png" width="100" height="75" alt="broken">
      <img id="thumb" src="/thumb.png" width="20" height="20" alt="too small">
      <div style="height: 3000px"></div>
      <img id="below" loading="lazy" src="/below.png" width="200" height="150" alt="lazy, below the fold, not loaded yet">
      <script>
        document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<img src="/shadow.png" width="200" height="150" alt="in shadow">';
        fetch('/blob-source.png').then((r) => r.blob()).then((b) => { document.getElementById('blob').src = URL.createObjectURL(b); });
        setTimeout(() => {
          const img = Object.assign(document.createElement('img'), { id: 'lazy', src: '/lazy.png', width: 200, height: 150, alt: 'added later' });
          document.body.append(img);
        }, 300);
      </script>
    </body></html>`,
  };
  const cards: string[] = [];
  for (let i = 0; i < manyCount; i++) {
    routes[`/many/${i}.png`] = png(48, 48, 1000 + i);
    cards.push(`<img src="/many/${i}.png" width="48" height="48" alt="">`);
  }
  routes['/many.html'] = { type: 'text/html', body: `<!doctype html><html><body>${cards.join('')}</body></html>` };
  const server = await startServer(routes);
  const o = server.origin;
  return {
    server, pageUrl: `${o}/page.html`, manyUrl: `${o}/many.html`,
    expected: [`${o}/plain.png`, `${o}/small-1x.png`, `${o}/pic.png`, `${o}/bg.png`, `${o}/shadow.png`, data, `${o}/shape.svg`, `${o}/lazy.png`, `${o}/below.png`],
    close: () => server.close(),
  };
}
