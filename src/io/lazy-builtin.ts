// Node builtins that only some paths need (child_process, readline), loaded on first use:
// each one costs start-up milliseconds that `run` and the hooks should not pay. A synchronous
// require, because the build turns dynamic imports of builtins into default-only modules.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function loadChildProcess(): typeof import('node:child_process') {
  return load('node:child_process') as typeof import('node:child_process');
}

export function loadReadline(): typeof import('node:readline') {
  return load('node:readline') as typeof import('node:readline');
}
