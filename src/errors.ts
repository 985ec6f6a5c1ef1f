// One error type for everything a user can see: a stable code, a message that names the object
// (never a secret value), an optional hint, and an exit code from the table of DESIGN §6.

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  noAccess: 3,
  integrity: 4,
  internal: 70,
} as const;

/** The table above, plus 126/127 for `run` and the child's own code. */
export type ExitCode = number;

export interface KagiErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

/** Marks our errors across bundles: the entry (run, hooks) and the lazy build each carry a copy of this class. */
const BRAND = Symbol.for('git-kagi.KagiError');

export class KagiError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }

  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: KagiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KagiError';
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

export function usageError(message: string, hint?: string): KagiError {
  return new KagiError('usage', message, { hint, exitCode: EXIT.usage });
}

/** Every crypto failure becomes this one error; the original is kept only as `cause`. */
export function integrityError(message: string, hint?: string, cause?: unknown): KagiError {
  return new KagiError('integrity', message, { hint, exitCode: EXIT.integrity, cause });
}

export function noAccessError(message: string, hint?: string): KagiError {
  return new KagiError('no-access', message, { hint, exitCode: EXIT.noAccess });
}
