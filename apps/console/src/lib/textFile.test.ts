import { describe, expect, it } from 'vitest';
import { decodeTextFile } from './textFile.ts';

const CSV = 'sku,name,price,currency\nHAT-1,Chapeau en feutre,3900,EUR\n';

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < text.length; i++) view.setUint16(2 + i * 2, text.charCodeAt(i), littleEndian);
  return out;
}

describe('decodeTextFile', () => {
  it('reads UTF-8, with or without a byte order mark', () => {
    const bytes = new TextEncoder().encode(CSV);
    expect(decodeTextFile(bytes)).toBe(CSV);
    expect(decodeTextFile(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]))).toBe(CSV);
  });

  it('reads a file that is not valid UTF-8 as Windows-1252, as Excel saves plain CSV', () => {
    // "Chapeau d'été" in Windows-1252 (é is 0xE9). Node's decoder of that name is Latin-1 in
    // 0x80–0x9F, where browsers follow Windows-1252 (’ is 0x92): the console's e2e test has it.
    const bytes = new Uint8Array([
      ...new TextEncoder().encode("name\nChapeau d'"),
      0xe9,
      0x74,
      0xe9,
      0x0a,
    ]);
    expect(decodeTextFile(bytes)).toBe("name\nChapeau d'été\n");
  });

  it('reads UTF-16 by its byte order mark, both byte orders, without a NUL', () => {
    for (const littleEndian of [true, false]) {
      const text = decodeTextFile(utf16(CSV, littleEndian));
      expect(text).toBe(CSV);
      expect(text.includes('\u0000')).toBe(false);
    }
  });
});
