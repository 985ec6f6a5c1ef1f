import { Command, Option } from 'clipanion';
import { KagiError } from '../errors.js';
import { readStdin } from '../io/terminal.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class SetCommand extends KagiCommand {
  static override paths = [['set']];
  static positionals = '[service] [env] KEY [value]';
  static override usage = Command.Usage({
    description: 'set one secret',
    details: `
      \`git kagi set [service] [env] KEY [value]\`. Without a value it reads standard input, or asks
      without echo on a terminal, so the value stays out of your shell history.

      At the root, \`set api KEY\` writes api/<default env> and \`set production KEY\` the project-wide
      production scope; inside a nested service folder the service is implied.
    `,
    examples: [
      ['Ask for the value without echo', 'git kagi set api DATABASE_URL'],
      ['Set a production value from a file', 'git kagi set api production STRIPE_KEY < key.txt'],
      ['Project-wide value for every service', 'git kagi set LOG_LEVEL debug'],
    ],
  });

  service = serviceOption();
  env = envOption();
  args = Option.Rest({ name: 'service env KEY value' });

  async run(rt: Runtime) {
    const { openTarget } = await import('../operations/target.js');
    const target = await openTarget(rt, {
      args: this.args,
      tail: { min: 1, max: 2 },
      allowNewService: true,
      service: this.service,
      env: this.env,
    });
    const [name, given] = target.rest as [string, string | undefined];
    const { parseWritableSecretName } = await import('../core/names.js');
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
    const { setSecret } = await import('../operations/set-secret.js');
    const result = await setSecret(rt, target, name, value);
    writeErr(
      `${result.added ? 'Added' : result.changed ? 'Changed' : 'Unchanged:'} ${result.name} in ${result.scope}`,
    );
    return 0;
  }
}

async function readValueFromStdin(): Promise<string> {
  const bytes = await readStdin();
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KagiError('bad-value', 'the value on standard input is not valid UTF-8', {
      exitCode: 2,
    });
  }
  if (bytes.length === 0) {
    throw new KagiError('no-value', 'no value on standard input', {
      hint: "pipe the value in, run it on a terminal to be asked, or pass an empty value explicitly: git kagi set KEY ''",
      exitCode: 2,
    });
  }
  // One trailing newline is how `echo` and files end; it is not part of the value.
  return value.replace(/\r?\n$/, '');
}
