// git-kagi(1), rendered at build time from the same command descriptions that `-h` prints, so
// `git kagi --help` (which git turns into `man git-kagi`) says what the commands do.
import { buildCli, VERSION } from './cli.js';
import { commands } from './commands.js';
import { fixUsage } from './usage.js';

function escapeRoff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

function renderMarkdown(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) =>
      escapeRoff(
        paragraph
          .split('\n')
          .map((line) => line.trim())
          .join('\n')
          .replace(/`([^`]+)`/g, '$1'),
      ),
    )
    .join('\n.PP\n');
}

export function renderManPage(): string {
  const definitions = buildCli()
    .definitions()
    .filter((d) => d.path.startsWith('git kagi ') && d.description);
  const out: string[] = [
    `.TH GIT\\-KAGI 1 "" "git\\-kagi ${VERSION}" "Git Manual"`,
    '.SH NAME',
    'git\\-kagi \\- encrypted environment variables in a committed .kagi/ folder, kept safe by git',
    '.SH SYNOPSIS',
    '.B git kagi',
    '.I command',
    '[\\fIoptions\\fR]',
    '.br',
    '.B git kagi',
    '.I command',
    '\\-h',
    '.SH DESCRIPTION',
    escapeRoff(
      "git kagi keeps a team's environment variables encrypted in .kagi/, one file per scope (service/env), and injects them into programs with git kagi run. Values are encrypted with XChaCha20-Poly1305 under a root key that is wrapped with age to each member's device identity.",
    ),
    '.SH COMMANDS',
  ];
  for (const d of definitions) {
    const usage = fixUsage(d.usage, commands);
    out.push('.TP', `.B ${escapeRoff(usage)}`, escapeRoff(d.description ?? ''));
    if (d.details) out.push('.RS', '.PP', renderMarkdown(d.details), '.RE');
    if (d.options.length > 0) {
      out.push('.RS', '.PP', 'Options:');
      for (const option of d.options) {
        out.push(
          '.TP',
          `.B ${escapeRoff(option.definition)}`,
          escapeRoff(option.description ?? ''),
        );
      }
      out.push('.RE');
    }
    for (const [what, command] of d.examples ?? []) {
      out.push(
        '.RS',
        '.PP',
        escapeRoff(what),
        '.nf',
        `    ${escapeRoff(command.replace(/^\$0/, 'git kagi'))}`,
        '.fi',
        '.RE',
      );
    }
  }
  out.push(
    '.SH ENVIRONMENT',
    '.TP',
    '.B KAGI_PROJECT_KEY, KAGI_PROJECT_KEY_FILE',
    escapeRoff("The project's root key (64 hex characters), for CI."),
    '.TP',
    '.B KAGI_IDENTITY, KAGI_IDENTITY_FILE',
    escapeRoff('An age identity of a machine member, for CI and deploys.'),
    '.TP',
    '.B KAGI_HOME',
    escapeRoff(
      'Where this device keeps its identity, key cache and pins (default $XDG_CONFIG_HOME/git-kagi or ~/.config/git-kagi).',
    ),
    '.TP',
    '.B KAGI_DEBUG',
    escapeRoff('Set to 1 to print the cause of an error.'),
    '.SH EXIT STATUS',
    escapeRoff(
      "0 ok; 1 failure; 2 usage; 3 no access (no key, not a member); 4 integrity (tampered or undecryptable data, broken key chain); 70 internal error. run passes the program's own exit code through.",
    ),
    '.SH SEE ALSO',
    'git(1), age(1)',
    '',
  );
  return out.join('\n');
}
