import { describe, expect, it } from 'vitest';
import { imageHeader, imageSize } from '../../src/core/image-size';
import { encodeJpeg, encodePng, uniform } from '../../tools/lib/images';

describe('imageSize', () => {
  it('reads PNG and JPEG sizes from real encoded files', () => {
    expect(imageSize(encodePng(37, 21, uniform(37, 21, [1, 2, 3])))).toEqual({ width: 37, height: 21 });
    expect(imageSize(encodeJpeg(640, 480, uniform(640, 480, [9, 9, 9])))).toEqual({ width: 640, height: 480 });
  });

  it('reads a decompression bomb’s declared size without its pixels', () => {
    // A PNG header that claims 50000 x 50000 px, followed by nothing.
    const header = encodePng(1, 1, uniform(1, 1, [0, 0, 0])).subarray(0, 33);
    new DataView(header.buffer, header.byteOffset).setUint32(16, 50_000);
    new DataView(header.buffer, header.byteOffset).setUint32(20, 50_000);
    expect(imageSize(header)).toEqual({ width: 50_000, height: 50_000 });
  });

  it('reads GIF, BMP and WebP (VP8X) headers', () => {
    const gif = Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x2c, 0x01, 0xc8, 0x00]);
    expect(imageSize(gif)).toEqual({ width: 300, height: 200 });
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 120, true);
    new DataView(bmp.buffer).setInt32(22, -80, true); // top-down BMPs store a negative height
    expect(imageSize(bmp)).toEqual({ width: 120, height: 80 });
    const webp = new Uint8Array(30);
    webp.set([...'RIFF'].map((c) => c.charCodeAt(0)), 0);
    webp.set([...'WEBPVP8X'].map((c) => c.charCodeAt(0)), 8);
    webp.set([(1023 - 1) & 0xff, (1023 - 1) >> 8, 0, (767 - 1) & 0xff, (767 - 1) >> 8, 0], 24); // 24-bit little-endian sizes minus one
    expect(imageSize(webp)).toEqual({ width: 1023, height: 767 });
  });

  it('returns undefined for SVG, text and cut headers instead of guessing', () => {
    expect(imageSize(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(imageSize(new TextEncoder().encode('not an image'))).toBeUndefined();
    expect(imageSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBeUndefined();
    expect(imageSize(new Uint8Array(0))).toBeUndefined();
  });

  it('tells the format from magic bytes and swaps the size of an EXIF-rotated JPEG', () => {
    const jpg = encodeJpeg(64, 48, uniform(64, 48, [9, 9, 9]));
    expect(imageHeader(jpg)).toEqual({ width: 64, height: 48, format: 'jpeg', orientation: 1 });
    expect(imageHeader(encodePng(5, 7, uniform(5, 7, [1, 2, 3])))?.format).toBe('png');
    // APP1 "Exif\0\0" + little-endian TIFF with one IFD0 entry: orientation 6 (rotate 90° clockwise).
    const tiff = [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
    const payload = [...'Exif'].map((c) => c.charCodeAt(0)).concat([0, 0], tiff);
    const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
    const rotated = Uint8Array.from([...jpg.subarray(0, 2), ...app1, ...jpg.subarray(2)]);
    expect(imageHeader(rotated)).toEqual({ width: 48, height: 64, format: 'jpeg', orientation: 6 });
    // An XMP APP1 after the Exif one (Lightroom, Ultra HDR) does not reset it.
    const xmp = [...'http://ns.adobe.com/xap/1.0/'].map((c) => c.charCodeAt(0)).concat([0, 0x3c, 0x78]);
    const app1x = [0xff, 0xe1, (xmp.length + 2) >> 8, (xmp.length + 2) & 0xff, ...xmp];
    const both = Uint8Array.from([...jpg.subarray(0, 2), ...app1, ...app1x, ...jpg.subarray(2)]);
    expect(imageHeader(both)?.orientation).toBe(6);
  });
});
