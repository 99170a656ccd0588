/**
 * Readers for the Teams package tests, written from the formats rather than with the code under
 * test: a ZIP reader (end record → central directory → local headers, CRC checked), a PNG reader
 * (chunks and their CRCs, all five row filters), and the Teams manifest JSON schema validator
 * for the version a manifest declares, from @microsoft/app-manifest (offline).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { crc32, inflateRawSync, inflateSync } from 'node:zlib';
import AjvModule from 'ajv-draft-04';
import formatsModule from 'ajv-formats';

// Both are CommonJS with `exports.default`; this reads the same under Node and under Vitest.
const Ajv = AjvModule.default;
const addFormats = formatsModule.default;

export type ZipFile = { name: string; method: number; data: Buffer };

export function readZip(zip: Buffer): ZipFile[] {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: ZipFile[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`no central directory header at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`no local header for ${name}`);
    if (zip.toString('utf8', local + 30, local + 30 + zip.readUInt16LE(local + 26)) !== name) throw new Error(`local name differs for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    const data = method === 8 ? inflateRawSync(body) : method === 0 ? Buffer.from(body) : null;
    if (!data) throw new Error(`${name}: unsupported method ${method}`);
    if (data.length !== size || crc32(data) >>> 0 !== crc) throw new Error(`${name}: size or CRC mismatch`);
    files.push({ name, method, data });
    at += 46 + skip;
  }
  return files;
}

export type Png = { width: number; height: number; bitDepth: number; colorType: number; interlace: number; pixels: Buffer };

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function readPng(png: Buffer): Png {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let at = 8;
  let header: Omit<Png, 'pixels'> | null = null;
  const idat: Buffer[] = [];
  for (;;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (crc32(png.subarray(at + 4, at + 8 + length)) >>> 0 !== png.readUInt32BE(at + 8 + length)) throw new Error(`${type}: bad CRC`);
    if (type === 'IHDR') header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8]!, colorType: body[9]!, interlace: body[12]! };
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (!header) throw new Error('no IHDR');
  const bpp = CHANNELS[header.colorType];
  if (header.bitDepth !== 8 || header.interlace !== 0 || !bpp) throw new Error('only 8-bit non-interlaced grey/RGB/RGBA is read here');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = header.width * bpp;
  const pixels = Buffer.alloc(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= bpp ? pixels[y * stride + x - bpp]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`bad filter ${filter}`);
      pixels[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  return { ...header, pixels };
}

const schemaRoot = path.join(path.dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json')), 'build/json-schemas/teams');

/** The schema file of a manifest's `$schema` URL (…/teams/v1.30/MicrosoftTeams.schema.json), from node_modules. */
export function schemaFileFor(schemaUrl: unknown): string {
  const version = /\/teams\/(v\d+\.\d+)\/MicrosoftTeams\.schema\.json$/.exec(String(schemaUrl))?.[1];
  if (!version) throw new Error(`not a Teams manifest schema URL: ${String(schemaUrl)}`);
  const file = path.join(schemaRoot, version, 'MicrosoftTeams.schema.json');
  if (!existsSync(file)) throw new Error(`@microsoft/app-manifest has no schema ${version}`);
  return file;
}

export function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
}

// Compiling a schema takes a while; each test file compiles each version once.
const validators = new Map<string, ReturnType<InstanceType<typeof Ajv>['compile']>>();

/**
 * Validates a manifest against the schema of the version it declares; returns the errors as
 * `path: message` lines (empty when valid). The schemas are draft-04 and use `format: uri`;
 * they are not written for Ajv's strict mode (e.g. `additionalProperties` without `type`).
 */
export function manifestSchemaErrors(manifest: Record<string, unknown>): string[] {
  const file = schemaFileFor(manifest.$schema);
  let validate = validators.get(file);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(loadSchema(file));
    validators.set(file, validate);
  }
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
