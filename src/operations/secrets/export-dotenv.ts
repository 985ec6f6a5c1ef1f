import path from 'node:path';
import { serializeDotenv } from '../../core/dotenv.js';
import { formatScope, type Scope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import { pathExists, writeFileAtomic } from '../../io/atomic-file.js';
import { runGit } from '../../io/git.js';
import type { Runtime } from '../../runtime.js';
import { decryptScope } from '../project/stores.js';
import type { Target } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';

export interface ExportFile {
  scope: string;
  file: string;
  count: number;
  ignored: boolean;
}

/** The files an export would write; checks --force before anything is decrypted. */
export async function planExport(
  rt: Runtime,
  target: Target,
  outDir: string,
  force: boolean,
): Promise<ExportFile[]> {
  const envs = target.env === null ? target.project.config.envs : [target.env];
  const scopes: Scope[] = envs
    .map((env) => ({ service: target.service, env }))
    .filter((s) => target.scopes.some((x) => formatScope(x) === formatScope(s)));
  if (scopes.length === 0) {
    throw new KagiError(
      'nothing-to-export',
      `no scope of ${target.service ?? 'the project'} has secrets to export`,
      {
        hint: 'list what exists with `git kagi get`',
      },
    );
  }
  const dir = path.resolve(rt.cwd, outDir);
  const files: ExportFile[] = [];
  for (const scope of scopes) {
    const file = path.join(dir, `.env.${scope.env}`);
    const exists = pathExists(file);
    if (exists && !force) {
      throw new KagiError('file-exists', `${file} already exists`, {
        hint: 'pass --force to overwrite it',
      });
    }
    files.push({
      scope: formatScope(scope),
      file,
      count: 0,
      ignored: await isIgnored(target.project.repo.root, file),
    });
  }
  return files;
}

export async function writeExport(
  rt: Runtime,
  target: Target,
  files: ExportFile[],
): Promise<ExportFile[]> {
  const unlocked = await unlockProject(rt, target.project);
  for (const f of files) {
    const [service, env] = f.scope.includes('/') ? f.scope.split('/') : [null, f.scope];
    const records = await decryptScope(target.project, unlocked, {
      service: service ?? null,
      env: env as string,
    });
    const body = serializeDotenv(records.map((r) => ({ name: r.name, value: r.value })));
    await writeFileAtomic(
      f.file,
      `# exported by git kagi from ${f.scope}; do not commit\n${body}`,
      0o600,
    );
    f.count = records.length;
  }
  return files;
}

async function isIgnored(root: string, file: string): Promise<boolean> {
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return true; // outside the repository
  const result = await runGit(['check-ignore', '-q', '--no-index', '--', relative], root, true);
  return result.code === 0;
}
