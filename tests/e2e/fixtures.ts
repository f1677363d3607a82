/** The local pages the browser tests classify: two origins, every kind of image source. */
import { encodeJpeg, encodePng, synthetic } from '../../tools/lib/images';
import { startServer, type TestServer } from '../../tools/lib/http-server';

export interface Fixture {
  site: TestServer;
  cdn: TestServer;
  pageUrl: string;
  images: { png: string; jpeg: string; cross: string; data: string; broken: string; corrupt: string; large: string; slow: string };
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const cdn = await startServer({
    '/cross.png': { type: 'image/png', body: encodePng(320, 240, synthetic(320, 240, 3)) },
  });
  const small = encodePng(48, 48, synthetic(48, 48, 4));
  const dataUrl = `data:image/png;base64,${small.toString('base64')}`;
  const site = await startServer({
    '/photo.png': { type: 'image/png', body: encodePng(640, 480, synthetic(640, 480, 1)) },
    '/photo.jpg': { type: 'image/jpeg', body: encodeJpeg(800, 600, synthetic(800, 600, 2)) },
    '/large.jpg': { type: 'image/jpeg', body: encodeJpeg(3000, 2000, synthetic(3000, 2000, 5)) },
    '/slow.jpg': { type: 'image/jpeg', body: encodeJpeg(200, 150, synthetic(200, 150, 6)), delayMs: 1500 },
    '/corrupt.png': { type: 'image/png', body: Buffer.from('this is not a png at all, just text pretending') },
  });
  // The page's own stylesheet is hostile on purpose: it must not reach the overlay.
  site.routes.set('/page.html', {
    type: 'text/html',
    body: `<!doctype html><html><head><title>fixture</title><style>
      * { font-size: 40px !important; color: red !important; }
      button, div, span { display: none !important; }
      img { display: inline-block; margin: 4px; }
    </style></head><body>
      <img id="png" src="/photo.png" width="320" height="240" alt="png">
      <img id="jpeg" src="/photo.jpg" width="320" height="240" alt="jpeg">
      <img id="cross" src="${cdn.origin}/cross.png" width="320" height="240" alt="cross">
      <img id="data" src="${dataUrl}" width="96" height="96" alt="data">
      <img id="broken" src="/missing.png" width="120" height="90" alt="broken">
      <img id="corrupt" src="/corrupt.png" width="120" height="90" alt="corrupt">
      <img id="large" src="/large.jpg" width="300" height="200" alt="large">
      <img id="slow" src="/slow.jpg" width="80" height="60" alt="slow">
      <img id="blob" width="100" height="75" alt="blob">
      <script>
        // An image only this page can read: a blob: URL of its own origin.
        fetch('/photo.png').then((r) => r.blob()).then((b) => { document.getElementById('blob').src = URL.createObjectURL(b); });
      </script>
    </body></html>`,
  });
  return {
    site, cdn, pageUrl: `${site.origin}/page.html`,
    images: {
      png: `${site.origin}/photo.png`, jpeg: `${site.origin}/photo.jpg`, cross: `${cdn.origin}/cross.png`,
      data: dataUrl, broken: `${site.origin}/missing.png`, corrupt: `${site.origin}/corrupt.png`, large: `${site.origin}/large.jpg`,
      slow: `${site.origin}/slow.jpg`,
    },
    async close() {
      await Promise.all([site.close(), cdn.close()]);
    },
  };
}
