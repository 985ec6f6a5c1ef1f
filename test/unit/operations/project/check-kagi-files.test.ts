// Unit tests of src/operations/project/check-kagi-files.ts: every kind of problem the shared .kagi/ checks
// report (DESIGN §5), which of them need the key, and that a good project yields none either way.
import { describe, expect, it } from 'vitest';
import { type AccessFile, formatAccess, type Member } from '../../../../src/core/access.js';
import { formatKagiConfig } from '../../../../src/core/kagi-config.js';
import { formatStore, formatStoreHeader } from '../../../../src/core/store.js';
import { computeProof, sealHistoryKey } from '../../../../src/crypto/history.js';
import {
  deriveProjectKeys,
  generateRootKey,
  type ProjectKeys,
} from '../../../../src/crypto/keys.js';
import { computeSeal } from '../../../../src/crypto/seal.js';
import { encryptSecret } from '../../../../src/crypto/secret-line.js';
import {
  checkKagiFiles,
  type KagiFiles,
  type Problem,
} from '../../../../src/operations/project/check-kagi-files.js';

const PROJECT = 'kgp_AAAAAAAAAAAA';
const ACCESS = '.kagi/access.json';
const CONFIG = '.kagi/kagi.json';
const API_DEV = '.kagi/secrets/api/development.enc';
const PROD = '.kagi/secrets/production.enc';
const RECIPIENT = 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq';

const k1 = deriveProjectKeys(generateRootKey());
const k2 = deriveProjectKeys(generateRootKey());
const other = deriveProjectKeys(generateRootKey());

function makeMember(
  id: string,
  status: Member['status'],
  sealedWith: ProjectKeys | null = k2,
  epoch = 2,
): Member {
  const m: Member = {
    id: `kgm_${id.padEnd(12, 'A')}`,
    name: id,
    recipient: RECIPIENT,
    status,
    requested_at: '2026-01-01T00:00:00.000Z',
  };
  if (status === 'active') m.wrapped_key = '-----BEGIN AGE ENCRYPTED FILE-----\n…';
  if (sealedWith) m.seal = computeSeal(sealedWith.seal, PROJECT, epoch, m);
  return m;
}

/** A project at epoch 2 whose history holds epoch 1, as a rotation writes it. */
function makeAccess(members: Member[] = [makeMember('alice', 'active')]): AccessFile {
  return {
    format: 'git-kagi/1',
    project_id: PROJECT,
    epoch: 2,
    key_id: k2.keyId,
    history: [
      {
        epoch: 1,
        key_id: k1.keyId,
        sealed_key: sealHistoryKey(k2, PROJECT, 1, k1.root),
        proof: computeProof(k1, 2, k2.keyId),
      },
    ],
    members,
  };
}

const CONFIG_TEXT = formatKagiConfig({
  format: 'git-kagi/1',
  project_id: PROJECT,
  envs: ['development', 'production'],
  default_env: 'development',
  nested: false,
});

function makeStore(
  scope: string,
  secrets: Record<string, string>,
  keys: ProjectKeys = k2,
  epoch = 2,
): string {
  const env = scope.slice(scope.lastIndexOf('/') + 1);
  const lines = Object.entries(secrets)
    .map(([name, value]) =>
      encryptSecret(
        keys.env(env),
        { projectId: PROJECT, scope, epoch },
        { name, value, updated_at: '2026-01-01T00:00:00.000Z', updated_by: 'kgm_aliceAAAAAAA' },
      ),
    )
    .sort((a, b) => (a.tag < b.tag ? -1 : 1));
  return formatStore(scope, lines);
}

function goodFiles(): KagiFiles {
  return {
    config: CONFIG_TEXT,
    access: formatAccess(makeAccess()),
    stores: [
      { path: API_DEV, text: makeStore('api/development', { A: 'a-value', B: 'b-value' }) },
      { path: PROD, text: makeStore('production', { SHARED: 'shared-value' }) },
    ],
  };
}

function withStore(files: KagiFiles, path: string, text: string): KagiFiles {
  return { ...files, stores: [...files.stores.filter((s) => s.path !== path), { path, text }] };
}

function withAccess(files: KagiFiles, access: AccessFile): KagiFiles {
  return { ...files, access: formatAccess(access) };
}

function storeRows(text: string): [string, string[]] {
  const [header, ...rows] = text.split('\n').filter((r) => r !== '');
  return [header as string, rows];
}

function messages(problems: Problem[]): string[] {
  return problems.map((p) => p.message);
}

