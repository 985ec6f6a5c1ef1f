// Unit tests of src/core/canonical-json.ts: one byte form per content (DESIGN §2), and parse errors
// that name the file but never quote its text (V8's JSON.parse messages do).
import { describe, expect, it } from 'vitest';
import {
  formatCanonicalJson,
  formatCompactJson,
  parseJsonSafely,
} from '../../../src/core/canonical-json.js';
import { EXIT, KagiError } from '../../../src/errors.js';

describe('formatCanonicalJson', () => {
  it('sorts keys at every depth, indents by two spaces and ends with one newline', () => {
    const text = formatCanonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } });
    expect(text).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('gives the same bytes whatever order the keys were built in', () => {
    expect(formatCanonicalJson({ x: 1, y: [3, 1, 2], z: 'é' })).toBe(
      formatCanonicalJson({ z: 'é', y: [3, 1, 2], x: 1 }),
    );
  });

  it('keeps array order and drops undefined fields', () => {
    expect(formatCompactJson({ list: [3, 1, 2], gone: undefined, kept: false })).toBe(
      '{"kept":false,"list":[3,1,2]}',
    );
  });

  it('has a compact form without whitespace for payloads', () => {
    expect(formatCompactJson({ value: 'a b', name: 'K' })).toBe('{"name":"K","value":"a b"}');
  });

  it('round-trips through JSON.parse', () => {
    const value = { members: [{ id: 'b' }, { id: 'a' }], epoch: 3, nested: { 'apps/api': 'api' } };
    expect(JSON.parse(formatCanonicalJson(value))).toEqual(value);
  });
});

describe('parseJsonSafely', () => {
  it('parses valid JSON', () => {
    expect(parseJsonSafely('{"a":[1,"x"]}', 'kagi.json')).toEqual({ a: [1, 'x'] });
  });

  it.each([
    ['an unquoted value', '{"value": canary-Kq7zX9wP3Jv5}'],
    ['a truncated string', '{"value": "canary-Kq7zX9wP3Jv5'],
    ['trailing garbage', '{"a":1} canary-Kq7zX9wP3Jv5'],
    ['bare text', 'canary-Kq7zX9wP3Jv5'],
  ])('on %s: exit 4, names the file, never echoes the input', (_what, text) => {
    let error: unknown;
    try {
      parseJsonSafely(text, '.kagi/access.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KagiError);
    const kagi = error as KagiError;
    expect(kagi.exitCode).toBe(EXIT.integrity);
    expect(kagi.message).toContain('.kagi/access.json');
    expect(`${kagi.message}\n${kagi.hint ?? ''}\n${kagi.stack ?? ''}`).not.toContain('canary');
    // The V8 error (which quotes the input) is not kept as the cause either.
    expect(String((kagi as { cause?: unknown }).cause ?? '')).not.toContain('canary');
  });
});
