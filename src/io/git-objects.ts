// Reading what git holds rather than the work tree: staged paths, blobs of the index or of a
// commit, added lines of the staged diff. Always the git binary, so GIT_INDEX_FILE and worktrees
// are honoured inside hooks (DESIGN §5.2).
import { KagiError } from '../errors.js';
import { runGit } from './git.js';

export interface StagedChange {
  path: string;
  /** git's status letter: A, C, M, R, D, T… */
  status: string;
}

/** Every staged change, one git call (`--name-status -z`), deletions included. */
export async function listStagedChanges(root: string): Promise<StagedChange[]> {
  const result = await runGit(['diff', '--cached', '--name-status', '-z', '--no-renames'], root);
  const fields = result.stdout.split('\0');
  const changes: StagedChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i] as string;
    const file = fields[i + 1] as string;
    if (status !== '' && file !== '') changes.push({ path: file, status: status.charAt(0) });
  }
  return changes;
}

/** Paths under `prefix` in a commit (or the index when rev is null). */
export async function listFiles(
  root: string,
  rev: string | null,
  prefix: string,
): Promise<string[]> {
  const args =
    rev === null
      ? ['ls-files', '-z', '--', prefix]
      : ['ls-tree', '-r', '-z', '--name-only', rev, '--', prefix];
  const result = await runGit(args, root, true);
  if (result.code !== 0) {
    throw new KagiError('unreadable-tree', `cannot read ${prefix} at ${rev ?? 'the index'}`, {
      hint: 'check the revision name',
    });
  }
  return result.stdout.split('\0').filter((p) => p !== '');
}

/** Contents of `<rev>:<path>` (or `:<path>` for the index) for each spec; null when missing. */
export function readBlobs(
  root: string,
  specs: readonly string[],
): Promise<Map<string, string | null>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, string | null>();
    const wanted = specs.filter((s) => !s.includes('\n'));
    if (wanted.length === 0) {
      resolve(out);
      return;
    }
    // Taken on first use, as io/git.ts does: textconv and the merge driver often read no blob.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => {
      const data = Buffer.concat(chunks);
      let at = 0;
      for (const spec of wanted) {
        const end = data.indexOf(10, at);
        if (end === -1) break;
        const header = data.subarray(at, end).toString('utf8');
        at = end + 1;
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          out.set(spec, null);
          continue;
        }
        const size = Number(header.split(' ')[2]);
        out.set(spec, data.subarray(at, at + size).toString('utf8'));
        at += size + 1;
      }
      resolve(out);
    });
    child.stdin.end(`${wanted.join('\n')}\n`);
  });
}

export interface AddedLine {
  file: string;
  line: number;
  text: string;
}

export interface StagedDiff {
  /** Every staged change, deletions included. */
  changes: StagedChange[];
  /** Added lines of the staged diff, outside the excluded folders. */
  added: AddedLine[];
}

/**
 * What is staged, in one git call (a pre-commit hook starts git once): `--raw -z` names every
 * change exactly, then the `-U0` patch gives the added lines. Deletions carry no content.
 */
export async function readStagedDiff(
  root: string,
  excludeFolders: readonly string[],
): Promise<StagedDiff> {
  const result = await runGit(
    [
      ...['-c', 'core.quotepath=off', 'diff', '--cached', '--raw', '-z', '--patch', '-U0'],
      ...['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'],
      ...['--irreversible-delete', '--src-prefix=a/', '--dst-prefix=b/'],
    ],
    root,
  );
  return parseStagedDiff(result.stdout, excludeFolders);
}

/** `:<modes> <ids> <status>\0<path>\0` per change, a NUL, then the patch. */
export function parseStagedDiff(output: string, excludeFolders: readonly string[]): StagedDiff {
  const changes: StagedChange[] = [];
  let at = 0;
  while (output.startsWith(':', at)) {
    const metaEnd = output.indexOf('\0', at);
    const pathEnd = metaEnd === -1 ? -1 : output.indexOf('\0', metaEnd + 1);
    if (pathEnd === -1) break;
    const meta = output.slice(at, metaEnd);
    changes.push({
      path: output.slice(metaEnd + 1, pathEnd),
      status: meta.slice(meta.lastIndexOf(' ') + 1).charAt(0),
    });
    at = pathEnd + 1;
  }
  if (output.startsWith('\0', at)) at += 1;
  const excluded = (file: string) =>
    excludeFolders.some((folder) => file === folder || file.startsWith(`${folder}/`));
  const added = parseAddedLines(output.slice(at)).filter((l) => !excluded(l.file));
  return { changes, added };
}

export function parseAddedLines(diff: string): AddedLine[] {
  const added: AddedLine[] = [];
  let file: string | null = null;
  let line = 0;
  // `+++ ` names the file only before the first hunk: inside one, it is an added `++ …` line.
  let inHeader = false;
  for (const row of diff.split('\n')) {
    if (row.startsWith('diff --git ')) {
      file = null;
      inHeader = true;
    } else if (inHeader && row.startsWith('+++ ')) {
      // git ends the name with a tab when it holds a space (GNU diff's convention); a name that
      // really ends with a tab is C-quoted instead.
      const target = row.slice(4).replace(/\t$/, '');
      file = target === '/dev/null' ? null : unquoteGitPath(target).replace(/^b\//, '');
    } else if (row.startsWith('@@ ')) {
      inHeader = false;
      const match = /\+(\d+)/.exec(row);
      line = match ? Number(match[1]) : 0;
    } else if (!inHeader && file !== null && row.startsWith('+')) {
      added.push({ file, line, text: row.slice(1) });
      line += 1;
    }
  }
  return added;
}

/** git C-quotes paths with unusual characters: "a\"b\303\251". */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const simple: Record<string, number> = {
    n: 10,
    t: 9,
    r: 13,
    '"': 34,
    '\\': 92,
    a: 7,
    b: 8,
    f: 12,
    v: 11,
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
