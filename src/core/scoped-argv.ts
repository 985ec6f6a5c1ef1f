// The plain argv of the everyday scoped commands (`get`, `set`): words, `--service`/`-s`, `--env`/`-e`
// and a few boolean flags, read without the CLI framework. null for anything else (help, an
// unknown flag, a missing value), which the CLI then parses and explains.

export interface ScopedArgv {
  args: string[];
  service?: string | undefined;
  env?: string | undefined;
  flags: Set<string>;
}

export function parseScopedArgv(
  argv: readonly string[],
  booleanFlags: readonly string[],
): ScopedArgv | null {
  const out: ScopedArgv = { args: [], flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      out.args.push(...argv.slice(i + 1));
      break;
    }
    const inline =
      word.startsWith('--') && word.includes('=') ? word.slice(word.indexOf('=') + 1) : undefined;
    const flag = inline === undefined ? word : word.slice(0, word.indexOf('='));
    if (flag === '--service' || flag === '-s' || flag === '--env' || flag === '-e') {
      const value = inline ?? argv[++i];
      if (value === undefined) return null;
      if (flag === '--service' || flag === '-s') out.service = value;
      else out.env = value;
    } else if (inline === undefined && booleanFlags.includes(word)) out.flags.add(word);
    else if (word.startsWith('-')) return null;
    else out.args.push(word);
  }
  return out;
}
