// `git kagi get`, shared by the CLI and its own bundle (scripts/build.mjs): a masked listing is
// the command people type most, so its common forms skip the CLI framework (bench case 3).

import { parseScopedArgv } from '../core/scoped-argv.js';
import { confirm } from '../io/confirm.js';
import { writeErr, writeOut } from '../io/output.js';
import { openTarget } from '../operations/project/target.js';
import type { ScopeListing } from '../operations/secrets/list-secrets.js';
import { listSecrets } from '../operations/secrets/list-secrets.js';
import { revealSecret } from '../operations/secrets/reveal-secret.js';
import type { Runtime } from '../runtime.js';

const MASK = '••••••••';

export interface GetOptions {
  args: string[];
  service?: string | undefined;
  env?: string | undefined;
  show: boolean;
  json: boolean;
}

/** The plain forms of `get`; null sends the command to the CLI. */
export function parseGetArgv(argv: readonly string[]): GetOptions | null {
  const parsed = parseScopedArgv(argv, ['--show', '--json']);
  if (!parsed) return null;
  const { args, service, env, flags } = parsed;
  return { args, service, env, show: flags.has('--show'), json: flags.has('--json') };
}

/** The bundle's work: the plain forms here, the others (null) in the CLI. */
export async function work(args: readonly string[], rt: Runtime): Promise<number | null> {
  const options = parseGetArgv(args);
  return options && performGet(options, rt);
}

/** `get` with its options parsed, by this bundle or by the CLI (cli/get.ts). */
export async function performGet(o: GetOptions, rt: Runtime): Promise<number> {
  const target = await openTarget(rt, {
    args: o.args,
    tail: { min: 0, max: 1 },
    allowNewService: false,
    service: o.service,
    env: o.env,
  });
  const name = target.rest[0];
  if (name !== undefined || o.show) await confirmReveal(rt);
  if (name !== undefined) {
    const row = await revealSecret(rt, target, name);
    if (o.json) writeOut(JSON.stringify({ scope: row.scope, name: row.name, value: row.value }));
    else writeOut(row.value);
    return 0;
  }
  const listings = await listSecrets(rt, target);
  if (o.json) {
    const rows = listings.flatMap((l) =>
      l.rows.map((r) => ({
        scope: r.scope,
        name: r.name,
        ...(o.show ? { value: r.value } : {}),
        inherited_from: r.inherited_from,
        updated_at: r.updated_at,
        updated_by: r.updated_by,
      })),
    );
    writeOut(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (listings.length === 0) {
    writeErr('No secrets yet. Add one with `git kagi set KEY`.');
    return 0;
  }
  writeOut(formatListings(listings, o.show));
  return 0;
}

/**
 * Pieces joined once, the dates and paddings made once each, and the final newline in: a listing
 * is hundreds of lines, and what it allocates adds to what fills V8's young generation, whose
 * collection costs `get` about 1 ms (bench case 3).
 */
function formatListings(listings: readonly ScopeListing[], show: boolean): string {
  const out: string[] = [];
  const when = new Map<string, string>();
  const pads: string[] = [];
  for (const { scope, rows } of listings) {
    if (out.length > 0) out.push('\n');
    out.push(scope);
    if (rows.length === 0) out.push('\n  (no secrets)');
    let width = 0;
    for (const r of rows) width = Math.max(width, r.name.length);
    for (const r of rows) {
      const gap = width - r.name.length + 2;
      pads[gap] ??= ' '.repeat(gap);
      out.push('\n  ', r.name, pads[gap] as string, show ? displayValue(r.value) : MASK);
      if (r.inherited_from) out.push('  inherited from ', r.inherited_from, ', set ');
      else out.push('  set ');
      let date = when.get(r.updated_at);
      if (date === undefined) {
        date = formatWhen(r.updated_at);
        when.set(r.updated_at, date);
      }
      out.push(date, ' by ', r.updated_by);
    }
  }
  out.push('\n');
  return out.join('');
}

async function confirmReveal(rt: Runtime): Promise<void> {
  await confirm(rt.terminal, {
    offTerminal: {
      message: 'revealing secret values needs a confirmation on a terminal',
      hint: 'pass secrets to programs with `git kagi run`, or use `get --json` for the masked listing',
    },
    question: 'Show secret values on screen? [y/N] ',
    expect: 'y',
    aborted: 'nothing was shown',
  });
}

function displayValue(value: string): string {
  return /[\u0000-\u001f\u007f]|^\s|\s$/.test(value) ? JSON.stringify(value) : value;
}

/** `2026-11-22T10:00:05.123Z` (toISOString) as `2026-11-22 10:00 UTC`. */
function formatWhen(iso: string): string {
  if (iso.length === 24 && iso[10] === 'T' && iso[23] === 'Z') {
    return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  }
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
