import { describe, expect, it } from 'vitest';
import { sha256Hex, verifySha256 } from '../../src/core/sha256';

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const abc = (): Uint8Array => new TextEncoder().encode('abc');

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', async () => {
    expect(await sha256Hex(abc())).toBe(ABC);
    expect(await sha256Hex(new ArrayBuffer(0))).toBe(EMPTY);
  });

  it('hashes only the bytes a view covers', async () => {
    const buf = new TextEncoder().encode('xxabcyy');
    expect(await sha256Hex(buf.subarray(2, 5))).toBe(ABC);
  });
});

describe('verifySha256', () => {
  it('accepts the right hash, in either case', async () => {
    await expect(verifySha256(abc(), ABC, 'model.onnx')).resolves.toBeUndefined();
    await expect(verifySha256(abc().buffer as ArrayBuffer, ABC.toUpperCase(), 'model.onnx')).resolves.toBeUndefined();
  });

  it('names the file and both hashes on mismatch', async () => {
    await expect(verifySha256(abc(), EMPTY, 'resnet20-pit.onnx')).rejects.toThrow(
      `resnet20-pit.onnx: sha256 mismatch: expected ${EMPTY}, got ${ABC} — the file is corrupt or was replaced`,
    );
  });
});
