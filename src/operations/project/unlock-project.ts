// Unlocking the root key from the first key source that applies (DESIGN §3), with the device's pin
// checked before any key is trusted; and the member rules that depend on the key.
import type { AccessFile, Member } from '../../core/access.js';
import { isProjectKeyVariable, type KeyVariable } from '../../core/key-variables.js';
import { identityToRecipient, parseIdentityFile, unwrapRootKey } from '../../crypto/age.js';
import { openHistoryKey, verifyKeyChain } from '../../crypto/history.js';
import {
  deriveProjectKeys,
  formatRootKey,
  type ProjectKeys,
  parseRootKeyHex,
} from '../../crypto/keys.js';
import { verifySeal } from '../../crypto/seal.js';
import { integrityError, KagiError, noAccessError } from '../../errors.js';
import { readTextOrNull } from '../../io/atomic-file.js';
import {
  type Pin,
  readCachedKey,
  readDeviceIdentityFile,
  readPin,
  resolveKagiHome,
  writeCachedKey,
  writePin,
} from '../../io/kagi-home.js';
import type { Runtime } from '../../runtime.js';
import { findMemberByRecipient, type Project, readProject } from './read-project.js';

export type KeySourceKind = KeyVariable | 'device';

export interface Unlocked {
  keys: ProjectKeys;
  source: { kind: KeySourceKind; detail: string };
  /** The member this key source belongs to; null for a project key. */
  member: Member | null;
  /** Why this state may be read but not written (older than the pinned epoch), or null. */
  readOnly: string | null;
}

export async function unlockProject(rt: Runtime, project: Project): Promise<Unlocked> {
  const { access } = project;
  const home = resolveKagiHome(rt.env);
  const projectKey = await readProjectKeyEnv(rt);
  if (projectKey) {
    const keys = deriveProjectKeys(projectKey.root);
    if (keys.keyId !== access.key_id) {
      throw noAccessError(
        `${projectKey.kind} is not the current key of project ${access.project_id} (epoch ${access.epoch})`,
        'the key was rotated or belongs to another project: put the current project key in your secret store, or use a machine identity (`KAGI_IDENTITY_FILE`), which survives rotations',
      );
    }
    return {
      keys,
      source: { kind: projectKey.kind, detail: 'environment' },
      member: null,
      readOnly: null,
    };
  }

  const fromEnv = await readIdentityEnv(rt);
  const pin = await readPin(home, access.project_id);
  let keys: ProjectKeys | null = null;
  let member: Member | null = null;
  let unwrapped = false;
  let source: Unlocked['source'];
  if (fromEnv) {
    source = {
      kind: fromEnv.kind,
      detail:
        fromEnv.kind === 'KAGI_IDENTITY_FILE' ? (rt.env.KAGI_IDENTITY_FILE ?? '') : 'environment',
    };
    ({ keys, member } = await unwrapWithIdentity(project, fromEnv.identity, fromEnv.kind));
  } else {
    source = { kind: 'device', detail: home };
    const cached = parseRootKeyHex((await readCachedKey(home, access.project_id)) ?? '');
    const cachedKeys = cached && deriveProjectKeys(cached);
    if (cachedKeys && cachedKeys.keyId === access.key_id) {
      keys = cachedKeys;
      member = access.members.find((m) => m.id === pin?.member_id && m.status === 'active') ?? null;
    } else {
      const text = await readDeviceIdentityFile(home);
      const identity = text === null ? null : parseIdentityFile(text);
      if (!identity) {
        throw noAccessError(
          `this device has no git-kagi identity (${home})`,
          'run `git kagi join --name <you>` and ask an active member to approve you; in CI set KAGI_PROJECT_KEY or KAGI_IDENTITY_FILE',
        );
      }
      ({ keys, member } = await unwrapWithIdentity(project, identity, 'device'));
      unwrapped = true;
    }
  }
  const readOnly = await checkPin(
    home,
    pin,
    access,
    keys,
    source.kind === 'device' ? member?.id : undefined,
  );
  // Cached only once the pin trusts it, and never an older epoch's key over the current one.
  if (unwrapped && readOnly === null) {
    await writeCachedKey(home, access.project_id, formatRootKey(keys.root)).catch(() => {});
  }
  return { keys, source, member, readOnly };
}

