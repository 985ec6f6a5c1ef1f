// The only file that reads process.argv and process.env and sets the exit code. Key material in
// KAGI_* variables is read once and removed from process.env (diagnostic reports include it).
import { openTerminal } from './io/terminal.js';
import type { Runtime } from './runtime.js';

const SECRET_VARIABLES = ['KAGI_PROJECT_KEY', 'KAGI_IDENTITY'];

async function main(): Promise<number> {
  const env = { ...process.env };
  for (const name of SECRET_VARIABLES) delete process.env[name];
  const runtime: Runtime = {
    env,
    cwd: process.cwd(),
    terminal: openTerminal(),
    now: () => new Date(),
    notice: (message) => process.stderr.write(message.endsWith('\n') ? message : `${message}\n`),
  };
  const { runCli } = await import('./cli/cli.js');
  return runCli(process.argv.slice(2), runtime);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Never print the error itself: it may come from Node with a value inside.
    process.stderr.write(
      `error: internal error${process.env.KAGI_DEBUG === '1' ? `: ${(error as Error)?.stack}` : ''}\n`,
    );
    process.exitCode = 70;
  },
);
