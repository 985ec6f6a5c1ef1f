// The benchmark suite of issue 5: `npm run bench` (full: budgets enforced, exit 1 on a miss) or
// `npm run bench -- --quick` (each case once at small sizes, for CI: exit 1 only if a case
// crashes). Fixtures live in a temporary folder removed at the end; results go to results.json.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createWorkspace,
  formatDotenv,
  makeSecrets,
  STARTUP_VARIABLES,
  writeSourceTree,
} from './fixtures.mjs';
import { BenchError, describeStep, Interrupted, measureCase, median, runStep } from './measure.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = fileURLToPath(new URL('results.json', import.meta.url));

const usage = `usage: node bench/run.mjs [--quick] [--only <case>,<case>…] [--keep-node-env]
  --quick   run every case once at small sizes and never fail on budgets (CI)
  --only    run only these cases, by number (results.json then holds only them)
  --keep-node-env
            keep NODE_OPTIONS and NODE_EXTRA_CA_CERTS (removed by default: they change every
            Node start-up, command and baseline alike)`;

function parseArgs(argv) {
  const options = { quick: false, only: null, keepNodeEnv: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--only' && argv[i + 1]) options.only = new Set(argv[++i].split(','));
    else if (arg === '--keep-node-env') options.keepNodeEnv = true;
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`error: unknown argument '${arg}'\n${usage}\n`);
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const quick = options.quick;

const size = quick
  ? {
      services: 2,
      secretsPerGetScope: 20,
      hookFiles: 500,
      bigScope: 200,
      importLines: 200,
      rotateScopes: 5,
      rotateSecrets: 10,
      rotateMembers: 3,
      mergeLines: 200,
      mergeChanges: 10,
    }
  : {
      services: 5,
      secretsPerGetScope: 20,
      hookFiles: 50_000,
      bigScope: 10_000,
      importLines: 10_000,
      rotateScopes: 100,
      rotateSecrets: 100,
      rotateMembers: 50,
      mergeLines: 10_000,
      mergeChanges: 100,
    };

/**
 * Rounds per case: quick runs each command once; slow cases take fewer samples. Fast cases take
 * 51: with 21, their median ratio moved by ±0.03× from one full run to the next on the 2-core CI
 * machine, as much as a budget's margin.
 */
function rounds(kind) {
  if (quick) return { warmup: 0, samples: 1 };
  if (kind === 'fast') return { warmup: 5, samples: 51 };
  if (kind === 'medium') return { warmup: 2, samples: 15 };
  return { warmup: 1, samples: 7 };
}

const distDir = path.join(repoRoot, 'dist');
if (!existsSync(path.join(distDir, 'git-kagi.cjs'))) {
  process.stderr.write(
    'error: dist/git-kagi.cjs is missing\nhint: npm run bench builds it first\n',
  );
  process.exit(1);
}

// Ctrl-C reaches the running child too; this process survives it so that the workspace is
// removed, and stops at the child's SIGINT or, at the latest, before the next case.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

const workspace = createWorkspace(distDir, { keepStartupVariables: options.keepNodeEnv });
const noop = (p) => ({ argv: [process.execPath, '-e', '0'], cwd: p.dir, env: p.env });
const fixtureCache = new Map();

/** Builds a fixture once, on first use, and says how long it took (on stderr). */
function fixture(name, build) {
  return () => {
    if (!fixtureCache.has(name)) {
      const start = performance.now();
      progress(`  fixture: ${name} …`);
      fixtureCache.set(name, build());
      progress(` ${formatSeconds(performance.now() - start)}\n`);
    }
    return fixtureCache.get(name);
  };
}

const runSecrets = makeSecrets(20);

/** 20 secrets in the project-wide development scope, committed twice; the same as a .env file. */
const smallProject = fixture('20 secrets in development', () => {
  const p = workspace.createProject('small');
  p.importSecrets({ env: 'development' }, runSecrets);
  writeFileSync(path.join(p.dir, '.env'), formatDotenv(runSecrets));
  p.git(['add', '.']);
  p.git(['commit', '-q', '--no-verify', '-m', 'secrets']);
  writeFileSync(path.join(p.dir, 'README'), 'bench\n');
  p.git(['add', 'README']);
  p.git(['commit', '-q', '--no-verify', '-m', 'readme']);
  p.kagi(['get']); // the key is cached on the device, as after any first use
  return p;
});

const getProject = fixture(`${size.services} services × 3 envs × 20 secrets`, () => {
  const p = workspace.createProject('get');
  for (let s = 0; s < size.services; s++)
    for (const env of ['development', 'test', 'production'])
      p.importSecrets({ service: `svc-${s}`, env }, makeSecrets(size.secretsPerGetScope));
  return p;
});

const hookProject = fixture(
  `${size.hookFiles.toLocaleString('en')}-file repository, 300 secrets, 10 staged`,
  () => {
    const p = workspace.createProject('hook');
    p.importSecrets({ env: 'development' }, makeSecrets(100, 'SHARED'));
    p.importSecrets({ service: 'api', env: 'development' }, makeSecrets(100, 'API'));
    p.importSecrets({ service: 'web', env: 'production' }, makeSecrets(100, 'WEB'));
    const files = writeSourceTree(p.dir, size.hookFiles);
    p.git(['add', '-A']);
    p.git(['commit', '-q', '--no-verify', '-m', 'tree']);
    const step = Math.floor(files.length / 10);
    const staged = Array.from({ length: 10 }, (_, i) => files[i * step]);
    for (const [i, file] of staged.entries())
      writeFileSync(path.join(p.dir, file), `export const changed${i} = 'not a secret';\n`, {
        flag: 'a',
      });
    p.git(['add', '--', ...staged]);
    // Silent means it found the key and checked every value (else it says what it skipped).
    runStep(p.kagiStep(['hook', 'pre-commit']), { quiet: true });
    return p;
  },
);

const mergePath = '.kagi/secrets/api/development.enc';
const bigScope = { service: 'api', env: 'development' };

/**
 * One scope of `bigScope` secrets on main, and two branches that each change `mergeChanges`
 * other secrets; the three versions of the store are copied out for the merge driver.
 */
const bigProject = fixture(`scope of ${size.bigScope.toLocaleString('en')} secrets`, () => {
  const p = workspace.createProject('big');
  const secrets = makeSecrets(size.bigScope);
  p.importSecrets(bigScope, secrets);
  p.git(['add', '.']);
  p.git(['commit', '-q', '--no-verify', '-m', 'base']);
  const n = size.mergeChanges;
  const sides = { ours: secrets.slice(0, n), theirs: secrets.slice(n, 2 * n) };
  for (const [branch, changed] of Object.entries(sides)) {
    p.git(['checkout', '-q', '-b', branch, 'main']);
    p.importSecrets(
      bigScope,
      makeSecrets(n).map(([, value], i) => [changed[i][0], value]),
      ['--force'],
    );
    p.git(['commit', '-q', '--no-verify', '-am', branch]);
  }
  p.git(['checkout', '-q', 'main']);
  const blob = (rev) => p.git(['show', `${rev}:${mergePath}`]);
  return {
    project: p,
    base: workspace.writeFile('merge-base.enc', blob('main')),
    ours: workspace.writeFile('merge-ours.enc', blob('ours')),
    theirs: workspace.writeFile('merge-theirs.enc', blob('theirs')),
    result: path.join(workspace.root, 'files', 'merge-result.enc'),
    importFile: workspace.writeFile('import.env', formatDotenv(makeSecrets(size.importLines))),
  };
});

const rotateProject = fixture(
  `${size.rotateScopes} scopes × ${size.rotateSecrets} secrets, ${size.rotateMembers} members`,
  () => {
    const p = workspace.createProject('rotate');
    const envs = ['development', 'test', 'production'];
    for (let i = 0; i < size.rotateScopes; i++)
      p.importSecrets(
        { service: `svc-${Math.floor(i / envs.length)}`, env: envs[i % envs.length] },
        makeSecrets(size.rotateSecrets),
      );
    p.addMembers(size.rotateMembers - 1);
    return p;
  },
);

const dotenvx = (() => {
  const dir = path.join(repoRoot, 'node_modules', '@dotenvx', 'dotenvx');
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.dotenvx;
    return { version: pkg.version, script: path.join(dir, bin) };
  } catch {
    return null;
  }
})();

