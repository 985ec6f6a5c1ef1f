import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeOut } from './base.js';
import { fixUsage } from './usage.js';

export class RunCommand extends KagiCommand {
  static override paths = [['run']];
  static positionals = '[service] [env] [--] command…';
  static override usage = Command.Usage({
    description: 'run a program with the secrets in its environment',
    details: `
      \`git kagi run [service] [env] [--] command…\` injects the env's project-wide secrets, then the
      service's secrets over them, over your own environment. The program's exit code is passed
      through (128+n when a signal killed it) and SIGINT, SIGTERM and SIGHUP are forwarded.
      KAGI_* variables never reach the program. The command runs without a shell: for pipes or
      \`$VARS\`, run a shell yourself.
    `,
    examples: [
      ['Start the api with its development secrets', 'git kagi run api -- npm start'],
      ['Production values for a one-off script', 'git kagi run api production -- ./migrate.sh'],
      [
        'Shell syntax needs an explicit shell',
        "git kagi run api sh -c 'echo $DATABASE_URL | wc -c'",
      ],
    ],
  });

  argv = Option.Proxy();

  /**
   * The run bundle (bundles/run.ts) starts every program; the CLI gets `run` only for help, here
   * when a flag before it hides the `-h` from the CLI's own help check.
   */
  async perform(rt: Runtime) {
    const { openRunTarget } = await import('../operations/project/target.js');
    const target = await openRunTarget(rt, this.argv);
    if (target.run.help) {
      writeOut(fixUsage(this.cli.usage(RunCommand, { detailed: true }), [RunCommand]));
      return 0;
    }
    const { runWithSecrets } = await import('../operations/secrets/run-with-secrets.js');
    return runWithSecrets(rt, target, target.run.command);
  }
}
