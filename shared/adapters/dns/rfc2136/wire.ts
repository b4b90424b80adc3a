import { createHmac, timingSafeEqual } from 'node:crypto';

/** DNS wire pieces dns-packet does not write: an UPDATE's class NONE deletions (RFC 2136) and the TSIG record (RFC 8945). */

export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const TYPE = { TXT: 16, SOA: 6, TSIG: 250 } as const;
export const OPCODE_UPDATE = 5;

/** An uncompressed, lower-case (canonical) domain name. */
export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([Buffer.byteLength(label)]), Buffer.from(label)])), Buffer.from([0])]);
}

/** TXT RDATA: the value in character-strings of at most 255 bytes. */
export function encodeTxt(value: string): Buffer {
  const bytes = Buffer.from(value);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += 255) {
    const chunk = bytes.subarray(at, at + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

const u16 = (value: number): Buffer => {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
};

const u32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};

const u48 = (value: number): Buffer => {
  const buffer = Buffer.alloc(6);
  buffer.writeUIntBE(value, 0, 6);
  return buffer;
};

/** One resource record: owner, type, class, TTL, RDATA. */
export const encodeRecord = (owner: string, type: number, klass: number, ttl: number, rdata: Buffer): Buffer =>
  Buffer.concat([encodeName(owner), u16(type), u16(klass), u32(ttl), u16(rdata.length), rdata]);

/**
 * An UPDATE message (RFC 2136 section 2): the zone section names the zone (class IN, type SOA), no prerequisites,
 * and the update section as given.
 */
export function encodeUpdate(id: number, zone: string, updates: readonly Buffer[]): Buffer {
  const header = Buffer.concat([u16(id), u16(OPCODE_UPDATE << 11), u16(1), u16(0), u16(updates.length), u16(0)]);
  return Buffer.concat([header, encodeName(zone), u16(TYPE.SOA), u16(CLASS.IN), ...updates]);
}

/** HMAC algorithms of RFC 8945 section 6, by the names BIND's `tsig-keygen -a` and nsupdate use. */
const ALGORITHMS: Readonly<Record<string, string>> = {
  'hmac-sha1': 'sha1',
  'hmac-sha224': 'sha224',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

export const tsigAlgorithm = (name: string): string | undefined => ALGORITHMS[name.toLowerCase().replace(/\.$/, '')];

export interface TsigKey {
  name: string;
  /** `hmac-sha256` and the like. */
  algorithm: string;
  /** Base64, as in a BIND key file. */
  secret: string;
}

export interface SignedMessage {
  message: Buffer;
  /** The request MAC: a signed response's MAC covers it (RFC 8945 section 5.3). */
  mac: Buffer;
}

/** The TSIG variables of RFC 8945 section 4.3.3 (key name, class, TTL, algorithm, time, fudge, error, other). */
const tsigVariables = (key: TsigKey, timeSigned: number, fudge: number, error: number): Buffer =>
  Buffer.concat([encodeName(key.name), u16(CLASS.ANY), u32(0), encodeName(key.algorithm), u48(timeSigned), u16(fudge), u16(error), u16(0)]);

const hmac = (key: TsigKey, ...parts: Buffer[]): Buffer => {
  const digest = tsigAlgorithm(key.algorithm);
  if (!digest) throw new Error(`Unknown TSIG algorithm ${key.algorithm}`);
  const mac = createHmac(digest, Buffer.from(key.secret, 'base64'));
  for (const part of parts) mac.update(part);
  return mac.digest();
};

/** Appends a TSIG record signing the message (RFC 8945 section 4.3): HMAC over the message and the TSIG variables. */
export function signMessage(message: Buffer, key: TsigKey, nowSeconds: number, fudge = 300): SignedMessage {
  const mac = hmac(key, message, tsigVariables(key, nowSeconds, fudge, 0));
  const id = message.readUInt16BE(0);
  const rdata = Buffer.concat([encodeName(key.algorithm), u48(nowSeconds), u16(fudge), u16(mac.length), mac, u16(id), u16(0), u16(0)]);
  const signed = Buffer.concat([message, encodeRecord(key.name, TYPE.TSIG, CLASS.ANY, 0, rdata)]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: signed, mac };
}

/** Skips an owner name (compressed or not) and returns the offset after it. */
function skipName(buffer: Buffer, offset: number): number {
  let at = offset;
  for (;;) {
    const length = buffer.readUInt8(at);
    if (length === 0) return at + 1;
    if ((length & 0xc0) === 0xc0) return at + 2;
    at += length + 1;
  }
}

/** Where each record starts, section by section, so the TSIG record (the last additional) can be split off. */
function lastRecordOffset(buffer: Buffer): number | null {
  const counts = [4, 6, 8, 10].map((at) => buffer.readUInt16BE(at));
  let at = 12;
  for (let q = 0; q < (counts[0] ?? 0); q += 1) at = skipName(buffer, at) + 4;
  const records = (counts[1] ?? 0) + (counts[2] ?? 0) + (counts[3] ?? 0);
  let last: number | null = null;
  for (let r = 0; r < records; r += 1) {
    last = at;
    at = skipName(buffer, at);
    at += 10 + buffer.readUInt16BE(at + 8);
  }
  return last;
}

export interface ResponseSignature {
  /** The TSIG error of the response (0 none, 16 BADSIG, 17 BADKEY, 18 BADTIME), or null when it carries no TSIG. */
  error: number | null;
  /** Whether its MAC proves it came from a holder of the key (RFC 8945 section 5.3). */
  valid: boolean;
}

/** Checks a response's TSIG against the request's MAC. */
export function verifyResponse(response: Buffer, key: TsigKey, requestMac: Buffer): ResponseSignature {
  const additionals = response.readUInt16BE(10);
  const start = additionals > 0 ? lastRecordOffset(response) : null;
  if (start === null) return { error: null, valid: false };
  const rdataAt = skipName(response, start);
  if (response.readUInt16BE(rdataAt) !== TYPE.TSIG) return { error: null, valid: false };
  let at = skipName(response, rdataAt + 10);
  const timeSigned = response.readUIntBE(at, 6);
  const fudge = response.readUInt16BE(at + 6);
  const macSize = response.readUInt16BE(at + 8);
  const mac = response.subarray(at + 10, at + 10 + macSize);
  at += 10 + macSize;
  const originalId = response.readUInt16BE(at);
  const error = response.readUInt16BE(at + 2);
  if (macSize === 0) return { error, valid: false };
  const unsigned = Buffer.from(response.subarray(0, start));
  unsigned.writeUInt16BE(additionals - 1, 10);
  unsigned.writeUInt16BE(originalId, 0);
  const expected = hmac(key, u16(requestMac.length), requestMac, unsigned, tsigVariables(key, timeSigned, fudge, error));
  return { error, valid: expected.length === mac.length && timingSafeEqual(expected, mac) };
}
