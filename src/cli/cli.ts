// The clipanion front end: parses argv, maps usage errors to exit 2 on stderr (clipanion would
// print them on stdout and exit 1) and runs the command with the Runtime.
import { Builtins, Cli, type Command } from 'clipanion';
import { EXIT } from '../errors.js';
import { writeOut } from '../io/output.js';
import type { Runtime } from '../runtime.js';
import { commands } from './commands.js';
import { fixUsage } from './usage.js';

export const VERSION = '0.1.0';

export function buildCli(): Cli {
  const cli = new Cli({
    binaryLabel: 'git-kagi — encrypted environment variables, kept safe by git',
    binaryName: 'git kagi',
    binaryVersion: VERSION,
    enableColors: process.stdout.isTTY === true,
  });
  for (const command of commands) cli.register(command);
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

export async function executeCli(argv: readonly string[], runtime: Runtime): Promise<number> {
  const cli = buildCli();
  const context = { ...Cli.defaultContext, runtime };
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') {
    writeOut(fixUsage(cli.usage(null), commands));
    return 0;
  }
  const asked = findHelpRequest(argv);
  if (asked) {
    // Through output.ts, as `run -h` must be: `run` ends without waiting for Node's streams.
    writeOut(fixUsage(cli.usage(asked, { detailed: true }), commands));
    return 0;
  }
  let command: Command;
  try {
    command = cli.process(joinOptionalValues(argv), context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known = commands.some((c) => c.paths?.some((path) => path[0] === argv[0]));
    if (message.startsWith('Command not found') && known) {
      // Never echo the words: one of them is often a value, such as `set KEY -secret`.
      process.stderr.write(`error: cannot read the arguments of \`git kagi ${argv[0]}\`\n`);
      const dash = argv.slice(1).some((word) => word.startsWith('-'));
      process.stderr.write(
        `hint: ${dash ? "a value that starts with '-' goes after `--` (git kagi set KEY -- -value); " : ''}see \`git kagi ${argv[0]} -h\`\n`,
      );
      return EXIT.usage;
    }
    const unknown = message.startsWith('Command not found');
    process.stderr.write(
      // clipanion quotes the word it could not place, which may be a value: never echo it.
      `error: ${unknown ? `unknown command '${argv[0]}'` : (message.split('\n')[0] ?? '').replace(/\("[^"]*"\)|"[^"]*"/g, '(…)')}\n`,
    );
    process.stderr.write(`hint: see \`git kagi ${unknown ? '' : `${argv[0]} `}-h\`\n`);
    return EXIT.usage;
  }
  return cli.run(command, context);
}

type CommandClass = (typeof commands)[number] & { positionals?: string };

/** `git kagi <command…> -h`: the command whose path starts argv, when -h comes before any `--`. */
function findHelpRequest(argv: readonly string[]): CommandClass | null {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  if (!head.includes('-h') && !head.includes('--help')) return null;
  let best: { length: number; command: CommandClass } | null = null;
  for (const command of commands) {
    for (const path of command.paths ?? []) {
      const matches = path.length > 0 && path.every((word, i) => argv[i] === word);
      if (matches && (!best || path.length > best.length)) best = { length: path.length, command };
    }
  }
  // `run` passes its flags to the program: only `run -h` and `run <scope…> -h` before `--` are help.
  if (
    best?.command === (commands.find((c) => c.paths?.[0]?.[0] === 'run') as CommandClass) &&
    end === -1
  ) {
    const flag = argv.findIndex((w) => w === '-h' || w === '--help');
    if (flag > 3) return null;
  }
  return best?.command ?? null;
}
