// Canonical JSON (DESIGN §2): sorted keys, two-space indent, trailing newline, so the same content
// always gives the same bytes. Parsing never echoes its input: V8's messages quote it.
import { KagiError } from '../errors.js';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The file form: keys sorted, two-space indent, trailing newline. */
export function formatCanonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** The compact form used inside encrypted payloads. */
export function formatCompactJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** JSON.parse whose error names the file but never quotes its content. */
export function parseJsonSafely(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new KagiError('malformed', `${what} is not valid JSON`);
  }
}
