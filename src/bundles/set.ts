// `git kagi set`, shared by the CLI and its own bundle (scripts/build.mjs): its plain forms skip
// the CLI framework (bench case 6).

import { parseWritableSecretName } from '../core/names.js';
import { parseScopedArgv } from '../core/scoped-argv.js';
import { KagiError } from '../errors.js';
import { writeErr } from '../io/output.js';
import { readStdin } from '../io/terminal.js';
import { openTarget } from '../operations/project/target.js';
import { setSecret } from '../operations/secrets/set-secret.js';
import type { Runtime } from '../runtime.js';

export interface SetOptions {
  args: string[];
  service?: string | undefined;
  env?: string | undefined;
}

/** The plain forms of `set`; null sends the command to the CLI. */
export function parseSetArgv(argv: readonly string[]): SetOptions | null {
  const parsed = parseScopedArgv(argv, []);
  return parsed && { args: parsed.args, service: parsed.service, env: parsed.env };
}

/** The bundle's work: the plain forms here, the others (null) in the CLI. */
export async function work(args: readonly string[], rt: Runtime): Promise<number | null> {
  const options = parseSetArgv(args);
  return options && performSet(options, rt);
}

/** `set` with its options parsed, by this bundle or by the CLI (cli/set.ts). */
export async function performSet(o: SetOptions, rt: Runtime): Promise<number> {
  const target = await openTarget(rt, {
    args: o.args,
    tail: { min: 1, max: 2 },
    allowNewService: true,
    service: o.service,
    env: o.env,
  });
  const [name, given] = target.rest as [string, string | undefined];
  parseWritableSecretName(name);
  let value = given;
  if (value === undefined) {
    value = rt.terminal.interactive
      ? await rt.terminal.askHidden(`Value for ${name}: `)
      : await readValueFromStdin();
  } else if (rt.terminal.interactive) {
    writeErr(
      'note: values on the command line land in your shell history; `git kagi set KEY` asks instead',
    );
  }
  const result = await setSecret(rt, target, name, value);
  writeErr(
    `${result.added ? 'Added' : result.changed ? 'Changed' : 'Unchanged:'} ${result.name} in ${result.scope}`,
  );
  return 0;
}

async function readValueFromStdin(): Promise<string> {
  const bytes = await readStdin();
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KagiError('bad-value', 'the value on standard input is not valid UTF-8');
  }
  if (bytes.length === 0) {
    throw new KagiError('no-value', 'no value on standard input', {
      hint: "pipe the value in, run it on a terminal to be asked, or pass an empty value explicitly: git kagi set KEY ''",
    });
  }
  // One trailing newline is how `echo` and files end; it is not part of the value.
  return value.replace(/\r?\n$/, '');
}
