// The rotation journal of DESIGN §4: `<git dir>/kagi/rotation.json`, written (fsynced) before a
// rotation touches any file and deleted after access.json is written.
import path from 'node:path';
import { KagiError } from '../errors.js';
import { readTextOrNull, removeFileDurably, writeFileAtomic } from './atomic-file.js';

export interface RotationJournal {
  format: 'git-kagi/1';
  project_id: string;
  from_epoch: number;
  from_key_id: string;
  epoch: number;
  key_id: string;
  /** The new root key (64 hex), age-wrapped to the rotating identity… */
  wrapped_key?: string;
  /** …or, when a project key rotated, sealed under the old root key. */
  sealed_key?: string;
  /** Members the rotation removes. */
  remove: string[];
  /** The member who rotates (approved_by of re-sealed entries stays as it was). */
  by: string | null;
  started_at: string;
}

export function journalPath(gitDir: string): string {
  return path.join(gitDir, 'kagi', 'rotation.json');
}

export async function readJournal(gitDir: string): Promise<RotationJournal | null> {
  const text = await readTextOrNull(journalPath(gitDir));
  if (text === null) return null;
  try {
    return JSON.parse(text) as RotationJournal;
  } catch {
    throw new KagiError(
      'journal-damaged',
      `the rotation journal ${journalPath(gitDir)} is damaged`,
      {
        hint: 'an interrupted key rotation cannot be finished; restore .kagi/ from git (`git checkout -- .kagi`), then delete that file and rotate again',
      },
    );
  }
}

export async function writeJournal(gitDir: string, journal: RotationJournal): Promise<void> {
  await writeFileAtomic(journalPath(gitDir), `${JSON.stringify(journal, null, 2)}\n`, 0o600);
}

export async function deleteJournal(gitDir: string): Promise<void> {
  await removeFileDurably(journalPath(gitDir));
}
