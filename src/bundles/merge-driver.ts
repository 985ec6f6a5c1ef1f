// `git kagi merge-driver access|store %O %A %B %P`, run by git from the repository root on temp
// files. The result goes to %A only; exit 0 is a clean merge, anything else a conflict.
import { readFile, writeFile } from 'node:fs/promises';
import { EXIT, KagiError } from '../errors.js';
import { mergeAccessTexts } from '../operations/git/merge-access-file.js';
import { mergeStoreTexts } from '../operations/git/merge-store-file.js';
import { findMergeKeys } from '../operations/project/merge-keys.js';
import { readProject } from '../operations/project/read-project.js';
import type { Runtime } from '../runtime.js';

export async function work(args: readonly string[], rt: Runtime): Promise<number> {
  const [kind, basePath, oursPath, theirsPath, path] = args;
  if ((kind !== 'access' && kind !== 'store') || !basePath || !oursPath || !theirsPath || !path) {
    rt.notice('error: usage: git kagi merge-driver access|store %O %A %B %P');
    return EXIT.usage;
  }
  const base = await readFile(basePath, 'utf8');
  const ours = await readFile(oursPath, 'utf8');
  const theirs = await readFile(theirsPath, 'utf8');
  const project = await readProject(rt).catch(() => null);
  try {
    if (kind === 'access') {
      const result = await mergeAccessTexts(rt, project, { base, ours, theirs });
      for (const n of result.notices) rt.notice(n);
      if (result.conflict) {
        rt.notice(`git-kagi: ${path}: ${result.conflict}`);
        rt.notice(
          'git-kagi: keep one side (git checkout --ours/--theirs .kagi) and run `git kagi rotate` after the merge',
        );
        return EXIT.failure;
      }
      await writeFile(oursPath, result.text);
      return EXIT.ok;
    }
    const input = { path, projectId: project?.access.project_id ?? '', base, ours, theirs };
    let result = mergeStoreTexts(input, null);
    if (result.conflicts.length > 0 && project) {
      const keys = await findMergeKeys(rt, project);
      if (keys) result = mergeStoreTexts(input, keys);
    }
    await writeFile(oursPath, result.text);
    if (result.conflicts.length === 0) return EXIT.ok;
    if (result.needsKey) rt.notice(`git-kagi: ${path}: ${result.needsKey}`);
    else rt.notice(`git-kagi: ${path}: changed two ways: ${result.conflicts.join(', ')}`);
    rt.notice('git-kagi: choose per secret with `git kagi resolve`');
    return EXIT.failure;
  } catch (error) {
    rt.notice(
      `git-kagi: ${path}: ${error instanceof KagiError ? error.message : 'internal error in the merge driver'}`,
    );
    return EXIT.failure;
  }
}
