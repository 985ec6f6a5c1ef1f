import path from 'node:path';
import type { Member } from '../../core/access.js';
import type { ProjectKeys } from '../../crypto/keys.js';
import { KagiError } from '../../errors.js';
import { findRepository, type Repository } from '../../io/git.js';
import { journalPath, readJournal } from '../../io/journal.js';
import { readPin, resolveKagiHome } from '../../io/kagi-home.js';
import type { Runtime } from '../../runtime.js';
import { checkKagiFiles, type Problem } from '../project/check-kagi-files.js';
import { findStaleEntries } from '../project/members.js';
import type { Project } from '../project/read-project.js';
import { readSetupStatus } from '../project/setup-git.js';
import { type KeyState, readWorkTreeKagi, tryUnlock } from '../project/work-tree-kagi.js';
import { type Check, checkDevice, displayPath, FIX } from './check-device.js';

export async function diagnoseProject(rt: Runtime): Promise<Check[]> {
  const checks: Check[] = [];
  let repo: Repository | null = null;
  try {
    repo = await findRepository(rt.cwd);
    checks.push({ name: 'repository', status: 'ok', detail: repo.root });
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    checks.push({ name: 'repository', status: 'fail', detail: error.message, fix: error.hint });
  }
  let tree: Awaited<ReturnType<typeof readWorkTreeKagi>> | null = null;
  if (repo) {
    try {
      tree = await readWorkTreeKagi(rt);
    } catch (error) {
      if (!(error instanceof KagiError)) throw error;
      checks.push({ name: 'project', status: 'fail', detail: error.message, fix: error.hint });
    }
  }
  const project = tree?.project ?? null;
  if (tree) {
    checks.push(
      project
        ? {
            name: 'project',
            status: 'ok',
            detail: `${project.access.project_id}, key epoch ${project.access.epoch}`,
          }
        : {
            name: 'project',
            status: 'fail',
            detail: '.kagi/kagi.json or .kagi/access.json cannot be read (see below)',
            fix: 'restore them from git history (`git checkout -- .kagi`)',
            integrity: true,
          },
    );
  }
  checks.push(...(await checkDevice(rt)));
  if (!repo || !tree) return checks;

  const key = await tryUnlock(rt, project);
  checks.push(...(await checkKey(rt, project, key)));
  checks.push(...(await checkSetup(repo)));
  checks.push(await checkRotation(repo, project));

  const keys = key.kind === 'unlocked' ? key.unlocked.keys : null;
  const problems = checkKagiFiles(tree.files, keys);
  if (project && keys) await explainSeals(project, keys, problems);
  for (const p of problems) {
    checks.push({
      name: nameOfFile(p.file),
      status: 'fail',
      detail: p.message,
      ...(p.fix ? { fix: p.fix } : {}),
      integrity: true,
    });
  }
  if (problems.length === 0) {
    const stores = tree.files.stores.length;
    checks.push({
      name: 'files',
      status: 'ok',
      detail: `kagi.json, access.json and ${stores} store(s) are consistent${keys ? ', every line decrypts' : ' (structure only: no key)'}`,
    });
  }
  return checks;
}

function nameOfFile(file: string): string {
  if (file === '.kagi/access.json') return 'access';
  if (file === '.kagi/kagi.json') return 'config';
  return 'stores';
}

async function checkKey(rt: Runtime, project: Project | null, key: KeyState): Promise<Check[]> {
  if (!project)
    return [{ name: 'key', status: 'skip', detail: 'not checked: no readable project' }];
  if (key.kind === 'integrity') {
    return [
      {
        name: 'key',
        status: 'fail',
        detail: key.error.message,
        fix: key.error.hint ?? 'compare .kagi/access.json with a teammate',
        integrity: true,
      },
      { name: 'pin', status: 'skip', detail: 'not checked: no key' },
    ];
  }
  if (key.kind === 'none') {
    const fix = key.error?.hint;
    return [
      {
        name: 'key',
        status: 'fail',
        detail: key.error?.message ?? 'no key source unlocks this project',
        ...(fix ? { fix } : {}),
      },
      { name: 'pin', status: 'skip', detail: 'not checked: no key' },
    ];
  }
  const { unlocked } = key;
  const checks: Check[] = [];
  const source =
    unlocked.source.kind === 'device'
      ? `this device (${displayPath(rt, unlocked.source.detail)})`
      : unlocked.source.kind;
  checks.push({ name: 'key', status: 'ok', detail: `unlocked with ${source}` });
  checks.push(describeMember(unlocked.member, unlocked.source.kind));
  if (unlocked.readOnly) {
    checks.push({
      name: 'pin',
      status: 'warn',
      detail: `${unlocked.readOnly}: secrets can be read here but not changed`,
      fix: 'pull or check out the latest .kagi/',
    });
  } else {
    const pin = await readPin(resolveKagiHome(rt.env), project.access.project_id);
    checks.push({
      name: 'pin',
      status: 'ok',
      detail: pin
        ? `trusts key epoch ${pin.epoch} (${pin.key_id})`
        : 'not written (read-only home): the next run trusts this key on first use',
    });
  }
  return checks;
}

