import { InvalidImageError } from '../errors/invalid-image-error.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * The bytes of a `data:` URL (`data:[<mime>][;base64],<data>`), refusing with {@link InvalidImageError} a URL with no
 * comma, invalid base64 (standard or URL-safe alphabet, whitespace ignored), bad `%XX` escapes, or a payload whose
 * decoded size would pass `maxBytes` (checked before decoding).
 */
export function decodeDataUrl(url: string, maxBytes: number): Uint8Array {
  const malformed = (detail: string, cause?: unknown): InvalidImageError =>
    new InvalidImageError({ source: 'data: URL', reason: 'malformed-data-url', detail }, { cause });
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw malformed('is not a data: URL (expected data:<mime>;base64,<data>)');
  const meta = url.slice(5, comma).toLowerCase();
  let payload = url.slice(comma + 1);
  const tooLarge = (): InvalidImageError =>
    new InvalidImageError({ source: 'data: URL', reason: 'too-large', detail: `is larger than ${maxBytes} bytes`, limit: maxBytes });
  if (meta.split(';').includes('base64')) {
    if (payload.includes('%')) {
      try {
        payload = decodeURIComponent(payload);
      } catch (cause) {
        throw malformed('has a malformed %XX escape', cause);
      }
    }
    payload = payload.replace(/[\s]+/g, '');
    if ((payload.length * 3) / 4 - 2 > maxBytes) throw tooLarge();
    if (payload.length % 4 === 1 || !(BASE64.test(payload) || BASE64URL.test(payload))) throw malformed('is not valid base64');
    return new Uint8Array(Buffer.from(payload, BASE64.test(payload) ? 'base64' : 'base64url'));
  }
  if (payload.length > 3 * maxBytes) throw tooLarge();
  const bytes = percentDecode(payload);
  if (bytes === undefined) throw malformed('has a malformed %XX escape');
  if (bytes.length > maxBytes) throw tooLarge();
  return bytes;
}

/** RFC 3986 percent-decoding to bytes (`%89` is the byte 0x89, not UTF-8); `undefined` for a bad escape. */
function percentDecode(text: string): Uint8Array | undefined {
  const raw = Buffer.from(text, 'utf8');
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x25) {
      out[n++] = raw[i];
      continue;
    }
    const hex = raw.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    out[n++] = Number.parseInt(hex, 16);
    i += 2;
  }
  return out.subarray(0, n);
}
