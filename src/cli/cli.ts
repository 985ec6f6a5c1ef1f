// The clipanion front end: parses argv, maps usage errors to exit 2 on stderr (clipanion would
// print them on stdout and exit 1) and runs the command with the Runtime.
import { Builtins, Cli, Command } from 'clipanion';
import { EXIT } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { commands } from './commands.js';

export const VERSION = '0.1.0';

class OverviewCommand extends Command {
  static override paths = [Command.Default];
  async execute() {
    process.stdout.write(this.cli.usage(null));
    return 0;
  }
}

export function buildCli(): Cli {
  const cli = new Cli({
    binaryLabel: 'git-kagi — encrypted environment variables, kept safe by git',
    binaryName: 'git kagi',
    binaryVersion: VERSION,
    enableColors: process.stdout.isTTY === true,
  });
  for (const command of commands) cli.register(command);
  cli.register(OverviewCommand);
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

/** `--nested a,b` and `--envs a,b` take an optional value: join a following word with `=`. */
function joinOptionalValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    const next = argv[i + 1];
    if (
      (word === '--nested' || word === '--envs') &&
      argv[0] === 'init' &&
      next !== undefined &&
      !next.startsWith('-')
    ) {
      out.push(`${word}=${next}`);
      i += 1;
    } else {
      out.push(word);
    }
  }
  return out;
}

export async function runCli(argv: readonly string[], runtime: Runtime): Promise<number> {
  const cli = buildCli();
  const context = { ...Cli.defaultContext, runtime };
  let command: Command;
  try {
    command = cli.process(joinOptionalValues(argv), context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    process.stderr.write(
      `hint: see \`git kagi ${argv[0] && !argv[0].startsWith('-') ? `${argv[0]} ` : ''}-h\`\n`,
    );
    return EXIT.usage;
  }
  return cli.run(command, context);
}
