// `run [service] [env] [--] command…` (DESIGN §6): clipanion cannot parse this shape (DESIGN §6.3), so
// the scope words and flags are read here, up to `--` or the first word that names no scope.
import { usageError } from '../errors.js';

export interface RunArgs {
  words: string[];
  service?: string;
  env?: string;
  help: boolean;
  command: string[];
}

export function splitRunArgs(
  argv: readonly string[],
  envs: readonly string[],
  services: Pick<ReadonlySet<string>, 'has'>,
): RunArgs {
  const out: RunArgs = { words: [], help: false, command: [] };
  let i = 0;
  const readFlagValue = (flag: string): string => {
    const word = argv[i] as string;
    if (word.includes('=')) return word.slice(word.indexOf('=') + 1);
    i += 1;
    const value = argv[i];
    if (value === undefined) throw usageError(`${flag} needs a value`);
    return value;
  };
  for (; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      out.command = argv.slice(i + 1);
      return out;
    }
    if (word === '-h' || word === '--help') out.help = true;
    else if (word === '--service' || word === '-s' || word.startsWith('--service='))
      out.service = readFlagValue('--service');
    else if (word === '--env' || word === '-e' || word.startsWith('--env='))
      out.env = readFlagValue('--env');
    else if (out.words.length === 0 && out.service === undefined && services.has(word))
      out.words.push(word);
    else if (
      out.env === undefined &&
      envs.includes(word) &&
      !out.words.some((w) => envs.includes(w))
    )
      out.words.push(word);
    else break;
  }
  out.command = argv.slice(i);
  return out;
}
