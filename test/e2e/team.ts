// Teammates: joining and approval in one checkout, and a team of clones around one bare repository
// (the shared remote) with the steps of the team flow: request access, approve, push, pull.
import path from 'node:path';
import { expect } from 'vitest';
import { git, kagi, kagiOk, makeRepo, makeTempDir, type Person, type Result } from './harness.js';

/** A teammate at work: a person and their clone. */
export interface Teammate {
  person: Person;
  dir: string;
}

/** `git kagi join` as `person` in `cwd`; returns the new member id (the last line of stdout). */
export function joinProject(person: Person, cwd: string, name = person.name): string {
  const id = kagiOk(person, cwd, ['join', '--name', name]).stdout.trim().split('\n').at(-1);
  expect(id).toMatch(/^kgm_/);
  return id as string;
}

/**
 * `person` joins in `cwd`, `approver` sees the pending request in `member list` there and approves
 * it; returns the member id.
 */
export function joinAndApprove(person: Person, approver: Person, cwd: string): string {
  const id = joinProject(person, cwd);
  const list = JSON.parse(kagiOk(approver, cwd, ['member', 'list', '--json']).stdout) as {
    members: Array<{ id: string; name: string; status: string }>;
  };
  expect(list.members).toContainEqual(
    expect.objectContaining({ id, name: person.name, status: 'pending' }),
  );
  kagiOk(approver, cwd, ['member', 'approve', id, '--yes']);
  return id;
}

/** A bare repository at `dir` (default: `shared.git` in a new folder); main holds a root commit. */
export function makeSharedRepo(
  owner: Person,
  dir = path.join(makeTempDir('kagi-team-'), 'shared.git'),
): string {
  git(owner, path.dirname(dir), ['init', '-q', '--bare', '-b', 'main', dir]);
  const seed = makeRepo(owner);
  git(owner, seed, ['push', '-q', dir, 'main']);
  return dir;
}

/** `person`'s clone of `shared` at `dir` (default: beside it, named for them); a pull merges. */
export function cloneShared(
  person: Person,
  shared: string,
  dir = path.join(path.dirname(shared), person.name),
): Teammate {
  git(person, path.dirname(shared), ['clone', '-q', shared, dir]);
  git(person, dir, ['config', 'pull.rebase', 'false']);
  return { person, dir };
}

/** `kagi(…)` as the teammate, in their clone. */
export function kagiIn(
  who: Teammate,
  args: string[],
  input = '',
  extraEnv: NodeJS.ProcessEnv = {},
): Result {
  return kagi(who.person, who.dir, args, input, extraEnv);
}

/** `kagiOk(…)` as the teammate, in their clone. */
export function kagiOkIn(
  who: Teammate,
  args: string[],
  input = '',
  extraEnv: NodeJS.ProcessEnv = {},
): Result {
  return kagiOk(who.person, who.dir, args, input, extraEnv);
}

/** Stages .kagi/ and commits it; `noVerify` skips the hooks, as an attacker would. */
export function commitKagi(who: Teammate, message: string, { noVerify = false } = {}): void {
  git(who.person, who.dir, ['add', '--', '.kagi']);
  git(who.person, who.dir, ['commit', '-q', ...(noVerify ? ['--no-verify'] : []), '-m', message]);
}

/** `commitKagi`, then pushes to the shared main. */
export function commitAndPush(who: Teammate, message: string, options = { noVerify: false }): void {
  commitKagi(who, message, options);
  git(who.person, who.dir, ['push', '-q', 'origin', 'HEAD:main']);
}

/** Brings the teammate's main up to the shared one (fast-forward only). */
export function pull(who: Teammate): void {
  git(who.person, who.dir, ['pull', '-q', '--ff-only', 'origin', 'main']);
}

/** The teammate joins in their clone and pushes the request; returns the member id. */
export function requestAccess(
  who: Teammate,
  message = `${who.person.name} asks for access`,
): string {
  const id = joinProject(who.person, who.dir);
  commitAndPush(who, message);
  return id;
}

/** `approver` pulls, approves every id in `ids` and pushes the approvals. */
export function approveAndPush(approver: Teammate, ids: string[], message: string): void {
  pull(approver);
  for (const id of ids) kagiOkIn(approver, ['member', 'approve', id, '--yes']);
  commitAndPush(approver, message);
}
