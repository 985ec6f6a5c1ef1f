// Fixtures for the benchmark suite, made with the real binary in one temporary workspace: each
// project is a git repository with its own KAGI_HOME, git sees no system or global config and
// runs no hooks of ours while fixtures are built. Secret values are random, so nothing staged by
// a fixture can match one by accident.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runStep } from './measure.mjs';

/** Node settings that change every process's start-up (see envFor). */
export const STARTUP_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

/**
 * A temporary workspace holding a snapshot of `distDir` (so a rebuild during the run cannot mix
 * two builds), the projects and every KAGI_HOME. `remove()` deletes all of it.
 */
export function createWorkspace(distDir, { keepStartupVariables = false } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'git-kagi-bench-'));
  cpSync(distDir, path.join(root, 'kagi', 'dist'), { recursive: true });
  // The copy needs the same module type as the package it came from.
  writeFileSync(path.join(root, 'kagi', 'package.json'), '{ "type": "module" }\n');
  const noHooks = path.join(root, 'no-hooks');
  mkdirSync(noHooks);
  mkdirSync(path.join(root, 'files'));

  const workspace = {
    root,
    bin: path.join(root, 'kagi', 'dist', 'git-kagi.cjs'),

    /**
     * The environment of every process: this workspace's KAGI_HOME, no ambient git or kagi state,
     * and no Node start-up settings. NODE_EXTRA_CA_CERTS makes every Node process parse a CA bundle
     * before it runs any code (+40 ms for `node -e 0` where the system bundle is named, as on this
     * project's machines): a tax on command and baseline alike that would hide what git-kagi costs.
     */
    envFor(home) {
      const env = {};
      for (const [name, value] of Object.entries(process.env)) {
        if (/^(KAGI_|GIT_|DOTENV_)/.test(name)) continue;
        if (!keepStartupVariables && STARTUP_VARIABLES.includes(name)) continue;
        env[name] = value;
      }
      return Object.assign(env, {
        KAGI_HOME: home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Bench',
        GIT_AUTHOR_EMAIL: 'bench@example.com',
        GIT_COMMITTER_NAME: 'Bench',
        GIT_COMMITTER_EMAIL: 'bench@example.com',
      });
    },

    /** Writes a file outside every repository (a .env to import, a merge input) and returns its path. */
    writeFile(name, text) {
      const file = path.join(root, 'files', name);
      writeFileSync(file, text);
      return file;
    },

    /** `git init` plus `git kagi init --name bench --envs` in a new folder with its own KAGI_HOME. */
    createProject(name) {
      const dir = path.join(root, name);
      const home = path.join(root, 'homes', name);
      mkdirSync(dir);
      mkdirSync(home, { recursive: true });
      const project = {
        dir,
        home,
        env: workspace.envFor(home),
        projectId: '',
        /** The step that runs `git kagi <args>` in this project as its owner. */
        kagiStep(args, options = {}) {
          return {
            argv: [process.execPath, workspace.bin, ...args],
            cwd: dir,
            env: options.home ? workspace.envFor(options.home) : project.env,
            input: options.input,
          };
        },
        kagi(args, options) {
          return String(runStep(project.kagiStep(args, options)));
        },
        git(args) {
          const argv = ['git', '-c', `core.hooksPath=${noHooks}`, ...args];
          return String(runStep({ argv, cwd: dir, env: project.env }));
        },
        /** Imports `entries` into a scope through a generated .env file. */
        importSecrets(scope, entries, extra = []) {
          const file = workspace.writeFile(`${name}-import.env`, formatDotenv(entries));
          project.kagi(['import', ...scopeOptions(scope), '--file', file, ...extra]);
        },
        /** Adds `count` members, each joining from a KAGI_HOME of its own, approved by the owner. */
        addMembers(count) {
          for (let i = 1; i <= count; i++) {
            const memberHome = path.join(root, 'homes', `${name}-member-${i}`);
            mkdirSync(memberHome, { recursive: true });
            const out = project.kagi(['join', '--name', `member ${i}`], { home: memberHome });
            const id = /kgm_[\w-]+/.exec(out)?.[0];
            if (!id) throw new Error(`join printed no member id: ${out}`);
            project.kagi(['member', 'approve', id, '--yes']);
          }
        },
      };
      project.git(['init', '-q', '-b', 'main']);
      project.kagi(['init', '--name', 'bench', '--envs']);
      const config = JSON.parse(readFileSync(path.join(dir, '.kagi', 'kagi.json'), 'utf8'));
      project.projectId = config.project_id;
      return project;
    },

    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return workspace;
}

/** `{ service, env }` → the flags that name that scope without any inference. */
function scopeOptions({ service, env }) {
  return [...(service ? ['--service', service] : []), '--env', env];
}

/** `count` secrets named `<prefix>_<i>` with random values of 27 characters. */
export function makeSecrets(count, prefix = 'KEY') {
  return Array.from({ length: count }, (_, i) => [
    `${prefix}_${i}`,
    `sk_${randomBytes(18).toString('base64url')}`,
  ]);
}

export function formatDotenv(entries) {
  return entries.map(([name, value]) => `${name}=${value}\n`).join('');
}

/**
 * Writes `count` small source files under `dir`, 20 per folder in two levels of folders (50,000
 * files: 50 × 50 folders), and returns their paths relative to `dir`. Only 100 distinct contents:
 * git then writes 100 blobs instead of 50,000 loose objects, and the index is just as large.
 */
export function writeSourceTree(dir, count) {
  const perFolder = 20;
  const width = Math.ceil(Math.sqrt(Math.ceil(count / perFolder)));
  const files = [];
  for (let i = 0; i < count; i++) {
    const folder = Math.floor(i / perFolder);
    const rel = path.join(
      'src',
      `d${Math.floor(folder / width)}`,
      `s${folder % width}`,
      `f${i % perFolder}.ts`,
    );
    if (i % perFolder === 0) mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), `export const value = ${i % 100};\n`);
    files.push(rel);
  }
  return files;
}