/** Writes refuse a state older than the device's pin (DESIGN §3): it could re-admit a removed member. */
export function assertWritable(unlocked: Unlocked): void {
  if (unlocked.readOnly) {
    throw new KagiError('stale-state', unlocked.readOnly, {
      hint: 'pull or check out the latest .kagi/ before changing secrets',
    });
  }
}

/** The key ids of earlier epochs, learned from a history this key opens (for older checkouts). */
async function collectKnownKeyIds(
  access: AccessFile,
  keys: ProjectKeys,
): Promise<Record<string, string>> {
  const known: Record<string, string> = { [access.epoch]: keys.keyId };
  if (access.history.length === 0) return known;
  for (const entry of access.history) {
    try {
      openHistoryKey(keys, access.project_id, entry);
      known[entry.epoch] = entry.key_id;
    } catch {}
  }
  return known;
}

async function checkPin(
  home: string,
  pin: Pin | null,
  access: AccessFile,
  keys: ProjectKeys,
  memberId: string | undefined,
): Promise<string | null> {
  // A pin that cannot be written (read-only home in CI) only means the next run trusts on first use.
  const remember = async () =>
    writePin(home, access.project_id, {
      epoch: access.epoch,
      key_id: keys.keyId,
      member_id: memberId ?? pin?.member_id,
      known: await collectKnownKeyIds(access, keys),
    }).catch(() => {});
  if (!pin) {
    await remember();
    return null;
  }
  if (pin.key_id === keys.keyId && pin.epoch === access.epoch) {
    if (memberId !== undefined && pin.member_id !== memberId) await remember();
    return null;
  }
  if (access.epoch < pin.epoch) {
    // An older checkout is fine to read, unless its key is not the one that epoch really had.
    const expected = pin.known?.[access.epoch];
    if (expected === undefined || expected === keys.keyId) {
      return `this checkout's .kagi/ is at key epoch ${access.epoch}, but this device has already seen epoch ${pin.epoch}`;
    }
  } else {
    if (access.epoch > pin.epoch && verifyKeyChain(access, keys, pin.epoch, pin.key_id)) {
      await remember();
      return null;
    }
  }
  throw integrityError(
    `the root key of project ${access.project_id} does not descend from the key this device trusts (epoch ${pin.epoch}): the key may have been substituted`,
    'do not use this checkout; compare .kagi/access.json with a teammate and inspect its git history',
  );
}

/** A key given directly in `direct`, or in the file its `_FILE` twin names; null for neither. */
async function readKeyVariable(
  rt: Runtime,
  direct: 'KAGI_PROJECT_KEY' | 'KAGI_IDENTITY',
): Promise<{ kind: KeyVariable; text: string } | null> {
  const value = rt.env[direct];
  if (value) return { kind: direct, text: value };
  const kind = `${direct}_FILE` as const;
  const file = rt.env[kind];
  if (!file) return null;
  const text = await readTextOrNull(file);
  if (text === null) throw noAccessError(`${kind} names ${file}, which does not exist`);
  return { kind, text };
}

async function readProjectKeyEnv(
  rt: Runtime,
): Promise<{ kind: KeySourceKind; root: Uint8Array } | null> {
  const given = await readKeyVariable(rt, 'KAGI_PROJECT_KEY');
  if (!given) return null;
  const { kind } = given;
  const root = parseRootKeyHex(given.text);
  if (!root) {
    throw new KagiError('bad-key', `${kind} is not a project key`, {
      hint: 'a project key is 64 hexadecimal characters',
    });
  }
  return { kind, root };
}