describe('checkKagiFiles on a good project', () => {
  it('finds nothing, with the key and without it', () => {
    expect(checkKagiFiles(goodFiles(), k2)).toEqual([]);
    expect(checkKagiFiles(goodFiles(), null)).toEqual([]);
  });

  it('treats keys of another key id as no key (structure only)', () => {
    const [header, rows] = storeRows(makeStore('api/development', { A: 'a-value' }));
    const [tag, epoch, payload] = (rows[0] as string).split(' ') as [string, string, string];
    const broken = `${header}\n${tag} ${epoch} ${payload.slice(0, -4)}AAAA\n`;
    const files = withStore(goodFiles(), API_DEV, broken);
    expect(checkKagiFiles(files, other)).toEqual([]);
    expect(messages(checkKagiFiles(files, k2))).toEqual([
      `${API_DEV}: 1 line(s) fail to decrypt (tampered, or copied from elsewhere)`,
    ]);
  });
});

describe('kagi.json and access.json', () => {
  it('reports each missing file', () => {
    const files = goodFiles();
    expect(checkKagiFiles({ ...files, config: null }, null)).toEqual([
      { file: CONFIG, message: '.kagi/kagi.json is missing' },
    ]);
    expect(checkKagiFiles({ ...files, access: null }, k2)).toEqual([
      { file: ACCESS, message: '.kagi/access.json is missing' },
    ]);
  });

  it('reports malformed files by name, without quoting their content', () => {
    const files = { ...goodFiles(), config: '{"format": "sekrit-in-json', access: '42' };
    const problems = checkKagiFiles(files, null);
    expect(problems.map((p) => p.file)).toEqual([CONFIG, ACCESS]);
    expect(problems[0]?.message).toMatch(/^\.kagi\/kagi\.json /);
    expect(problems[1]?.message).toBe('.kagi/access.json is not an object');
    expect(JSON.stringify(problems)).not.toContain('sekrit');
  });

  it('reports files that name different projects', () => {
    const access = { ...makeAccess(), project_id: 'kgp_BBBBBBBBBBBB' };
    expect(messages(checkKagiFiles(withAccess(goodFiles(), access), null))).toContain(
      'access.json and kagi.json name different projects',
    );
  });

  it('reports a project without an active member', () => {
    const access = makeAccess([makeMember('alice', 'removed')]);
    expect(messages(checkKagiFiles(withAccess(goodFiles(), access), null))).toEqual([
      'access.json has no active member',
    ]);
  });

  it('reports a pending entry that carries a seal or a wrapped key', () => {
    const pending = makeMember('bob', 'pending');
    const access = makeAccess([makeMember('alice', 'active'), pending]);
    expect(checkKagiFiles(withAccess(goodFiles(), access), null)).toEqual([
      { file: ACCESS, message: `pending member ${pending.id} carries a seal or a wrapped key` },
    ]);
  });

  it('reports an active entry without a seal or wrapped key, even without the key', () => {
    const unsealed = makeMember('mallory', 'active', null);
    const access = makeAccess([makeMember('alice', 'active'), unsealed]);
    const expected = [
      { file: ACCESS, message: `active member ${unsealed.id} lacks a seal or a wrapped key` },
    ];
    expect(checkKagiFiles(withAccess(goodFiles(), access), null)).toEqual(expected);
    expect(checkKagiFiles(withAccess(goodFiles(), access), k2)).toEqual(expected);
  });

  it('reports seals that do not verify under the current key only when it has the key', () => {
    const forged = makeMember('mallory', 'active', other);
    const early = makeMember('bob', 'active', k1, 1);
    const removed = makeMember('carol', 'removed', other);
    const access = makeAccess([makeMember('alice', 'active'), forged, early, removed]);
    const files = withAccess(goodFiles(), access);
    expect(checkKagiFiles(files, null)).toEqual([]);
    const problems = checkKagiFiles(files, k2);
    // Members in access.json order: sorted by id.
    expect(messages(problems)).toEqual([
      `the seal of member ${early.id} does not verify under the current key`,
      `the seal of member ${removed.id} does not verify under the current key`,
      `the seal of member ${forged.id} does not verify under the current key`,
    ]);
    for (const p of problems) {
      expect(p.file).toBe(ACCESS);
      expect(p.fix).toMatch(/git kagi doctor --fix re-wraps it/);
    }
  });

  it('reports a history that skips an epoch', () => {
    const access = { ...makeAccess(), history: [] };
    expect(messages(checkKagiFiles(withAccess(goodFiles(), access), null))).toEqual([
      'the key history does not list every earlier epoch (1 to 1)',
    ]);
  });

  it('reports a history entry whose proof or sealed key does not verify, with the key', () => {
    const access = makeAccess();
    const entry = access.history[0] as AccessFile['history'][number];
    const badProof = {
      ...access,
      history: [{ ...entry, proof: computeProof(other, 2, k2.keyId) }],
    };
    const badKey = {
      ...access,
      history: [{ ...entry, sealed_key: sealHistoryKey(other, PROJECT, 1, k1.root) }],
    };
    for (const broken of [badProof, badKey]) {
      const files = withAccess(goodFiles(), broken);
      expect(checkKagiFiles(files, null)).toEqual([]);
      expect(checkKagiFiles(files, k2)).toEqual([
        { file: ACCESS, message: 'the key history entry for epoch 1 does not verify' },
      ]);
    }
  });
});