/**
 * The cases. `budget` is a ratio to the baseline's median, or an absolute time in ms for cases
 * without a baseline; `null` means report only.
 */
const cases = [
  {
    id: '1',
    name: 'run -- true · 20 secrets, key cached',
    baselineName: 'node -e 0',
    budget: { ratio: 1.4 },
    rounds: rounds('fast'),
    setup: smallProject,
    command: (p) => p.kagiStep(['run', '--', 'true']),
    baseline: (p) => [noop(p)],
  },
  {
    id: '2',
    name: 'run -- true · 20 secrets, vs dotenvx',
    baselineName: `dotenvx run -f .env -- true (dotenvx ${dotenvx?.version})`,
    budget: { ratio: 0.2 },
    rounds: rounds('fast'),
    setup: () => {
      if (!dotenvx) throw new BenchError('@dotenvx/dotenvx is not installed (npm ci)');
      return smallProject();
    },
    command: (p) => p.kagiStep(['run', '--', 'true']),
    baseline: (p) => [
      {
        argv: [process.execPath, dotenvx.script, 'run', '-f', '.env', '--', 'true'],
        cwd: p.dir,
        env: p.env,
      },
    ],
  },
  {
    id: '3',
    name: `get · ${size.services} services × 3 envs × ${size.secretsPerGetScope} secrets`,
    baselineName: 'node -e 0',
    budget: { ratio: 1.5 },
    rounds: rounds('fast'),
    setup: getProject,
    command: (p) => p.kagiStep(['get']),
    baseline: (p) => [noop(p)],
  },
  {
    id: '4',
    name: `hook pre-commit · ${size.hookFiles.toLocaleString('en')} files, 10 staged, 300 secrets`,
    baselineName: 'node -e 0 + git diff --cached --name-only',
    budget: { ratio: 1.5 },
    rounds: rounds('fast'),
    setup: hookProject,
    command: (p) => p.kagiStep(['hook', 'pre-commit']),
    baseline: (p) => [
      noop(p),
      { argv: ['git', 'diff', '--cached', '--name-only'], cwd: p.dir, env: p.env },
    ],
  },
  {
    id: '5',
    name: 'hook post-checkout · nothing to do',
    baselineName: 'node -e 0',
    budget: { ratio: 1.2 },
    rounds: rounds('fast'),
    setup: () => {
      const p = smallProject();
      const [oldRev, newRev] = p.git(['rev-parse', 'HEAD~1', 'HEAD']).trim().split('\n');
      const step = p.kagiStep(['hook', 'post-checkout', oldRev, newRev, '1']);
      runStep(step, { quiet: true }); // the first call after init remembers that access was granted
      return { p, step };
    },
    command: ({ step }) => step,
    baseline: ({ p }) => [noop(p)],
  },
  {
    id: '6',
    name: `set · one secret in a scope of ${size.bigScope.toLocaleString('en')}`,
    baselineName: 'node -e 0',
    budget: { ratio: 3 },
    rounds: rounds('fast'),
    setup: bigProject,
    command: ({ project }, i) =>
      project.kagiStep(['set', '--service', 'api', '--env', 'development', 'BENCH_SET', `v${i}`]),
    baseline: ({ project }) => [noop(project)],
  },
  {
    id: '7',
    name: `import · ${size.importLines.toLocaleString('en')}-line .env into a new scope`,
    baselineName: null,
    budget: { ms: 1500 },
    rounds: rounds('slow'),
    setup: bigProject,
    command: ({ project, importFile }, i) =>
      project.kagiStep([
        ...['import', '--service', `import-${i}`, '--env', 'development'],
        ...['--file', importFile, '--force'],
      ]),
  },
  {
    id: '8',
    name: `rotate · ${size.rotateScopes} scopes × ${size.rotateSecrets} secrets, ${size.rotateMembers} members`,
    baselineName: null,
    budget: { ms: 5000 },
    rounds: quick ? rounds('slow') : { warmup: 1, samples: 5 },
    setup: rotateProject,
    command: (p) => p.kagiStep(['rotate']),
  },
  {
    id: '9',
    name: `merge-driver store · ${size.mergeLines.toLocaleString('en')} lines, ${size.mergeChanges} changes each side`,
    baselineName: null,
    budget: { ms: 1000 },
    rounds: quick ? rounds('slow') : { warmup: 1, samples: 11 },
    setup: bigProject,
    // The driver writes its result over %A: each round starts from a fresh copy of ours.
    prepare: ({ ours, result }) => copyFileSync(ours, result),
    command: ({ project, base, result, theirs }) =>
      project.kagiStep(['merge-driver', 'store', base, result, theirs, mergePath]),
  },
  {
    id: '10',
    name: 'first run on a device · age unwrap, then cache',
    baselineName: 'node -e 0',
    budget: null,
    rounds: rounds('medium'),
    setup: smallProject,
    prepare: (p) => rmSync(path.join(p.home, 'projects', `${p.projectId}.key`), { force: true }),
    command: (p) => p.kagiStep(['run', '--', 'true']),
    baseline: (p) => [noop(p)],
  },
  {
    // Not in issue 5's table: post-merge runs on every pull, so it gets post-checkout's budget.
    id: '11',
    name: 'hook post-merge · nothing to do',
    baselineName: 'node -e 0',
    budget: { ratio: 1.2 },
    rounds: rounds('fast'),
    setup: () => {
      const p = smallProject();
      runStep(p.kagiStep(['hook', 'post-merge', '0']), { quiet: true });
      return p;
    },
    command: (p) => p.kagiStep(['hook', 'post-merge', '0']),
    baseline: (p) => [noop(p)],
  },
  {
    // Not in issue 5's table: case 3 right after a pull or a change, before the device has
    // cached the decrypted scopes (DESIGN.md §3), so every line is decrypted.
    id: '12',
    name: `get · case 3 with the scope cache cold`,
    baselineName: 'node -e 0',
    budget: null,
    rounds: rounds('fast'),
    setup: getProject,
    prepare: (p) =>
      rmSync(path.join(p.dir, '.git', 'kagi', 'cache'), { recursive: true, force: true }),
    command: (p) => p.kagiStep(['get']),
    baseline: (p) => [noop(p)],
  },
];

