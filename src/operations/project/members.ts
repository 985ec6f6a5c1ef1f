// The member rules (DESIGN §4), each in one place: what makes an entry active (the root key wrapped
// to its recipient alone, then the seal), who may change the members, and what an entry sealed
// under an older epoch is: approved before a rotation, put back after a removal, or forged.
import { type Member, parseAccess } from '../../core/access.js';
import { wrapRootKey } from '../../crypto/age.js';
import type { ProjectKeys } from '../../crypto/keys.js';
import { computeSeal, verifySeal } from '../../crypto/seal.js';
import { noAccessError } from '../../errors.js';
import { type Repository, runGit } from '../../io/git.js';
import { readBlobs } from '../../io/git-objects.js';
import { withHistory } from './merge-keys.js';
import type { Project } from './read-project.js';
import type { Unlocked } from './unlock-project.js';

/**
 * Seals `member` at `epoch` under `keys`: an active entry first gets the root key wrapped to its
 * recipient alone; any other entry loses the wrap it had.
 */
export async function sealMember(
  member: Member,
  keys: ProjectKeys,
  projectId: string,
  epoch: number,
): Promise<Member> {
  if (member.status === 'active')
    member.wrapped_key = await wrapRootKey(keys.root, member.recipient);
  else delete member.wrapped_key;
  member.seal = computeSeal(keys.seal, projectId, epoch, member);
  return member;
}

/** Approving, adding and removing members is for active members whose own seal verifies. */
export function requireActiveMember(project: Project, unlocked: Unlocked): Member {
  const member = unlocked.member;
  const { access } = project;
  if (
    member?.status !== 'active' ||
    !verifySeal(unlocked.keys.seal, access.project_id, access.epoch, member)
  ) {
    throw noAccessError(
      'only an active member can change the members of a project',
      unlocked.member === null && unlocked.source.kind !== 'device'
        ? `${unlocked.source.kind} is a project key, not a member; run this on a member's device`
        : 'ask an active member to do it',
    );
  }
  return member;
}

/** What an entry whose seal does not verify at the current epoch is. */
export type StaleEntry =
  /** Sealed under no epoch: nobody holding the key made it (forged, or edited by hand). */
  | { kind: 'forged' }
  /** An approval from before a rotation whose member was removed since: never re-wrapped. */
  | { kind: 'removed-since'; epoch: number }
  /** Approved (or removed) by a key holder on a branch made before a rotation: re-wrap it. */
  | { kind: 'before-rotation'; epoch: number };

/**
 * The approved and removed entries of `project` whose seal does not verify at its epoch, each
 * classified against the keys this device holds (the current one and its history).
 */
export async function findStaleEntries(
  project: Project,
  keys: ProjectKeys,
): Promise<Array<{ member: Member; stale: StaleEntry }>> {
  const { access } = project;
  const removed = removedMembersOnce(project.repo);
  const found: Array<{ member: Member; stale: StaleEntry }> = [];
  for (const member of access.members) {
    if (
      member.status === 'pending' ||
      verifySeal(keys.seal, access.project_id, access.epoch, member)
    )
      continue;
    const epoch = findSealEpoch(project, keys, member);
    let stale: StaleEntry;
    if (epoch === null) stale = { kind: 'forged' };
    else if (await wasRemovedSince(member, removed)) stale = { kind: 'removed-since', epoch };
    else stale = { kind: 'before-rotation', epoch };
    found.push({ member, stale });
  }
  return found;
}

/** A lazy, once-only `findRemovedMembers`: it reads every commit's access.json. */
export function removedMembersOnce(repo: Repository): () => Promise<ReadonlySet<string>> {
  let removed: Promise<Set<string>> | undefined;
  return () => {
    removed ??= findRemovedMembers(repo);
    return removed;
  };
}

/** Which epoch, if any, a member's seal verifies under (the current one first). */
function findSealEpoch(project: Project, keys: ProjectKeys, member: Member): number | null {
  const { access } = project;
  const all = withHistory(access, keys);
  for (let epoch = access.epoch; epoch >= 1; epoch--) {
    const k = all.forEpoch(epoch);
    if (k && verifySeal(k.seal, access.project_id, epoch, member)) return epoch;
  }
  return null;
}

/**
 * Ids and recipients of every member that any commit's access.json records as removed. An entry
 * approved before a rotation is only re-wrapped when its member was never removed since: else
 * pasting an old "active" entry back would re-admit a removed member.
 */
async function findRemovedMembers(repo: Repository): Promise<Set<string>> {
  const log = await runGit(
    ['log', '--all', '--format=%H', '--', '.kagi/access.json'],
    repo.root,
    true,
  );
  const commits = log.code === 0 ? log.stdout.split('\n').filter((c) => c !== '') : [];
  const blobs = await readBlobs(
    repo.root,
    commits.map((c) => `${c}:.kagi/access.json`),
  );
  const removed = new Set<string>();
  for (const text of blobs.values()) {
    if (text === null) continue;
    try {
      for (const m of parseAccess(text).members) {
        if (m.status === 'removed') {
          removed.add(m.id);
          removed.add(m.recipient);
        }
      }
    } catch {}
  }
  return removed;
}

/** An active entry whose member (id or recipient) some commit records as removed. */
export async function wasRemovedSince(
  member: Member,
  removed: () => Promise<ReadonlySet<string>>,
): Promise<boolean> {
  if (member.status !== 'active') return false;
  const ids = await removed();
  return ids.has(member.id) || ids.has(member.recipient);
}
