// `git kagi run …` without the CLI framework: it stands in front of every program a developer
// starts, so its start-up is budgeted (issue 5). Help still comes from the CLI's descriptions.
import type { Runtime } from '../runtime.js';

export async function runRunCommand(argv: readonly string[], rt: Runtime): Promise<number> {
  const { openRunTarget } = await import('../operations/project/target.js');
  const first = argv[0];
  const target = first === '-h' || first === '--help' ? null : await openRunTarget(rt, argv);
  if (!target || target.run.help) {
    const { runCli } = await import('../cli/cli.js');
    return runCli(['run', '-h'], rt);
  }
  const { runWithSecrets } = await import('../operations/secrets/run-with-secrets.js');
  return runWithSecrets(rt, target, target.run.command);
}
