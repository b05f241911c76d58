import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pngHeader } from '../testing/png-header.js';
import { readImageHeader } from './read-image-header.js';

describe('readImageHeader', () => {
  it('reads the committed fixture PNG', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../../../models/qwen3vl-tiny-random/image.png', import.meta.url)));
    const header = readImageHeader(bytes);
    expect(header?.format).toBe('png');
    expect(header!.width).toBeGreaterThan(0);
  });

  it('reads PNG, JPEG, WebP and GIF sizes from their headers', () => {
    expect(readImageHeader(pngHeader(16000, 16000))).toEqual({ format: 'png', width: 16000, height: 16000 });
    // SOI, an APP0 segment, then SOF0: length 17, precision 8, height 600, width 800
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0x02, 0x58, 0x03, 0x20, 3]);
    expect(readImageHeader(jpeg)).toEqual({ format: 'jpeg', width: 800, height: 600 });
    const gif = new Uint8Array([...Buffer.from('GIF89a'), 0x40, 0x1f, 0x80, 0x3e]);
    expect(readImageHeader(gif)).toEqual({ format: 'gif', width: 8000, height: 16000 });
    const vp8x = new Uint8Array(30);
    vp8x.set(Buffer.from('RIFF'), 0);
    vp8x.set(Buffer.from('WEBPVP8X'), 8);
    vp8x.set([0x3f, 0x9c, 0x00, 0x3f, 0x9c, 0x00], 24); // (39999 + 1) x (39999 + 1)
    expect(readImageHeader(vp8x)).toEqual({ format: 'webp', width: 40000, height: 40000 });
  });

  it('returns undefined for other bytes and truncated headers', () => {
    expect(readImageHeader(new Uint8Array(Buffer.from('root:x:0:0:root:/root:/bin/bash')))).toBeUndefined();
    expect(readImageHeader(pngHeader(1, 1).subarray(0, 20))).toBeUndefined();
    expect(readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeUndefined();
    expect(readImageHeader(new Uint8Array(0))).toBeUndefined();
  });
});
