// The consistency checks of .kagi/ shared by pre-commit, verify and doctor (DESIGN §5). Pure: the
// caller reads the files (from the index, a commit or the work tree). Without a key it checks
// structure; with one it also decrypts every line and verifies seals and the history chain.
import { type AccessFile, parseAccess } from '../../core/access.js';
import { type KagiConfig, parseKagiConfig } from '../../core/kagi-config.js';
import { formatScope, parseScopePath } from '../../core/scope.js';
import { parseStore } from '../../core/store.js';
import { computeProof, openHistoryKey } from '../../crypto/history.js';
import { deriveProjectKeys, equalBytes, type ProjectKeys } from '../../crypto/keys.js';
import { verifySeal } from '../../crypto/seal.js';
import { decryptSecret } from '../../crypto/secret-line.js';
import { KagiError } from '../../errors.js';

export interface KagiFiles {
  config: string | null;
  access: string | null;
  /** Store files by path relative to the repository root (`.kagi/secrets/api/development.enc`). */
  stores: ReadonlyArray<{ path: string; text: string }>;
}

export interface Problem {
  file: string;
  message: string;
  fix?: string;
}

const DOCTOR = 'git kagi doctor --fix';

export function checkKagiFiles(files: KagiFiles, keys: ProjectKeys | null): Problem[] {
  const problems: Problem[] = [];
  const attempt = <T>(file: string, work: () => T): T | null => {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof KagiError)) throw error;
      problems.push({ file, message: error.message, ...(error.hint ? { fix: error.hint } : {}) });
      return null;
    }
  };
  let config: KagiConfig | null = null;
  let access: AccessFile | null = null;
  if (files.config === null)
    problems.push({ file: '.kagi/kagi.json', message: '.kagi/kagi.json is missing' });
  else config = attempt('.kagi/kagi.json', () => parseKagiConfig(files.config as string));
  if (files.access === null)
    problems.push({ file: '.kagi/access.json', message: '.kagi/access.json is missing' });
  else access = attempt('.kagi/access.json', () => parseAccess(files.access as string));
  if (config && access && config.project_id !== access.project_id) {
    problems.push({
      file: '.kagi/access.json',
      message: 'access.json and kagi.json name different projects',
    });
  }
  const usable = keys && access && keys.keyId === access.key_id ? keys : null;
  if (access) problems.push(...checkAccess(access, usable));
  for (const store of files.stores) {
    const scope = parseScopePath(store.path.replace(/^\.kagi\/secrets\//, ''));
    if (!scope) {
      problems.push({
        file: store.path,
        message: `${store.path} is not a store path (secrets/<service>/<env>.enc or secrets/<env>.enc)`,
      });
      continue;
    }
    const name = formatScope(scope);
    if (config && !config.envs.includes(scope.env)) {
      problems.push({
        file: store.path,
        message: `${store.path} belongs to environment '${scope.env}', which kagi.json does not list`,
      });
    }
    const lines = attempt(store.path, () => parseStore(store.text, name, store.path));
    if (!lines || !access) continue;
    const stale = lines.filter((l) => l.epoch !== access.epoch);
    if (stale.length > 0) {
      problems.push({
        file: store.path,
        message: `${store.path} has ${stale.length} line(s) at key epoch ${[...new Set(stale.map((l) => l.epoch))].join(', ')}, but the key is at epoch ${access.epoch}`,
        fix: stale.some((l) => l.epoch > access.epoch)
          ? 'access.json is older than this store (a rotation that was only partly committed or merged): restore .kagi/access.json from the commit that rotated the key'
          : `${DOCTOR} re-encrypts them`,
      });
    }
    if (!usable) continue;
    const ctx = { projectId: access.project_id, scope: name, epoch: access.epoch };
    const envKeys = usable.env(scope.env);
    const failed = lines
      .filter((l) => l.epoch === access.epoch)
      .filter((line) => {
        try {
          decryptSecret(envKeys, ctx, line, store.path);
          return false;
        } catch {
          return true;
        }
      });
    if (failed.length > 0) {
      problems.push({
        file: store.path,
        message: `${store.path}: ${failed.length} line(s) fail to decrypt (tampered, or copied from elsewhere)`,
        fix: 'restore the file from git history',
      });
    }
  }
  return problems;
}

function checkAccess(access: AccessFile, keys: ProjectKeys | null): Problem[] {
  const file = '.kagi/access.json';
  const problems: Problem[] = [];
  if (!access.members.some((m) => m.status === 'active'))
    problems.push({ file, message: 'access.json has no active member' });
  for (const m of access.members) {
    if (m.status === 'pending' && (m.seal || m.wrapped_key)) {
      problems.push({ file, message: `pending member ${m.id} carries a seal or a wrapped key` });
    }
    if (m.status === 'active' && (!m.seal || !m.wrapped_key)) {
      problems.push({ file, message: `active member ${m.id} lacks a seal or a wrapped key` });
    } else if (
      m.status !== 'pending' &&
      keys &&
      !verifySeal(keys.seal, access.project_id, access.epoch, m)
    ) {
      problems.push({
        file,
        message: `the seal of member ${m.id} does not verify under the current key`,
        fix: `if ${m.id} was approved on a branch made before a rotation, ${DOCTOR} re-wraps it; otherwise someone without the key edited the entry`,
      });
    }
  }
  const epochs = access.history.map((h) => h.epoch);
  const expected = Array.from({ length: access.epoch - 1 }, (_, i) => i + 1);
  if (epochs.length !== expected.length || epochs.some((e, i) => e !== expected[i])) {
    problems.push({
      file,
      message: `the key history does not list every earlier epoch (1 to ${access.epoch - 1})`,
    });
  } else if (keys) {
    let newer = { epoch: access.epoch, keyId: keys.keyId };
    for (const entry of [...access.history].reverse()) {
      try {
        const old = deriveProjectKeys(openHistoryKey(keys, access.project_id, entry));
        const proof = Buffer.from(computeProof(old, newer.epoch, newer.keyId), 'base64url');
        if (!equalBytes(proof, Buffer.from(entry.proof, 'base64url'))) throw new Error('proof');
        newer = { epoch: entry.epoch, keyId: old.keyId };
      } catch {
        problems.push({
          file,
          message: `the key history entry for epoch ${entry.epoch} does not verify`,
        });
        break;
      }
    }
  }
  return problems;
}