function describeMember(member: Member | null, source: string): Check {
  if (member)
    return {
      name: 'member',
      status: 'ok',
      detail: `${member.id} (${member.name}), ${member.status}`,
    };
  return {
    name: 'member',
    status: 'ok',
    detail:
      source === 'device'
        ? 'unknown to the key cache (it learns it on the next unwrap)'
        : `none: ${source} is a project key, not a member`,
  };
}

async function checkSetup(repo: Repository): Promise<Check[]> {
  const status = await readSetupStatus(repo);
  const checks: Check[] = [];
  const drivers = status.drivers.filter((d) => d.actual !== d.expected);
  for (const d of drivers) {
    checks.push({
      name: 'drivers',
      status: 'fail',
      detail:
        d.actual === null
          ? `${d.key} is not configured`
          : `${d.key} is '${d.actual}', expected '${d.expected}'`,
      fix: FIX,
    });
  }
  if (drivers.length === 0)
    checks.push({ name: 'drivers', status: 'ok', detail: 'merge and diff drivers configured' });
  checks.push(
    status.attributes
      ? { name: 'attributes', status: 'ok', detail: '.gitattributes has the git-kagi block' }
      : {
          name: 'attributes',
          status: 'fail',
          detail: '.gitattributes lacks the git-kagi block: git merges and diffs .kagi/ as text',
          fix: `${FIX}, then commit .gitattributes`,
        },
  );
  if (status.manager === 'lefthook' || status.manager === 'pre-commit') {
    checks.push({
      name: 'hooks',
      status: 'warn',
      detail: `${status.manager} manages the hooks of this repository; git kagi cannot see its configuration`,
      fix: '`git kagi hooks install` prints the lines to add to its configuration',
    });
    return checks;
  }
  const missing = status.hooks.filter((h) => !h.installed);
  for (const h of missing) {
    checks.push({
      name: 'hooks',
      status: 'fail',
      detail: `the ${h.name} hook is not installed (${path.relative(repo.root, h.file) || h.file})`,
      fix: FIX,
    });
  }
  if (missing.length === 0) {
    const where = status.manager === 'husky' ? ' (in .husky/)' : '';
    checks.push({
      name: 'hooks',
      status: 'ok',
      detail: `${status.hooks.map((h) => h.name).join(', ')}${where}`,
    });
  }
  return checks;
}

async function checkRotation(repo: Repository, project: Project | null): Promise<Check> {
  const file = path.relative(repo.root, journalPath(repo.gitDir));
  try {
    const journal = await readJournal(repo.gitDir);
    if (!journal) return { name: 'rotation', status: 'ok', detail: 'no interrupted key rotation' };
    const access = project?.access;
    const resumable =
      !access ||
      (access.epoch === journal.from_epoch && access.key_id === journal.from_key_id) ||
      (access.epoch === journal.epoch && access.key_id === journal.key_id);
    return {
      name: 'rotation',
      status: 'fail',
      detail: `an interrupted key rotation (epoch ${journal.from_epoch} → ${journal.epoch}) is pending (${file})`,
      fix: resumable
        ? `${FIX} finishes it`
        : `it started from epoch ${journal.from_epoch}, but this checkout is at epoch ${access?.epoch}: check out the branch it started on and run \`${FIX}\`, or delete ${file} to abandon it`,
    };
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    return {
      name: 'rotation',
      status: 'fail',
      detail: error.message,
      ...(error.hint ? { fix: error.hint } : {}),
      integrity: true,
    };
  }
}

/** Replaces the generic fix of a bad seal by what is true of that member. */
async function explainSeals(
  project: Project,
  keys: ProjectKeys,
  problems: Problem[],
): Promise<void> {
  for (const { member: m, stale } of await findStaleEntries(project, keys)) {
    const problem = problems.find(
      (p) => p.file === '.kagi/access.json' && p.message.includes(`member ${m.id} `),
    );
    if (!problem) continue;
    if (stale.kind === 'forged') {
      problem.fix = `nobody holding the key sealed this entry (forged, or edited by hand): it is never re-wrapped; \`git kagi member remove ${m.id}\` removes it`;
    } else if (stale.kind === 'removed-since') {
      problem.fix = `${m.id} was approved at key epoch ${stale.epoch} but removed since: its old entry was put back, and is never re-wrapped; \`git kagi member remove ${m.id}\` removes it again`;
    } else {
      problem.fix = `${m.id} was ${m.status === 'active' ? 'approved' : 'changed'} at key epoch ${stale.epoch}, before a rotation (a branch merged without the drivers): ${FIX} re-wraps it`;
    }
  }
}
