// Node builtins that only some paths need (child_process, readline), loaded on first use:
// each one costs start-up milliseconds that `run` and the hooks should not pay. A synchronous
// call, because the build turns dynamic imports of builtins into default-only modules.

export function loadChildProcess(): typeof import('node:child_process') {
  return process.getBuiltinModule('node:child_process');
}

export function loadReadline(): typeof import('node:readline') {
  return process.getBuiltinModule('node:readline');
}
