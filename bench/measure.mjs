// Timing for the benchmark suite: one process at a time, timed from spawn to exit with
// process.hrtime.bigint(), and a command always interleaved with its baseline (A B A B …) so that
// a noisy machine slows both alike. A process that exits non-zero stops the case.
import { spawnSync } from 'node:child_process';

/** A failed measured or fixture command; the message names it and ends with its stderr. */
export class BenchError extends Error {}

/** A child ended by Ctrl-C: the whole run stops (the parent survives it to clean up). */
export class Interrupted extends Error {}

/**
 * Runs one process to completion and returns its wall time in milliseconds.
 * `step` is `{ argv: [file, ...args], cwd, env, input? }`.
 */
export function timeStep(step) {
  const [file, ...args] = step.argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, {
    cwd: step.cwd,
    env: step.env,
    input: step.input,
    stdio: [step.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  checkExit(step, result);
  return ms;
}

/**
 * Runs one process for its output (fixtures, git plumbing); throws unless it exits 0, and with
 * `quiet`, unless it also wrote nothing on stderr.
 */
export function runStep(step, { quiet = false } = {}) {
  const [file, ...args] = step.argv;
  const result = spawnSync(file, args, {
    cwd: step.cwd,
    env: step.env,
    input: step.input,
    stdio: [step.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  checkExit(step, result);
  if (quiet && result.stderr.length > 0)
    throw new BenchError(
      `${describeStep(step)} wrote on stderr:\n    ${String(result.stderr).trim()}`,
    );
  return result.stdout;
}

function checkExit(step, result) {
  if (result.status === 0) return;
  if (result.signal === 'SIGINT') throw new Interrupted('interrupted');
  const how = result.error
    ? result.error.message
    : result.signal
      ? `killed by ${result.signal}`
      : `exit ${result.status}`;
  const stderr = String(result.stderr ?? '')
    .trim()
    .split('\n')
    .slice(-8)
    .join('\n    ');
  throw new BenchError(`${describeStep(step)} failed (${how})${stderr ? `:\n    ${stderr}` : ''}`);
}

/** The command line as a person would type it (the node executable shortened to `node`). */
export function describeStep(step) {
  return step.argv
    .map((a, i) => (i === 0 && a === process.execPath ? 'node' : a))
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/**
 * Measures a case: `warmup` untimed rounds, then `samples` rounds of the command followed by its
 * baseline. Each round calls `prepare(i)` first (untimed); `command(i)` gives the step to time
 * and `baseline(i)` the steps whose times are summed into one baseline sample (or null).
 */
export function measureCase({ warmup, samples, prepare, command, baseline }) {
  const times = { command: [], baseline: baseline ? [] : null };
  for (let i = 0; i < warmup + samples; i++) {
    prepare?.(i);
    const ms = timeStep(command(i));
    const base = baseline ? baseline(i).reduce((sum, step) => sum + timeStep(step), 0) : null;
    if (i < warmup) continue;
    times.command.push(ms);
    if (base !== null) times.baseline.push(base);
  }
  return times;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
