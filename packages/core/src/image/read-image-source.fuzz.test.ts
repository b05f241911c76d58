import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidImageError } from '../errors/invalid-image-error.js';
import { pngHeader } from '../testing/png-header.js';
import { readImageSource } from './read-image-source.js';

/** Byte strings around the formats' signatures, so the header parsers see near-valid input, not only noise. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc
    .tuple(
      fc.constantFrom(
        pngHeader(1, 1).subarray(0, 16),
        new Uint8Array([0xff, 0xd8, 0xff]),
        new Uint8Array([...Buffer.from('RIFF\0\0\0\0WEBPVP8')]),
        new Uint8Array([...Buffer.from('GIF89a')]),
      ),
      fc.uint8Array({ maxLength: 64 }),
    )
    .map(([head, tail]) => new Uint8Array([...head, ...tail])),
  fc.tuple(fc.nat(), fc.nat()).map(([w, h]) => pngHeader(w, h)),
);
const source = fc.oneof(
  bytes,
  bytes.map((b) => `data:image/png;base64,${Buffer.from(b).toString('base64')}`),
  fc.string().map((s) => `data:${s}`),
  fc.string().map((s) => `data:image/png,${s}`),
  fc.string().map((s) => `data:image/png;base64,${s}`),
  fc.string(),
);

describe('readImageSource under random input', () => {
  it('resolves with checked bytes or rejects with InvalidImageError, nothing else', async () => {
    const before = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(source, async (input) => {
        try {
          const image = await readImageSource(input, { maxBytes: 4096, maxPixels: 1_000_000 });
          expect(image.header.width * image.header.height).toBeLessThanOrEqual(1_000_000);
          expect(image.bytes.byteLength).toBeLessThanOrEqual(4096);
        } catch (error) {
          expect(InvalidImageError.isInstance(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 2000, interruptAfterTimeLimit: 30_000 },
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
