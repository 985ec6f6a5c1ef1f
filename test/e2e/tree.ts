// Checks of what is on disk: byte-identical snapshots of a tree (before/after), what a finished or
// failed write must not leave behind, and files that hold a planted plaintext.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Every file and folder at and below `paths` (relative to `dir`; all of `dir` by default), as
 * relative path → bytes in base64 (with `modes`, the mode first), for byte-identical before/after
 * checks. Folders are listed too, so a new empty one shows. `skip`: relative paths not entered.
 */
export function snapshotTree(
  dir: string,
  {
    paths = ['.'],
    skip = [],
    modes = false,
  }: { paths?: string[]; skip?: string[]; modes?: boolean } = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (relative: string) => {
    const full = path.join(dir, relative);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(full);
    } catch {
      return; // absent: the snapshot says so by not naming it
    }
    const mode = modes ? `${st.mode.toString(8)} ` : '';
    if (st.isDirectory()) {
      if (relative !== '.') out[`${relative}/`] = `${mode}(folder)`;
      for (const name of readdirSync(full).sort()) {
        const child = relative === '.' ? name : path.join(relative, name);
        if (!skip.includes(child)) visit(child);
      }
    } else if (st.isSymbolicLink()) out[relative] = `${mode}-> ${readlinkSync(full)}`;
    else out[relative] = `${mode}${readFileSync(full).toString('base64')}`;
  };
  for (const p of paths) visit(path.normalize(p));
  return out;
}

/**
 * What a finished or failed write must not leave below `dir`: temp files (`*.tmp`), rotation
 * journals and, unless `locks: false`, write locks; as paths relative to `dir`.
 */
export function findLeftovers(dir: string, { locks = true } = {}): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(
      (e) => e.name.endsWith('.tmp') || e.name === 'rotation.json' || (locks && e.name === 'lock'),
    )
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Every file below `dir` (no symlinks followed), but not below `skip` nor what `keep` rejects. */
export function listFiles(
  dir: string,
  skip: string[] = [],
  keep: (file: string) => boolean = () => true,
): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = path.join(d, name);
      if (skip.some((s) => full === s || full.startsWith(`${s}${path.sep}`))) continue;
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && keep(full)) files.push(full);
    }
  };
  walk(dir);
  return files;
}

/** The files among `files` whose bytes contain `needle`: plaintext left behind. */
export function filesContaining(files: string[], needle: string): string[] {
  return files.filter((file) => {
    try {
      return readFileSync(file).includes(needle);
    } catch {
      return false; // another process's file that vanished or is unreadable
    }
  });
}
