// Unit tests of src/core/kagi-config.ts: kagi.json (DESIGN §2) parsed strictly, and the service a
// folder belongs to under each `nested` setting (false, true, or a map of folders to services).
import { describe, expect, it } from 'vitest';
import {
  findServiceFolder,
  formatKagiConfig,
  inferServiceFromFolder,
  type KagiConfig,
  parseKagiConfig,
} from '../../../src/core/kagi-config.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const CONFIG: KagiConfig = {
  format: 'git-kagi/1',
  project_id: 'kgp_AAAAAAAAAAAA',
  envs: ['development', 'test', 'production'],
  default_env: 'development',
  nested: false,
};

const withNested = (nested: KagiConfig['nested']): KagiConfig => ({ ...CONFIG, nested });

describe('formatKagiConfig and parseKagiConfig', () => {
  it('writes canonical JSON and reads it back', () => {
    const config = withNested({ 'apps/web': 'web', 'apps/api': 'api' });
    const text = formatKagiConfig(config);
    expect(text).toBe(
      '{\n  "default_env": "development",\n  "envs": [\n    "development",\n    "test",\n    "production"\n  ],\n  "format": "git-kagi/1",\n  "nested": {\n    "apps/api": "api",\n    "apps/web": "web"\n  },\n  "project_id": "kgp_AAAAAAAAAAAA"\n}\n',
    );
    expect(parseKagiConfig(text)).toEqual(config);
    expect(parseKagiConfig(formatKagiConfig(withNested(true))).nested).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['another format', { format: 'kagi/2' }],
    ['a bad project id', { project_id: 'kgp_' }],
    ['no envs', { envs: [] }],
    ['an invalid env name', { envs: ['Production'] }],
    ['an env twice', { envs: ['test', 'test'], default_env: 'test' }],
    ['a default env not listed', { default_env: 'staging' }],
    ['nested as a string', { nested: 'apps' }],
    ['nested as an array', { nested: ['apps/api'] }],
    ['nested null', { nested: null }],
    ['an absolute nested folder', { nested: { '/srv/api': 'api' } }],
    ['a nested folder climbing out', { nested: { '../api': 'api' } }],
    ['an invalid nested service name', { nested: { 'apps/api': 'API' } }],
  ])('rejects %s with exit 4', (_what, change) => {
    let error: unknown;
    try {
      parseKagiConfig(JSON.stringify({ ...CONFIG, ...change }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KagiError);
    expect((error as KagiError).exitCode).toBe(EXIT.integrity);
    expect((error as KagiError).message).toContain('.kagi/kagi.json');
  });

  it('rejects text that is not JSON with exit 4', () => {
    expect(() => parseKagiConfig('{')).toThrow(KagiError);
  });
});

describe('inferServiceFromFolder', () => {
  it('never infers a service when nested is false', () => {
    expect(inferServiceFromFolder(CONFIG, 'api')).toBeNull();
    expect(inferServiceFromFolder(CONFIG, 'api/src')).toBeNull();
    expect(inferServiceFromFolder(CONFIG, '')).toBeNull();
  });

  it('with nested true, is the first folder below the root', () => {
    const config = withNested(true);
    expect(inferServiceFromFolder(config, 'api')).toBe('api');
    expect(inferServiceFromFolder(config, 'api/src/routes')).toBe('api');
    expect(inferServiceFromFolder(config, 'api/')).toBe('api');
    expect(inferServiceFromFolder(config, '')).toBeNull();
  });

  it('with nested true, ignores folders whose name is not a valid service name', () => {
    const config = withNested(true);
    expect(inferServiceFromFolder(config, 'Docs')).toBeNull();
    expect(inferServiceFromFolder(config, '.github/workflows')).toBeNull();
  });

  it('with a map, is the service of the longest matching folder', () => {
    const config = withNested({ 'apps/api': 'api', 'apps/api/worker': 'worker', web: 'site' });
    expect(inferServiceFromFolder(config, 'apps/api')).toBe('api');
    expect(inferServiceFromFolder(config, 'apps/api/src')).toBe('api');
    expect(inferServiceFromFolder(config, 'apps/api/worker/jobs')).toBe('worker');
    expect(inferServiceFromFolder(config, 'web/public')).toBe('site');
  });

  it('with a map, matches whole folder names only, and nothing outside the map', () => {
    const config = withNested({ 'apps/api': 'api' });
    expect(inferServiceFromFolder(config, 'apps')).toBeNull();
    expect(inferServiceFromFolder(config, 'apps/api-old')).toBeNull();
    expect(inferServiceFromFolder(config, 'apps/apix/src')).toBeNull();
    expect(inferServiceFromFolder(config, 'lib/apps/api')).toBeNull();
    expect(inferServiceFromFolder(config, '')).toBeNull();
  });
});

describe('findServiceFolder', () => {
  it('gives the folder of a service under each nested setting', () => {
    expect(findServiceFolder(CONFIG, 'api')).toBeNull();
    expect(findServiceFolder(withNested(true), 'api')).toBe('api');
    const map = withNested({ 'apps/api': 'api' });
    expect(findServiceFolder(map, 'api')).toBe('apps/api');
    expect(findServiceFolder(map, 'web')).toBeNull();
  });
});
