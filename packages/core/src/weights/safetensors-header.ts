import { jsonSyntaxDetail } from '../config/json-syntax-detail.js';
import type { HostDType } from '../backend/host-tensor.js';
import { HOST_DTYPE_BYTES } from '../backend/host-tensor-decode.js';
import { SafetensorsFormatError, type SafetensorsProblem } from '../errors/safetensors-format-error.js';
import type { TensorInfo } from './tensor-info.js';

/** Largest JSON header accepted, in bytes (the limit of the reference implementation). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a parsed header: its {@link TensorInfo} and where its bytes lie in the data section. */
export interface SafetensorsEntry extends TensorInfo {
  /** Offset of the first byte, relative to the start of the data section. */
  readonly begin: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors by name, in header order. */
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  /** Absolute file offset of the data section (`8 + headerLength`). */
  readonly dataStart: number;
}

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Reads the 8-byte little-endian header length and checks it against the limit and the file size.
 * Returns the JSON header length.
 */
export function parseSafetensorsPrefix(prefix: Uint8Array, fileSize: number, path: string): number {
  const fail = (problem: SafetensorsProblem, detail: string) => new SafetensorsFormatError({ path, problem, detail });
  if (fileSize < 8 || prefix.byteLength < 8) throw fail('truncated-header', `the file is ${fileSize} bytes, shorter than the 8-byte length prefix`);
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw fail('header-too-large', `the header length ${length} is over the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  }
  const headerLength = Number(length);
  if (8 + headerLength > fileSize) {
    throw fail('truncated-header', `the header needs ${headerLength} bytes but the file ends after ${fileSize - 8}`);
  }
  return headerLength;
}

/**
 * Parses and validates a safetensors JSON header against the spec of huggingface/safetensors: known dtypes,
 * non-negative integer shapes, `data_offsets` consistent with dtype × shape, byte ranges that cover the data
 * section contiguously from 0 without overlaps or gaps, and a last offset equal to the end of the file.
 */
export function parseSafetensorsHeader(json: Uint8Array, fileSize: number, path: string): SafetensorsHeader {
  const fail = (problem: SafetensorsProblem, detail: string, tensor?: string, cause?: unknown) =>
    new SafetensorsFormatError({ path, problem, detail, tensor }, { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    throw fail('invalid-json', `the header is not valid UTF-8 JSON (${jsonSyntaxDetail(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('invalid-json', 'the header is not a JSON object');
  }
  const metadata: Record<string, string> = {};
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('invalid-metadata', '__metadata__ is not an object');
      for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
        if (typeof text !== 'string') throw fail('invalid-metadata', `__metadata__["${key}"] is not a string`);
        metadata[key] = text;
      }
      continue;
    }
    entries.set(name, parseEntry(name, value, fail));
  }
  const dataStart = 8 + json.byteLength;
  checkLayout(entries, fileSize - dataStart, fail);
  return { metadata, entries, dataStart };
}

type Fail = (problem: SafetensorsProblem, detail: string, tensor?: string) => SafetensorsFormatError;

function parseEntry(name: string, value: unknown, fail: Fail): SafetensorsEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('invalid-entry', 'the entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(HOST_DTYPE_BYTES, dtype)) {
    throw fail('unknown-dtype', `dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(HOST_DTYPE_BYTES).join(' ')}`, name);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
    throw fail('invalid-shape', `shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt) || offsets[0] > offsets[1]) {
    throw fail('invalid-offsets', `data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`, name);
  }
  const hostDType = dtype as HostDType;
  let elements = 1;
  for (const d of shape as number[]) elements *= d;
  const byteLength = elements * HOST_DTYPE_BYTES[hostDType];
  const [begin, end] = offsets as [number, number];
  if (!Number.isSafeInteger(byteLength) || end - begin !== byteLength) {
    throw fail('size-mismatch', `${dtype}[${(shape as number[]).join(', ')}] needs ${byteLength} bytes, data_offsets span ${end - begin}`, name);
  }
  return { dtype: hostDType, shape: [...(shape as number[])], byteLength, begin };
}

function checkLayout(entries: Map<string, SafetensorsEntry>, dataBytes: number, fail: Fail): void {
  const sorted = [...entries].sort(([, a], [, b]) => a.begin - b.begin || a.byteLength - b.byteLength);
  let expected = 0;
  for (const [name, entry] of sorted) {
    if (entry.begin < expected)
      throw fail('overlap', `bytes [${entry.begin}, ${entry.begin + entry.byteLength}) overlap the previous tensor, which ends at ${expected}`, name);
    if (entry.begin > expected) throw fail('gap', `bytes [${expected}, ${entry.begin}) before this tensor belong to no tensor`, name);
    expected = entry.begin + entry.byteLength;
  }
  if (expected > dataBytes) {
    throw fail('truncated-data', `the header describes ${expected} data bytes but the file holds ${Math.max(0, dataBytes)}`);
  }
  if (expected < dataBytes) {
    throw fail('trailing-bytes', `${dataBytes - expected} bytes follow the last tensor`);
  }
}
