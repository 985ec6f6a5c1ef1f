// The CLI as a bundle (bundles/table.ts): every command the hot bundles do not take. Its commands
// and their parser are cli/cli.ts, which the hot bundles also load for the forms they send it.
import { executeCli } from '../cli/cli.js';
import { type Outcome, withRuntime } from './command.js';

export function main(argv: readonly string[]): Promise<Outcome> {
  return withRuntime(argv, null);
}

export { executeCli };
