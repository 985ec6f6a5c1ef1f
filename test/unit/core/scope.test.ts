// Unit tests of src/core/scope.ts: a scope's name and store path under .kagi/ (DESIGN §1–2), the
// scope a path names (only valid names, at most one folder deep), and the listing order.
import { describe, expect, it } from 'vitest';
import {
  compareScopes,
  formatScope,
  formatScopePath,
  parseScopePath,
  type Scope,
} from '../../../src/core/scope.js';

describe('formatScope and formatScopePath', () => {
  it('names a service scope service/env and a project-wide scope by its env', () => {
    expect(formatScope({ service: 'api', env: 'production' })).toBe('api/production');
    expect(formatScope({ service: null, env: 'production' })).toBe('production');
  });

  it('puts each store at secrets/<scope>.enc', () => {
    expect(formatScopePath({ service: 'api', env: 'development' })).toBe(
      'secrets/api/development.enc',
    );
    expect(formatScopePath({ service: null, env: 'development' })).toBe('secrets/development.enc');
  });
});

describe('parseScopePath', () => {
  it.each<[string, Scope]>([
    ['api/development.enc', { service: 'api', env: 'development' }],
    ['development.enc', { service: null, env: 'development' }],
    ['web-2/prod.eu.enc', { service: 'web-2', env: 'prod.eu' }],
  ])('reads %s', (relative, scope) => {
    expect(parseScopePath(relative)).toEqual(scope);
    expect(formatScopePath(scope)).toBe(`secrets/${relative}`);
  });

  it.each([
    ['a deeper path', 'a/b/c.enc'],
    ['another extension', 'api/development.txt'],
    ['no name', '.enc'],
    ['an empty service folder', '/development.enc'],
    ['upper case', 'API/development.enc'],
    ['a parent folder', '../development.enc'],
    ['a dot folder', './development.enc'],
    ['a backup file', 'api/development.enc~'],
    ['an editor swap file', 'api/.development.enc.swp'],
    ['a leading dash', 'api/-x.enc'],
  ])('ignores %s', (_what, relative) => {
    expect(parseScopePath(relative)).toBeNull();
  });

  it('round-trips every scope it formats', () => {
    for (const scope of [
      { service: 'api', env: 'development' },
      { service: null, env: 'test' },
      { service: 'a.b', env: 'c_d' },
    ]) {
      expect(parseScopePath(formatScopePath(scope).slice('secrets/'.length))).toEqual(scope);
    }
  });
});

describe('compareScopes', () => {
  it('lists project-wide scopes first, then services by name, then envs by name', () => {
    const scopes: Scope[] = [
      { service: 'web', env: 'development' },
      { service: 'api', env: 'production' },
      { service: null, env: 'test' },
      { service: 'api', env: 'development' },
      { service: null, env: 'development' },
    ];
    expect([...scopes].sort(compareScopes).map(formatScope)).toEqual([
      'development',
      'test',
      'api/development',
      'api/production',
      'web/development',
    ]);
    expect(compareScopes({ service: 'api', env: 'x' }, { service: 'api', env: 'x' })).toBe(0);
  });
});
