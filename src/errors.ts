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

/**
 * Every error code there is, each with the exit code it ends a command with: a code's exit code
 * comes from here and nowhere else. Codes are stable (tests and scripts may match them); messages
 * are for people.
 */
const CODES = {
  // failure: the command could not do it
  aborted: EXIT.failure,
  'already-initialised': EXIT.failure,
  'already-removed': EXIT.failure,
  conflict: EXIT.failure,
  'damaged-identity': EXIT.failure,
  'default-env': EXIT.failure,
  'dotenv-name': EXIT.failure,
  'dotenv-syntax': EXIT.failure,
  'dotenv-value': EXIT.failure,
  'env-too-large': EXIT.failure,
  'file-exists': EXIT.failure,
  'git-failed': EXIT.failure,
  'git-missing': EXIT.failure,
  'journal-identity': EXIT.failure,
  'key-changed': EXIT.failure,
  'last-member': EXIT.failure,
  locked: EXIT.failure,
  'member-changed': EXIT.failure,
  'merge-no-key': EXIT.failure,
  'needs-terminal': EXIT.failure,
  'no-example': EXIT.failure,
  'no-file': EXIT.failure,
  'no-project': EXIT.failure,
  'not-a-repository': EXIT.failure,
  'not-a-store': EXIT.failure,
  'not-a-work-tree': EXIT.failure,
  'not-found': EXIT.failure,
  'not-pending': EXIT.failure,
  'nothing-to-export': EXIT.failure,
  'resolve-deleted': EXIT.failure,
  'resolve-incomplete': EXIT.failure,
  'rotation-unfinished': EXIT.failure,
  'spawn-failed': EXIT.failure,
  'unreadable-tree': EXIT.failure,
  'write-failed': EXIT.failure,
  // usage: the words of the command are wrong
  'bad-identity': EXIT.usage,
  'bad-key': EXIT.usage,
  'bad-revision': EXIT.usage,
  'bad-value': EXIT.usage,
  'invalid-name': EXIT.usage,
  'no-member': EXIT.usage,
  'no-output': EXIT.usage,
  'no-value': EXIT.usage,
  usage: EXIT.usage,
  // noAccess: no key, or not a member
  'no-access': EXIT.noAccess,
  // integrity: tampered, stale or undecryptable data
  integrity: EXIT.integrity,
  'journal-damaged': EXIT.integrity,
  malformed: EXIT.integrity,
  'stale-state': EXIT.integrity,
  // 126: `run`: the program is not executable
  'not-executable': 126,
  // 127: `run`: no such program
  'command-not-found': 127,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof CODES;

export interface KagiErrorOptions {
  hint?: string | undefined;
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

  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: KagiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KagiError';
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = CODES[code];
  }
}

export function usageError(message: string, hint?: string): KagiError {
  return new KagiError('usage', message, { hint });
}

/** Every crypto failure becomes this one error; the original is kept only as `cause`. */
export function integrityError(message: string, hint?: string, cause?: unknown): KagiError {
  return new KagiError('integrity', message, { hint, cause });
}

export function noAccessError(message: string, hint?: string): KagiError {
  return new KagiError('no-access', message, { hint });
}
