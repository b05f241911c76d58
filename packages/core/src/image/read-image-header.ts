/** An encoded image format {@link readImageHeader} recognises. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** What an image header says, read without decoding any pixel. */
export interface ImageHeader {
  /** The container format. */
  format: ImageFormat;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

const u16be = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const u16le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u24le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
const u32be = (b: Uint8Array, o: number): number => ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));

function png(b: Uint8Array): ImageHeader | undefined {
  // signature, then the IHDR chunk: length(4) "IHDR" width(4) height(4)
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return undefined;
  return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
}

function jpeg(b: Uint8Array): ImageHeader | undefined {
  // walk the markers up to the first start-of-frame (SOF0..SOF15 except DHT C4, JPG C8, DAC CC)
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return undefined;
    const marker = b[o + 1];
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or start of scan before any frame
    const length = u16be(b, o + 2);
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (o + 9 > b.length) return undefined;
      return { format: 'jpeg', height: u16be(b, o + 5), width: u16be(b, o + 7) };
    }
    o += 2 + length;
  }
  return undefined;
}

function webp(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 30 || ascii(b, 8, 4) !== 'WEBP') return undefined;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X') return { format: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return undefined;
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  return undefined;
}

function gif(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 10) return undefined;
  return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
}

/**
 * Reads the format and size of a PNG, JPEG, WebP or GIF from its first bytes, without decoding pixels, so a
 * decompression bomb (a small file that decodes to billions of pixels) can be refused before any decoder runs.
 * Returns `undefined` for anything else, or a header too short or malformed to read.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return png(b);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF') return webp(b);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return gif(b);
  return undefined;
}
