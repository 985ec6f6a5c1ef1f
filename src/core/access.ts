// access.json (DESIGN §2): members, their wrapped root keys and seals, and the key history.
// Parsing checks shape; whether a seal verifies is crypto/seal.ts.
import { integrityError } from '../errors.js';
import { formatCanonicalJson, parseJsonSafely } from './canonical-json.js';
import { MEMBER_ID, PROJECT_ID } from './names.js';

export type MemberStatus = 'pending' | 'active' | 'removed';

export interface Member {
  id: string;
  name: string;
  recipient: string;
  status: MemberStatus;
  requested_at: string;
  approved_by?: string;
  approved_at?: string;
  wrapped_key?: string;
  seal?: string;
}

export interface HistoryEntry {
  epoch: number;
  key_id: string;
  sealed_key: string;
  proof: string;
}

export interface AccessFile {
  format: 'git-kagi/1';
  project_id: string;
  epoch: number;
  key_id: string;
  history: HistoryEntry[];
  members: Member[];
}

const STATUSES: ReadonlySet<string> = new Set(['pending', 'active', 'removed']);

export function formatAccess(access: AccessFile): string {
  const members = [...access.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const history = [...access.history].sort((a, b) => a.epoch - b.epoch);
  return formatCanonicalJson({ ...access, members, history });
}

export function parseAccess(text: string, where = '.kagi/access.json'): AccessFile {
  const value = parseJsonSafely(text, where) as Record<string, unknown> | null;
  const bad = (why: string) =>
    integrityError(
      `${where} ${why}`,
      'restore it from git history; run `git kagi verify` for details',
    );
  if (!value || typeof value !== 'object') throw bad('is not an object');
  if (value.format !== 'git-kagi/1') throw bad('has an unknown format (expected git-kagi/1)');
  if (typeof value.project_id !== 'string' || !PROJECT_ID.test(value.project_id))
    throw bad('has an invalid project_id');
  if (!Number.isSafeInteger(value.epoch) || (value.epoch as number) < 1)
    throw bad('has an invalid epoch');
  if (typeof value.key_id !== 'string' || !value.key_id.startsWith('kid_'))
    throw bad('has an invalid key_id');
  if (!Array.isArray(value.history) || !Array.isArray(value.members))
    throw bad('lacks history or members');
  const history: HistoryEntry[] = value.history.map((h: Record<string, unknown>) => {
    if (
      !h ||
      !Number.isSafeInteger(h.epoch) ||
      typeof h.key_id !== 'string' ||
      typeof h.sealed_key !== 'string' ||
      typeof h.proof !== 'string'
    ) {
      throw bad('has a malformed history entry');
    }
    return { epoch: h.epoch as number, key_id: h.key_id, sealed_key: h.sealed_key, proof: h.proof };
  });
  const ids = new Set<string>();
  const members: Member[] = value.members.map((m: Record<string, unknown>) => {
    if (
      !m ||
      typeof m.id !== 'string' ||
      !MEMBER_ID.test(m.id) ||
      typeof m.name !== 'string' ||
      typeof m.recipient !== 'string' ||
      !m.recipient.startsWith('age1') ||
      typeof m.status !== 'string' ||
      !STATUSES.has(m.status) ||
      typeof m.requested_at !== 'string'
    ) {
      throw bad('has a malformed member entry');
    }
    if (ids.has(m.id)) throw bad(`lists member ${m.id} twice`);
    ids.add(m.id);
    const member: Member = {
      id: m.id,
      name: m.name,
      recipient: m.recipient,
      status: m.status as MemberStatus,
      requested_at: m.requested_at,
    };
    for (const key of ['approved_by', 'approved_at', 'wrapped_key', 'seal'] as const) {
      const v = m[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw bad(`has a malformed ${key} for member ${m.id}`);
      member[key] = v;
    }
    return member;
  });
  return {
    format: 'git-kagi/1',
    project_id: value.project_id,
    epoch: value.epoch as number,
    key_id: value.key_id,
    history,
    members,
  };
}

/**
 * A member name as it may be shown on a terminal: anyone can open a join request, so control and
 * bidirectional-override characters are replaced rather than printed.
 */
export function formatMemberName(name: string): string {
  const clean = name.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '?').slice(0, 64);
  return clean === '' ? '?' : clean;
}

/** A name a member may give themselves: printable, 1–64 characters. */
export function isMemberName(name: string): boolean {
  return (
    name.length >= 1 && name.length <= 64 && formatMemberName(name) === name && name.trim() === name
  );
}
