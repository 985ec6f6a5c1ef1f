// `git kagi resolve`: the stores a merge left unmerged, read from the index stages (1 base,
// 2 ours, 3 theirs), merged by name with the key; the user chooses per conflicting secret.
import path from 'node:path';
import { compareTags, formatStore } from '../../core/store.js';
import type { SecretRecord } from '../../crypto/secret-line.js';
import { KagiError, noAccessError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { runGit } from '../../io/git.js';
import { readBlobs } from '../../io/git-objects.js';
import type { Runtime } from '../../runtime.js';
import { findMergeKeys } from '../project/merge-keys.js';
import { openProject } from '../project/open-project.js';
import { describeAuthor } from '../project/stores.js';
import { unlockProject } from '../project/unlock-project.js';
import { type Decrypted, planDecryptedMerge } from './merge-store-file.js';

export type Choice = { kind: 'ours' } | { kind: 'theirs' } | { kind: 'value'; value: string };

export interface SecretConflict {
  name: string;
  ours: SecretRecord | undefined;
  theirs: SecretRecord | undefined;
}

export interface StoreConflict {
  path: string;
  scope: string;
  conflicts: SecretConflict[];
  /** Writes the store with the choices (one per conflict name) and stages it. */
  apply(choices: ReadonlyMap<string, Choice>): Promise<void>;
}

export async function listUnmergedPaths(root: string): Promise<string[]> {
  const result = await runGit(['ls-files', '-u', '-z'], root);
  const paths = new Set<string>();
  for (const entry of result.stdout.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab !== -1) paths.add(entry.slice(tab + 1));
  }
  return [...paths].sort();
}

export async function findStoreConflicts(
  rt: Runtime,
): Promise<{ stores: StoreConflict[]; other: string[] }> {
  const project = await openProject(rt);
  const root = project.repo.root;
  const unmerged = await listUnmergedPaths(root);
  const stores = unmerged.filter((p) => p.startsWith('.kagi/secrets/') && p.endsWith('.enc'));
  const other = unmerged.filter((p) => p.startsWith('.kagi/') && !stores.includes(p));
  if (stores.length === 0) return { stores: [], other };
  const keys = await findMergeKeys(rt, project);
  if (!keys) {
    throw noAccessError(
      'resolving a conflict in a store needs the key, and this device has none',
      'resolve on the device of an active member',
    );
  }
  const author = describeAuthor(await unlockProject(rt, { ...project, access: keys.access }));
  const blobs = await readBlobs(
    root,
    stores.flatMap((p) => [`:1:${p}`, `:2:${p}`, `:3:${p}`]),
  );
  return {
    other,
    stores: stores.map((p) => {
      const ours = blobs.get(`:2:${p}`);
      const theirs = blobs.get(`:3:${p}`);
      if (ours == null || theirs == null) {
        throw new KagiError('resolve-deleted', `${p} was deleted on one side of the merge`, {
          hint: `keep it with \`git add ${p}\` or drop it with \`git rm ${p}\``,
        });
      }
      const plan = planDecryptedMerge(
        {
          path: p,
          projectId: project.access.project_id,
          base: blobs.get(`:1:${p}`) ?? '',
          ours,
          theirs,
        },
        keys,
      );
      return {
        path: p,
        scope: plan.scopeName,
        conflicts: plan.conflicts.map((c) => ({
          name: c.name,
          ours: c.ours?.record,
          theirs: c.theirs?.record,
        })),
        apply: async (choices) => {
          const lines = [...plan.lines];
          for (const c of plan.conflicts) {
            const choice = choices.get(c.name);
            if (!choice)
              throw new KagiError(
                'resolve-incomplete',
                `no choice for ${c.name} in ${plan.scopeName}`,
              );
            const side: Decrypted | undefined =
              choice.kind === 'ours' ? c.ours : choice.kind === 'theirs' ? c.theirs : undefined;
            if (choice.kind === 'value') {
              lines.push(
                plan.encrypt({
                  name: c.name,
                  value: choice.value,
                  updated_at: rt.now().toISOString(),
                  updated_by: author,
                }),
              );
            } else if (side) {
              lines.push(plan.toTarget(side));
            }
          }
          lines.sort(compareTags);
          await writeFileAtomic(path.join(root, p), formatStore(plan.scopeName, lines), 0o600);
          await runGit(['add', '--', p], root);
        },
      };
    }),
  };
}
