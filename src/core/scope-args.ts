// Positional scope arguments (DESIGN §6, kagi's rules): `[service] [env] <tail…>`. A configured env
// name is always an env; a known service is a service; a new service is read only when the
// argument count leaves no other reading, and an ambiguous word is an error, never a guess.
import { usageError } from '../errors.js';
import { isScopePartName, parseEnvName, parseServiceName } from './names.js';

export interface ScopeArgsInput {
  args: readonly string[];
  /** How many words follow the scope (for `set`: KEY and an optional VALUE → min 1, max 2). */
  tail: { min: number; max: number };
  envs: readonly string[];
  knownServices: Pick<ReadonlySet<string>, 'has'>;
  /** The service of the current folder (nesting), if any. */
  folderService: string | null;
  /** Whether an unknown word may name a new service (writes); reads only see known services. */
  allowNewService: boolean;
  serviceFlag?: string | undefined;
  envFlag?: string | undefined;
}

export interface ScopeArgs {
  service: string | null;
  /** null: not named (commands use the default env, or all envs for listings). */
  env: string | null;
  rest: string[];
}

export function resolveScopeArgs(input: ScopeArgsInput): ScopeArgs {
  const args = [...input.args];
  const { envs, knownServices, tail } = input;
  let service: string | null =
    input.serviceFlag === undefined ? null : parseServiceName(input.serviceFlag);
  let env: string | null = null;
  if (input.envFlag !== undefined) {
    env = parseEnvName(input.envFlag);
    if (!envs.includes(env)) throw unknownEnv(env);
  }
  if (service !== null && envs.includes(service)) {
    throw usageError(`'${service}' is an environment, not a service`, `use --env ${service}`);
  }

  const first = args[0];
  if (service === null && first !== undefined && !envs.includes(first)) {
    if (knownServices.has(first) && args.length - 1 >= tail.min) {
      service = args.shift() as string;
    } else if (
      input.allowNewService &&
      input.folderService === null &&
      input.envFlag === undefined &&
      isScopePartName(first)
    ) {
      const withoutEnv = envs.includes(args[1] ?? '') ? args.length - 2 : args.length - 1;
      // `set api DATABASE_URL`: a lower-case word before an upper-case env var name is a service.
      const conventional = /^[A-Z_][A-Z0-9_]*$/.test(args[1] ?? '') && !/[A-Z]/.test(first);
      if (
        args.length > tail.max ||
        (envs.includes(args[1] ?? '') && withoutEnv >= tail.min) ||
        (conventional && args.length - 1 >= tail.min)
      ) {
        service = args.shift() as string;
      } else if (args.length > tail.min && tail.max > 0) {
        throw usageError(
          `'${first}' could be a new service or a secret name`,
          `use --service ${first} to mean the service; use an upper-case secret name or --env <env> to mean the secret`,
        );
      }
    }
  }
  if (env === null && args[0] !== undefined && envs.includes(args[0])) {
    env = args.shift() as string;
  } else if (
    env === null &&
    args.length > tail.max &&
    args[0] !== undefined &&
    isScopePartName(args[0])
  ) {
    if (service === null && input.folderService === null) {
      throw usageError(
        `'${args[0]}' is neither a service nor an environment of this project`,
        `see the services with \`git kagi get\`; add an environment with \`git kagi env add ${args[0]}\``,
      );
    }
    throw unknownEnv(args[0]);
  }
  if (args.length < tail.min)
    throw usageError('not enough arguments', 'see `git kagi <command> -h`');
  // The extra words are not echoed: they are often a value with spaces that lacked quotes.
  if (args.length > tail.max)
    throw usageError(
      'too many arguments',
      'quote a value that has spaces, or let git kagi ask for it; see `git kagi <command> -h`',
    );
  return { service: service ?? input.folderService, env, rest: args };
}

function unknownEnv(env: string) {
  return usageError(`unknown environment '${env}'`, `add it with \`git kagi env add ${env}\``);
}
