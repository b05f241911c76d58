import { closeSync, openSync, writeSync } from 'node:fs';

/** A metadata value: strings, numbers with an explicit GGUF type, or an array of strings. */
export type GgufValue =
  | { type: 'string'; value: string }
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'i32[]'; value: readonly number[] };

/** A tensor to write: ggml type id, ggml extents (fastest first), its encoded size, and how to encode it. */
export interface GgufTensor {
  name: string;
  ggmlType: number;
  ne: readonly number[];
  byteLength: number;
  /** The encoded bytes (`byteLength` of them), produced when the tensor's turn comes (one tensor in memory at a time). */
  encode(): Promise<Uint8Array>;
}

const ALIGN = 32;
const TYPE_ID = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

/** Little-endian byte sink with GGUF's string encoding (u64 length + UTF-8). */
class Sink {
  private parts: Buffer[] = [];
  size = 0;
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }
  take(): Buffer {
    const out = Buffer.concat(this.parts);
    this.parts = [];
    return out;
  }
}

/**
 * Writes a GGUF v3 file (the llama.cpp model format): header, metadata key/values, tensor infos, then the tensor data,
 * each tensor aligned to 32 bytes. Tensors are encoded one at a time, in order. Internal to the benchmark.
 */
export async function writeGguf(path: string, metadata: Readonly<Record<string, GgufValue>>, tensors: readonly GgufTensor[]): Promise<void> {
  const s = new Sink();
  s.push(Buffer.from('GGUF', 'ascii'));
  s.u32(3);
  s.u64(tensors.length);
  s.u64(Object.keys(metadata).length);
  for (const [key, v] of Object.entries(metadata)) {
    s.str(key);
    if (v.type === 'string') {
      s.u32(TYPE_ID.string);
      s.str(v.value);
    } else if (v.type === 'u32') {
      s.u32(TYPE_ID.u32);
      s.u32(v.value);
    } else if (v.type === 'f32') {
      s.u32(TYPE_ID.f32);
      s.f32(v.value);
    } else if (v.type === 'bool') {
      s.u32(TYPE_ID.bool);
      s.push(Buffer.from([v.value ? 1 : 0]));
    } else if (v.type === 'string[]') {
      s.u32(TYPE_ID.array);
      s.u32(TYPE_ID.string);
      s.u64(v.value.length);
      for (const item of v.value) s.str(item);
    } else {
      s.u32(TYPE_ID.array);
      s.u32(TYPE_ID.i32);
      s.u64(v.value.length);
      for (const item of v.value) s.i32(item);
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    s.str(t.name);
    s.u32(t.ne.length);
    for (const d of t.ne) s.u64(d);
    s.u32(t.ggmlType);
    s.u64(offset);
    offsets.push(offset);
    offset += Math.ceil(t.byteLength / ALIGN) * ALIGN;
  }
  const pad = (n: number) => (ALIGN - (n % ALIGN)) % ALIGN;
  s.push(Buffer.alloc(pad(s.size)));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, s.take());
    for (const t of tensors) {
      const bytes = await t.encode();
      if (bytes.byteLength !== t.byteLength) throw new Error(`${t.name}: encoded ${bytes.byteLength} bytes, expected ${t.byteLength}`);
      writeSync(fd, bytes);
      const p = pad(t.byteLength);
      if (p) writeSync(fd, Buffer.alloc(p));
    }
  } finally {
    closeSync(fd);
  }
}

/** GPT-2's byte-level alphabet: the printable stand-in character of each byte (so any text tokenizes). */
export function byteLevelAlphabet(): string[] {
  const keep = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(keep(b) ? b : 256 + extra++));
  return out;
}
