// One secret ⇄ one store line (DESIGN §2): the tag hides the name, the associated data binds the
// line to its project, scope, epoch and tag, and the plaintext is padded to 32 bytes.
import { formatCompactJson } from '../core/canonical-json.js';
import { encodeLengthPrefixed } from '../core/length-prefixed.js';
import { isSecretName } from '../core/names.js';
import type { StoreLine } from '../core/store.js';
import { integrityError } from '../errors.js';
import { openPayload, sealPayload } from './envelope.js';
import { computeHmac, type EnvKeys } from './keys.js';

export const FORMAT = 'git-kagi/1';
const PAD = 32;

export interface SecretRecord {
  name: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

export interface LineContext {
  projectId: string;
  scope: string;
  epoch: number;
}

// Made on first use: building them is 0.15 ms of every start, and `run` with its scopes cached
// encrypts and decrypts no line.
let encoder: InstanceType<typeof TextEncoder> | undefined;
let decoder: InstanceType<typeof TextDecoder> | undefined;

export function computeTag(tagKey: Uint8Array, scope: string, name: string): string {
  const mac = computeHmac(tagKey, encodeLengthPrefixed([scope, name]));
  return Buffer.from(mac.subarray(0, 16)).toString('base64url');
}

export function encodeAssociatedData(ctx: LineContext, tag: string): Uint8Array {
  return encodeLengthPrefixed([FORMAT, ctx.projectId, ctx.scope, String(ctx.epoch), tag]);
}

export function padPlaintext(json: string): Uint8Array {
  encoder ??= new TextEncoder();
  const bytes = encoder.encode(json);
  const out = new Uint8Array(Math.ceil(bytes.length / PAD) * PAD || PAD);
  out.set(bytes);
  return out;
}

/** `nonce` is for known-answer tests only; real lines always draw a fresh random one. */
export function encryptSecret(
  keys: EnvKeys,
  ctx: LineContext,
  record: SecretRecord,
  nonce?: Uint8Array,
): StoreLine {
  const tag = computeTag(keys.tag, ctx.scope, record.name);
  const plaintext = padPlaintext(
    formatCompactJson({
      name: record.name,
      value: record.value,
      updated_at: record.updated_at,
      updated_by: record.updated_by,
    }),
  );
  const payload = sealPayload(keys.enc, plaintext, encodeAssociatedData(ctx, tag), nonce);
  return { tag, epoch: ctx.epoch, payload: Buffer.from(payload).toString('base64url') };
}

/** Decrypts one line; every failure is the same integrity error, naming `where` only. */
export function decryptSecret(
  keys: EnvKeys,
  ctx: LineContext,
  line: StoreLine,
  where: string,
): SecretRecord {
  const fail = (why: string, cause?: unknown) =>
    integrityError(
      `${where}: a line ${why}`,
      'the store was changed outside git kagi or copied from elsewhere; restore it from git history, or run `git kagi doctor`',
      cause,
    );
  if (line.epoch !== ctx.epoch)
    throw fail(`is at epoch ${line.epoch}, the key is at epoch ${ctx.epoch}`);
  let plaintext: Uint8Array;
  try {
    plaintext = openPayload(
      keys.enc,
      Buffer.from(line.payload, 'base64url'),
      encodeAssociatedData(ctx, line.tag),
    );
  } catch (cause) {
    throw fail('failed to decrypt', cause);
  }
  let end = plaintext.length;
  while (end > 0 && plaintext[end - 1] === 0) end--;
  let record: unknown;
  try {
    decoder ??= new TextDecoder('utf-8', { fatal: true });
    record = JSON.parse(decoder.decode(plaintext.subarray(0, end)));
  } catch {
    throw fail('decrypted to malformed data');
  }
  if (!isSecretRecord(record)) throw fail('decrypted to malformed data');
  if (computeTag(keys.tag, ctx.scope, record.name) !== line.tag)
    throw fail('has a tag that does not match its name');
  return record;
}

function isSecretRecord(value: unknown): value is SecretRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return (
    Object.keys(r).length === 4 &&
    typeof r.name === 'string' &&
    isSecretName(r.name) &&
    typeof r.value === 'string' &&
    typeof r.updated_at === 'string' &&
    typeof r.updated_by === 'string'
  );
}
