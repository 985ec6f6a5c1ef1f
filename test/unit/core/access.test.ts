// Unit tests of src/core/access.ts: access.json (DESIGN §2) written canonically (keys sorted,
// members by id, history by epoch, trailing newline) and parsed strictly (anything malformed: exit 4).
import { describe, expect, it } from 'vitest';
import { type AccessFile, formatAccess, parseAccess } from '../../../src/core/access.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const ACCESS: AccessFile = {
  format: 'git-kagi/1',
  project_id: 'kgp_AAAAAAAAAAAA',
  epoch: 3,
  key_id: 'kid_FXKCWemJnTa9ppdXrnXsRA',
  history: [
    { epoch: 2, key_id: 'kid_two', sealed_key: 'c2VhbGVkMg', proof: 'cHJvb2Yy' },
    { epoch: 1, key_id: 'kid_one', sealed_key: 'c2VhbGVkMQ', proof: 'cHJvb2Yx' },
  ],
  members: [
    {
      id: 'kgm_zzzzzzzzzzzz',
      name: 'zoe',
      recipient: 'age1zoe',
      status: 'pending',
      requested_at: '2024-01-03T00:00:00.000Z',
    },
    {
      seal: 'c2VhbA',
      wrapped_key: '-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n',
      status: 'active',
      recipient: 'age1alice',
      requested_at: '2024-01-01T00:00:00.000Z',
      name: 'alice',
      id: 'kgm_aaaaaaaaaaaa',
      approved_by: 'kgm_aaaaaaaaaaaa',
      approved_at: '2024-01-01T00:00:00.000Z',
    },
  ],
};

function parseError(text: string): KagiError {
  try {
    parseAccess(text);
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    return error as KagiError;
  }
  throw new Error('expected parseAccess to throw');
}

/** ACCESS as JSON with one change applied, for the malformed cases. */
function variant(change: (value: Record<string, unknown>) => void): string {
  const value = JSON.parse(JSON.stringify(ACCESS)) as Record<string, unknown>;
  change(value);
  return JSON.stringify(value);
}

function firstMember(value: Record<string, unknown>): Record<string, unknown> {
  return (value.members as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
}

describe('formatAccess', () => {
  const text = formatAccess(ACCESS);

  it('sorts members by id and history by epoch', () => {
    const value = JSON.parse(text) as AccessFile;
    expect(value.members.map((m) => m.id)).toEqual(['kgm_aaaaaaaaaaaa', 'kgm_zzzzzzzzzzzz']);
    expect(value.history.map((h) => h.epoch)).toEqual([1, 2]);
  });

  it('sorts keys at every level, indents by two spaces and ends with a newline', () => {
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "epoch": 3,\n  "format": "git-kagi/1",\n  "history": [\n')).toBe(
      true,
    );
    const topKeys = [...text.matchAll(/^ {2}"([a-z_]+)":/gm)].map((m) => m[1]);
    expect(topKeys).toEqual(['epoch', 'format', 'history', 'key_id', 'members', 'project_id']);
    const memberKeys = [...text.matchAll(/^ {6}"([a-z_]+)":/gm)].map((m) => m[1]);
    // History entries (4 keys each) then the active member (9 keys) then the pending one (5).
    expect(memberKeys.slice(8, 17)).toEqual([
      'approved_at',
      'approved_by',
      'id',
      'name',
      'recipient',
      'requested_at',
      'seal',
      'status',
      'wrapped_key',
    ]);
  });

  it('gives the same bytes for the same content in any order', () => {
    const shuffled: AccessFile = {
      ...ACCESS,
      members: [...ACCESS.members].reverse(),
      history: [...ACCESS.history].reverse(),
    };
    expect(formatAccess(shuffled)).toBe(text);
  });

  it('does not reorder the caller’s arrays', () => {
    const copy = structuredClone(ACCESS);
    formatAccess(copy);
    expect(copy).toEqual(ACCESS);
  });
});

describe('parseAccess', () => {
  it('round-trips: parse(format(x)) formats to the same bytes', () => {
    const text = formatAccess(ACCESS);
    const parsed = parseAccess(text);
    expect(formatAccess(parsed)).toBe(text);
    expect(parsed.members.find((m) => m.id === 'kgm_zzzzzzzzzzzz')).toEqual(ACCESS.members[0]);
    expect(parsed.members.find((m) => m.id === 'kgm_aaaaaaaaaaaa')).toEqual(ACCESS.members[1]);
  });

  it('keeps pending members without seal or wrapped key', () => {
    const pending = parseAccess(formatAccess(ACCESS)).members.find((m) => m.status === 'pending');
    expect(pending).toBeDefined();
    expect(pending?.seal).toBeUndefined();
    expect(pending?.wrapped_key).toBeUndefined();
  });

  it.each<[string, (v: Record<string, unknown>) => void]>([
    ['another format', (v) => Object.assign(v, { format: 'git-kagi/2' })],
    ['no format', (v) => delete v.format],
    ['a bad project id', (v) => Object.assign(v, { project_id: 'kgp_short' })],
    ['epoch 0', (v) => Object.assign(v, { epoch: 0 })],
    ['a fractional epoch', (v) => Object.assign(v, { epoch: 1.5 })],
    ['an epoch as a string', (v) => Object.assign(v, { epoch: '3' })],
    ['a key id without kid_', (v) => Object.assign(v, { key_id: 'FXKCWemJnTa9ppdXrnXsRA' })],
    ['no history', (v) => delete v.history],
    ['members as an object', (v) => Object.assign(v, { members: {} })],
    [
      'a history entry without proof',
      (v) => delete (v.history as Array<Record<string, unknown>>)[0]?.proof,
    ],
    ['a null history entry', (v) => Object.assign(v, { history: [null] })],
    ['a member with a bad id', (v) => Object.assign(firstMember(v), { id: 'kgm_x' })],
    ['a member with an unknown status', (v) => Object.assign(firstMember(v), { status: 'admin' })],
    [
      'a member without an age recipient',
      (v) => Object.assign(firstMember(v), { recipient: 'ssh-ed25519 AAAA' }),
    ],
    ['a member without requested_at', (v) => delete firstMember(v).requested_at],
    ['a numeric seal', (v) => Object.assign(firstMember(v), { seal: 42 })],
    ['a member listed twice', (v) => (v.members as unknown[]).push(firstMember(v))],
    ['a null member', (v) => Object.assign(v, { members: [null] })],
  ])('rejects %s with exit 4 naming the file', (_what, change) => {
    const error = parseError(variant(change));
    expect(error.exitCode).toBe(EXIT.integrity);
    expect(error.message).toContain('.kagi/access.json');
  });

  it.each([
    ['invalid JSON', '{"format": "git-kagi/1",'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"git-kagi/1"'],
    ['empty text', ''],
  ])('rejects %s with exit 4', (_what, text) => {
    expect(parseError(text).exitCode).toBe(EXIT.integrity);
  });

  it('never quotes the file content in its error', () => {
    const text = formatAccess(ACCESS).replace('"epoch": 3', '"epoch": canary-Kq7zX9wP3Jv5');
    const error = parseError(text);
    expect(error.exitCode).toBe(EXIT.integrity);
    expect(`${error.message}\n${error.hint ?? ''}`).not.toContain('canary');
  });

  it('drops unknown fields instead of carrying them into the next write', () => {
    const text = variant((v) => {
      v.extra = 'x';
      firstMember(v).note = 'y';
    });
    const out = formatAccess(parseAccess(text));
    expect(out).not.toContain('extra');
    expect(out).not.toContain('note');
  });
});
