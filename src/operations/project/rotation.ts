// The rotation engine (DESIGN §4): new root key, epoch + 1, every line re-encrypted, every active
// member whose seal verifies re-wrapped and re-sealed, history extended. Crash-safe: the journal is
// written first, stores next (lines already at the new epoch are skipped), access.json last; any
// command finishes an interrupted one (openProject). `git kagi rotate` is team/rotate-key.ts.

import path from 'node:path';
import {
  type AccessFile,
  formatAccess,
  type HistoryEntry,
  type Member,
} from '../../core/access.js';
import { encodeLengthPrefixed } from '../../core/length-prefixed.js';
import { formatScope, formatScopePath } from '../../core/scope.js';
import { compareTags, formatStore } from '../../core/store.js';
import { identityToRecipient, unwrapRootKey, wrapRootKey } from '../../crypto/age.js';
import { openPayload, sealPayload } from '../../crypto/envelope.js';
import { computeProof, openHistoryKey, sealHistoryKey } from '../../crypto/history.js';
import {
  computeKeyId,
  deriveProjectKeys,
  generateRootKey,
  type ProjectKeys,
} from '../../crypto/keys.js';
import { verifySeal } from '../../crypto/seal.js';
import { decryptSecret, encryptSecret } from '../../crypto/secret-line.js';
import { integrityError, KagiError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import {
  deleteJournal,
  type RotationJournal,
  readJournal,
  writeJournal,
} from '../../io/journal.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { sealMember } from './members.js';
import {
  listScopes,
  type Project,
  readProject,
  readStoreLines,
  storePath,
} from './read-project.js';
import {
  readOwnIdentity,
  readProjectUnderLock,
  rememberKey,
  type Unlocked,
  unlockProject,
} from './unlock-project.js';

export interface RotationResult {
  epoch: number;
  keyId: string;
  rewrapped: Member[];
  removed: Member[];
  /** Active entries whose seal does not verify: not re-wrapped (DESIGN §4). */
  unsealed: Member[];
  scopes: number;
}

function journalAad(journal: RotationJournal): Uint8Array {
  return encodeLengthPrefixed([
    'git-kagi/1',
    journal.project_id,
    'journal',
    String(journal.epoch),
    journal.key_id,
  ]);
}

/**
 * Rotates the key of `project`, unlocked by `unlocked` (whose right to do it the caller checked),
 * removing the members `remove` names.
 */
export function rotateProjectKey(
  rt: Runtime,
  project: Project,
  unlocked: Unlocked,
  remove: readonly string[],
): Promise<RotationResult> {
  return withLock(project.repo.gitDir, async () => {
    const fresh = await readProjectUnderLock(rt, unlocked);
    const { access } = fresh;
    const remaining = access.members.filter(
      (m) =>
        m.status === 'active' &&
        !remove.includes(m.id) &&
        verifySeal(unlocked.keys.seal, access.project_id, access.epoch, m),
    );
    if (remaining.length === 0) {
      throw new KagiError('last-member', 'this would leave the project without an active member', {
        hint: 'approve or add another member first (`git kagi member approve`, `git kagi member add-machine`)',
      });
    }
    const root = generateRootKey();
    const journal: RotationJournal = {
      format: 'git-kagi/1',
      project_id: access.project_id,
      from_epoch: access.epoch,
      from_key_id: access.key_id,
      epoch: access.epoch + 1,
      key_id: computeKeyId(root),
      remove: [...remove],
      by: unlocked.member?.id ?? null,
      started_at: rt.now().toISOString(),
    };
    const identity = await readOwnIdentity(rt, unlocked);
    if (identity) {
      journal.wrapped_key = await wrapRootKey(root, await identityToRecipient(identity));
    } else {
      journal.sealed_key = Buffer.from(
        sealPayload(unlocked.keys.history, root, journalAad(journal)),
      ).toString('base64url');
    }
    await writeJournal(fresh.repo.gitDir, journal);
    return applyRotation(rt, fresh, unlocked, root, journal);
  });
}

/** Finishes a rotation a killed process left behind; called by openProject before anything else. */
export async function finishRotation(rt: Runtime, project: Project): Promise<void> {
  await withLock(project.repo.gitDir, async () => {
    const journal = await readJournal(project.repo.gitDir);
    if (!journal) return;
    const fresh = await readProject(rt);
    const { access } = fresh;
    if (journal.project_id !== access.project_id) return;
    if (access.epoch === journal.epoch && access.key_id === journal.key_id) {
      await deleteJournal(fresh.repo.gitDir);
      return;
    }
    if (access.epoch !== journal.from_epoch || access.key_id !== journal.from_key_id) {
      rt.notice(
        `warning: an interrupted key rotation (epoch ${journal.from_epoch} → ${journal.epoch}) does not match this checkout (epoch ${access.epoch}); it stays pending`,
      );
      return;
    }
    rt.notice(
      `Finishing an interrupted key rotation (epoch ${journal.from_epoch} → ${journal.epoch})…`,
    );
    const unlocked = await unlockProject(rt, fresh);
    let root: Uint8Array | null = null;
    if (journal.wrapped_key) {
      const identity = await readOwnIdentity(rt, unlocked);
      if (!identity) {
        throw new KagiError(
          'journal-identity',
          'the interrupted rotation was started by an identity that is not available here',
          {
            hint: 'run git kagi with the same KAGI_HOME or KAGI_IDENTITY that started the rotation',
          },
        );
      }
      root = await unwrapRootKey(journal.wrapped_key, identity, 'the rotation journal');
    } else if (journal.sealed_key) {
      root = openPayload(
        unlocked.keys.history,
        new Uint8Array(Buffer.from(journal.sealed_key, 'base64url')),
        journalAad(journal),
      );
    }
    if (!root || computeKeyId(root) !== journal.key_id)
      throw integrityError('the rotation journal does not hold the key it names');
    await applyRotation(rt, fresh, unlocked, root, journal);
    rt.notice(`Key rotation finished: epoch ${journal.epoch}.`);
  });
}

async function applyRotation(
  rt: Runtime,
  project: Project,
  unlocked: Unlocked,
  root: Uint8Array,
  journal: RotationJournal,
): Promise<RotationResult> {
  const oldKeys = unlocked.keys;
  const newKeys = deriveProjectKeys(root);
  const { access } = project;
  const from = { projectId: access.project_id, epoch: journal.from_epoch };
  const to = { projectId: access.project_id, epoch: journal.epoch };
  // Past the journal a failed write leaves the rotation half done, not "nothing was changed".
  const finishLater = (error: unknown) => {
    throw describeUnfinished(error, journal);
  };
  const scopes = listScopes(project);
  for (const scope of scopes) {
    const name = formatScope(scope);
    const where = `.kagi/${formatScopePath(scope)}`;
    const lines = await readStoreLines(project, scope);
    if (lines.every((l) => l.epoch === journal.epoch)) continue;
    const rotated = lines.map((line) => {
      if (line.epoch === journal.epoch) return line;
      const record = decryptSecret(oldKeys.env(scope.env), { ...from, scope: name }, line, where);
      return encryptSecret(newKeys.env(scope.env), { ...to, scope: name }, record);
    });
    // Tags depend on the env key, so the order changes with the key.
    rotated.sort(compareTags);
    await writeFileAtomic(storePath(project, scope), formatStore(name, rotated)).catch(finishLater);
  }
  const next = await buildRotatedAccess(access, oldKeys, newKeys, journal);
  await writeFileAtomic(path.join(project.kagiDir, 'access.json'), formatAccess(next.access)).catch(
    finishLater,
  );
  await deleteJournal(project.repo.gitDir).catch(finishLater);
  await rememberKey(rt, next.access, unlocked, root);
  return {
    epoch: journal.epoch,
    keyId: newKeys.keyId,
    rewrapped: next.rewrapped,
    removed: next.removed,
    unsealed: next.unsealed,
    scopes: scopes.length,
  };
}

function describeUnfinished(error: unknown, journal: RotationJournal): unknown {
  if (!(error instanceof KagiError) || error.code !== 'write-failed') return error;
  return new KagiError(
    'rotation-unfinished',
    `the key rotation to epoch ${journal.epoch} is unfinished: ${error.message.replace(/; nothing was changed$/, '')}`,
    {
      hint: 'free space (or make the folder writable), then run any git kagi command: it finishes the rotation; commit .kagi/ only after that',
      cause: error,
    },
  );
}

async function buildRotatedAccess(
  access: AccessFile,
  oldKeys: ProjectKeys,
  newKeys: ProjectKeys,
  journal: RotationJournal,
) {
  const rewrapped: Member[] = [];
  const removed: Member[] = [];
  const unsealed: Member[] = [];
  const members: Member[] = [];
  for (const m of access.members) {
    const sealed = verifySeal(oldKeys.seal, access.project_id, access.epoch, m);
    if (m.status === 'pending' && !journal.remove.includes(m.id)) {
      members.push(m);
    } else if (journal.remove.includes(m.id) || (m.status === 'removed' && sealed)) {
      const entry = await sealMember(
        { ...m, status: 'removed' },
        newKeys,
        access.project_id,
        journal.epoch,
      );
      members.push(entry);
      if (journal.remove.includes(m.id)) removed.push(entry);
    } else if (m.status === 'active' && sealed) {
      const entry = await sealMember({ ...m }, newKeys, access.project_id, journal.epoch);
      members.push(entry);
      rewrapped.push(entry);
    } else {
      // An entry nobody holding the key sealed: kept for `member list` to flag, never wrapped to.
      const { wrapped_key: _dropped, ...rest } = m;
      members.push(rest);
      unsealed.push(m);
    }
  }
  const history: HistoryEntry[] = access.history.map((h) => ({
    ...h,
    sealed_key: sealHistoryKey(
      newKeys,
      access.project_id,
      h.epoch,
      openHistoryKey(oldKeys, access.project_id, h),
    ),
  }));
  history.push({
    epoch: access.epoch,
    key_id: oldKeys.keyId,
    sealed_key: sealHistoryKey(newKeys, access.project_id, access.epoch, oldKeys.root),
    proof: computeProof(oldKeys, journal.epoch, newKeys.keyId),
  });
  const next: AccessFile = {
    ...access,
    epoch: journal.epoch,
    key_id: newKeys.keyId,
    history,
    members,
  };
  return { access: next, rewrapped, removed, unsealed };
}
