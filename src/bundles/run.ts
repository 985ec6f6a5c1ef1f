// `git kagi run …` without the CLI framework: it stands in front of every program a developer
// starts, so its start-up is budgeted (bench case 1). Help, and any form this cannot read, goes to
// the CLI (null), whose `run` command (cli/run.ts) explains it.
import { openRunTarget } from '../operations/project/target.js';
import { runWithSecrets } from '../operations/secrets/run-with-secrets.js';
import type { Runtime } from '../runtime.js';

export async function work(argv: readonly string[], rt: Runtime): Promise<number | null> {
  const first = argv[0];
  if (first === '-h' || first === '--help') return null;
  const target = await openRunTarget(rt, argv);
  if (target.run.help) return null;
  return runWithSecrets(rt, target, target.run.command);
}