async function readIdentityEnv(
  rt: Runtime,
): Promise<{ kind: KeySourceKind; identity: string } | null> {
  const given = await readKeyVariable(rt, 'KAGI_IDENTITY');
  if (!given) return null;
  const { kind } = given;
  const identity = parseIdentityFile(given.text);
  if (!identity) {
    throw new KagiError('bad-identity', `${kind} holds no age identity`, {
      hint: 'an identity is a line starting with AGE-SECRET-KEY-1 (as age-keygen writes)',
    });
  }
  return { kind, identity };
}

async function unwrapWithIdentity(
  project: Project,
  identity: string,
  kind: KeySourceKind,
): Promise<{ keys: ProjectKeys; member: Member }> {
  const { access } = project;
  const recipient = await identityToRecipient(identity);
  const member = findMemberByRecipient(access, recipient);
  const who = kind === 'device' ? 'this device' : `the identity in ${kind}`;
  if (!member) {
    throw noAccessError(
      `${who} is not a member of project ${access.project_id}`,
      'run `git kagi join --name <you>`, commit, push, and ask an active member to approve you',
    );
  }
  if (member.status === 'pending') {
    throw noAccessError(
      `${who} (${member.id}) is waiting for approval`,
      `ask an active member to run \`git kagi member approve ${member.id}\`, then pull`,
    );
  }
  if (member.status === 'removed' || !member.wrapped_key) {
    throw noAccessError(`${who} (${member.id}) was removed from project ${access.project_id}`);
  }
  const root = await unwrapRootKey(
    member.wrapped_key,
    identity,
    `the wrapped key of member ${member.id}`,
  );
  const keys = deriveProjectKeys(root);
  if (
    keys.keyId !== access.key_id ||
    !verifySeal(keys.seal, access.project_id, access.epoch, member)
  ) {
    throw integrityError(
      `the key wrapped for member ${member.id} is not the project's current key, or the entry's seal does not verify`,
      'someone may have tampered with .kagi/access.json; compare it with a teammate and inspect its git history',
    );
  }
  return { keys, member };
}

/** The age identity behind a key source, for wrapping to oneself (the rotation journal). */
export async function readOwnIdentity(rt: Runtime, unlocked: Unlocked): Promise<string | null> {
  if (isProjectKeyVariable(unlocked.source.kind)) return null;
  if (unlocked.source.kind !== 'device') return (await readIdentityEnv(rt))?.identity ?? null;
  const text = await readDeviceIdentityFile(resolveKagiHome(rt.env));
  return text === null ? null : parseIdentityFile(text);
}

/** Remembers a new current key on this device (cache and pin) after a rotation. */
export async function rememberKey(
  rt: Runtime,
  access: AccessFile,
  unlocked: Unlocked,
  root: Uint8Array,
): Promise<void> {
  const home = resolveKagiHome(rt.env);
  const device = unlocked.source.kind === 'device';
  const keys = deriveProjectKeys(root);
  // Losing the cache only costs speed, never a value: a rotation that finished stays finished.
  if (device) await writeCachedKey(home, access.project_id, formatRootKey(root)).catch(() => {});
  await writePin(home, access.project_id, {
    epoch: access.epoch,
    key_id: keys.keyId,
    member_id: device ? unlocked.member?.id : undefined,
    known: await collectKnownKeyIds(access, keys),
  }).catch(() => {});
}

/**
 * Under the write lock, re-reads the project and checks it is still at the key this command
 * unlocked (another process may have rotated meanwhile).
 */
export async function readProjectUnderLock(rt: Runtime, unlocked: Unlocked): Promise<Project> {
  const fresh = await readProject(rt);
  if (fresh.access.key_id !== unlocked.keys.keyId) {
    throw new KagiError('key-changed', 'the project key changed while this command was waiting', {
      hint: 'run the command again',
    });
  }
  return fresh;
}