function progress(text) {
  process.stderr.write(text);
}

function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

function formatBudget(budget) {
  if (!budget) return 'report';
  return budget.ratio !== undefined ? `≤ ${budget.ratio}×` : `≤ ${budget.ms} ms`;
}

function runCase(c) {
  const data = c.setup();
  const times = measureCase({
    ...c.rounds,
    prepare: c.prepare && ((i) => c.prepare(data, i)),
    command: (i) => c.command(data, i),
    baseline: c.baseline && ((i) => c.baseline(data, i)),
  });
  const commandMedian = median(times.command);
  const baselineMedian = times.baseline ? median(times.baseline) : null;
  const ratio = baselineMedian ? commandMedian / baselineMedian : null;
  let pass = null;
  if (!quick && c.budget)
    pass = c.budget.ratio !== undefined ? ratio <= c.budget.ratio : commandMedian <= c.budget.ms;
  return {
    command: describeStep(c.command(data, 0)).replaceAll(workspace.root, '$TMP'),
    samples: times,
    medians: { command: commandMedian, baseline: baselineMedian },
    ratio,
    pass,
  };
}

function roundMs(ms) {
  return Math.round(ms * 1000) / 1000;
}

function gitOutput(args) {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const loadAtStart = os.loadavg();
const removedStartupVariables = options.keepNodeEnv
  ? []
  : STARTUP_VARIABLES.filter((name) => process.env[name] !== undefined);
const selected = cases.filter((c) => !options.only || options.only.has(c.id));
const flags = [quick && '--quick', options.keepNodeEnv && '--keep-node-env'].filter(Boolean);
const reproduceFlags = flags.length > 0 ? ` -- ${flags.join(' ')}` : '';
const started = performance.now();
const results = [];
progress(
  `git-kagi benchmarks, ${quick ? 'quick mode: each case once, small sizes, budgets not enforced' : 'full mode'}\n`,
);
progress(`workspace: ${workspace.root} (removed at the end)\n`);
try {
  for (const [index, c] of selected.entries()) {
    await new Promise(setImmediate); // lets a pending SIGINT handler run
    if (interrupted) break;
    progress(`[${index + 1}/${selected.length}] case ${c.id}: ${c.name}\n`);
    const caseStart = performance.now();
    try {
      results.push({ case: c, ...runCase(c) });
      progress(`  done in ${formatSeconds(performance.now() - caseStart)}\n`);
    } catch (error) {
      if (error instanceof Interrupted) {
        interrupted = true;
        break;
      }
      const message = error instanceof Error ? error.message : String(error);
      progress(`  CRASH: ${message.replaceAll(workspace.root, '$TMP')}\n`);
      results.push({ case: c, error: message.replaceAll(workspace.root, '$TMP') });
    }
  }
} finally {
  const start = performance.now();
  progress('removing the workspace …');
  workspace.remove();
  progress(` ${formatSeconds(performance.now() - start)}\n`);
}
if (interrupted) {
  process.stderr.write('interrupted; workspace removed\n');
  process.exit(130);
}

const rows = results.map((r) => [
  r.case.id,
  r.case.name,
  r.error ? '—' : String(r.samples.command.length),
  r.error ? '—' : formatMs(r.medians.command),
  r.error ? '—' : formatMs(r.medians.baseline),
  r.ratio ? `${r.ratio.toFixed(2)}×` : '—',
  formatBudget(r.case.budget),
  r.error ? 'CRASH' : quick ? 'ran' : r.pass === null ? '—' : r.pass ? 'PASS' : 'FAIL',
]);
const header = ['#', 'case', 'n', 'git kagi', 'baseline', 'ratio', 'budget', 'result'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const right = new Set([2, 3, 4, 5]);
const line = (cells) =>
  cells
    .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
const otherBaselines = results
  .filter((r) => r.case.baselineName && r.case.baselineName !== 'node -e 0')
  .map((r) => `  ${r.case.id}: ${r.case.baselineName}`);
const load = (values) => values.map((n) => n.toFixed(2)).join(' ');

process.stdout.write(
  [
    '',
    `git-kagi ${quick ? 'quick' : 'full'} benchmark: ${
      quick
        ? 'small sizes, one sample of each command, budgets not enforced'
        : 'medians of n samples, each command interleaved with its baseline after a warm-up'
    }`,
    `node ${process.version}, git ${gitOutput(['--version'])?.replace('git version ', '')}, ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, load average ` +
      `${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end`,
    ...(removedStartupVariables.length > 0
      ? [
          `every process runs without ${removedStartupVariables.join(', ')} (set here; --keep-node-env keeps it)`,
        ]
      : []),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `baseline: node -e 0${otherBaselines.length > 0 ? ', except' : ''}`,
    ...otherBaselines,
    '',
    `reproduce: npm run bench${reproduceFlags}    (${formatSeconds(performance.now() - started)}; samples in bench/results.json)`,
    '',
  ].join('\n'),
);
for (const r of results.filter((r) => r.error))
  process.stdout.write(`case ${r.case.id} crashed: ${r.error}\n`);

const report = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  node: process.version,
  machine: {
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? null,
    cpus: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    load_average: {
      start: loadAtStart.map((n) => Number(n.toFixed(2))),
      end: os.loadavg().map((n) => Number(n.toFixed(2))),
    },
  },
  git: gitOutput(['--version']),
  removed_variables: removedStartupVariables,
  commit: gitOutput(['rev-parse', 'HEAD']),
  src_modified: gitOutput(['status', '--porcelain', '--', 'src']) !== '',
  dotenvx: dotenvx?.version ?? null,
  sizes: size,
  cases: results.map((r) => ({
    id: r.case.id,
    name: r.case.name,
    command: r.command ?? null,
    baseline: r.case.baselineName,
    budget: r.case.budget,
    ...(r.error
      ? { error: r.error }
      : {
          samples_ms: {
            command: r.samples.command.map(roundMs),
            baseline: r.samples.baseline?.map(roundMs) ?? null,
          },
          medians_ms: r.medians,
          ratio: r.ratio,
          pass: r.pass,
        }),
  })),
};
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);

const crashed = results.some((r) => r.error);
const missed = results.some((r) => r.pass === false);
process.exitCode = crashed || missed ? 1 : 0;