describe('stores', () => {
  it('reports paths that are not stores', () => {
    for (const path of [
      '.kagi/secrets/api/development/extra.enc',
      '.kagi/secrets/notes.txt',
      '.kagi/secrets/api/.development.enc.123.abcdef01.tmp',
      '.kagi/secrets/Api/development.enc',
    ]) {
      expect(checkKagiFiles(withStore(goodFiles(), path, ''), null)).toEqual([
        {
          file: path,
          message: `${path} is not a store path (secrets/<service>/<env>.enc or secrets/<env>.enc)`,
        },
      ]);
    }
  });

  it('reports a store of an environment kagi.json does not list', () => {
    const path = '.kagi/secrets/api/staging.enc';
    const files = withStore(goodFiles(), path, makeStore('api/staging', { A: 'x' }));
    expect(messages(checkKagiFiles(files, k2))).toEqual([
      `${path} belongs to environment 'staging', which kagi.json does not list`,
    ]);
  });

  it('reports conflict markers, a wrong header, bad lines and unsorted or repeated lines', () => {
    const [header, rows] = storeRows(makeStore('api/development', { A: '1', B: '2', C: '3' }));
    const [r1, r2, r3] = rows as [string, string, string];
    const cases: Array<[string, RegExp, RegExp?]> = [
      [
        `${header}\n<<<<<<< ours\n${r1}\n=======\n${r2}\n>>>>>>> theirs\n`,
        /has unresolved merge conflict markers$/,
        /git kagi resolve/,
      ],
      [formatStore('production', []), /is not a git-kagi store for scope api\/development$/],
      [`${formatStoreHeader('api/development')}\n${r1} extra\n`, /:2 is not a valid store line$/],
      [`${header}\n${r1}\n\n${r2}\n`, /:3 is not a valid store line$/],
      [`${header}\n${r2}\n${r1}\n${r3}\n`, /:3 is out of order or repeats a secret$/],
      [`${header}\n${r1}\n${r1}\n`, /:3 is out of order or repeats a secret$/],
    ];
    for (const [text, message, fix] of cases) {
      for (const keys of [null, k2]) {
        const problems = checkKagiFiles(withStore(goodFiles(), API_DEV, text), keys);
        expect(problems).toHaveLength(1);
        expect(problems[0]?.file).toBe(API_DEV);
        expect(problems[0]?.message).toMatch(message);
        if (fix) expect(problems[0]?.fix).toMatch(fix);
      }
    }
  });

  it('reports lines at an older epoch without any key, with doctor --fix as the fix', () => {
    const web = '.kagi/secrets/web/development.enc';
    const files = withStore(
      goodFiles(),
      web,
      makeStore('web/development', { K: 'v', L: 'w' }, k1, 1),
    );
    for (const keys of [null, k2]) {
      expect(checkKagiFiles(files, keys)).toEqual([
        {
          file: web,
          message: `${web} has 2 line(s) at key epoch 1, but the key is at epoch 2`,
          fix: 'git kagi doctor --fix re-encrypts them',
        },
      ]);
    }
  });

  it('reports lines that fail to decrypt only with the key: tampered or moved to another scope', () => {
    const [header, rows] = storeRows(makeStore('api/development', { A: 'a', B: 'b' }));
    const [tag, epoch, payload] = (rows[0] as string).split(' ') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    bytes[40] = (bytes[40] as number) ^ 0x80;
    const tampered = `${header}\n${tag} ${epoch} ${bytes.toString('base64url')}\n${rows[1]}\n`;
    // The same line copied into another scope's store fails its associated data there.
    const [, prodRows] = storeRows(makeStore('production', { A: 'a' }));
    const moved = `${formatStoreHeader('api/production')}\n${prodRows[0]}\n`;
    const apiProd = '.kagi/secrets/api/production.enc';
    const files = withStore(withStore(goodFiles(), API_DEV, tampered), apiProd, moved);
    expect(checkKagiFiles(files, null)).toEqual([]);
    const problems = checkKagiFiles(files, k2);
    expect(problems).toEqual([
      {
        file: API_DEV,
        message: `${API_DEV}: 1 line(s) fail to decrypt (tampered, or copied from elsewhere)`,
        fix: 'restore the file from git history',
      },
      {
        file: apiProd,
        message: `${apiProd}: 1 line(s) fail to decrypt (tampered, or copied from elsewhere)`,
        fix: 'restore the file from git history',
      },
    ]);
  });

  it('skips the store checks that need access.json when it cannot be read', () => {
    const web = '.kagi/secrets/web/development.enc';
    const files = {
      ...withStore(goodFiles(), web, makeStore('web/development', { K: 'v' }, k1, 1)),
      access: null,
    };
    expect(messages(checkKagiFiles(files, k2))).toEqual(['.kagi/access.json is missing']);
  });
});
