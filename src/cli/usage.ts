// clipanion's usage text, fixed for git-kagi's help and man page: option values named, and the
// positional synopsis each command declares (`positionals`) spelled out.

/** What this needs of a command class. */
export interface DescribedCommand {
  paths?: string[][];
  positionals?: string;
}

/** clipanion's usage text with option values named and positional synopses spelled out. */
export function fixUsage(text: string, commands: readonly DescribedCommand[]): string {
  let fixed = text.replace(/ #0/g, ' <value>');
  for (const command of commands) {
    const path = command.paths?.[0]?.join(' ');
    if (!path || !command.positionals) continue;
    const line = new RegExp(`(git kagi ${path}\\b[^\\n]*?) \\.\\.\\.(\\n|$)`, 'g');
    fixed = fixed.replace(line, `$1 ${command.positionals}$2`);
  }
  return fixed;
}
