import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('uses the embedded database in ./data on port 3000 by default', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.dataDir, './data');
    assert.equal(c.port, 3000);
  });

  it('lets command-line options win over the environment', () => {
    const c = loadConfig({ BASTIDE_DATA_DIR: '/srv/a', PORT: '8080' }, { dataDir: '/srv/b', port: 9090 });
    assert.equal(c.dataDir, '/srv/b');
    assert.equal(c.port, 9090);
  });

  it('reports every problem at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'quatre-vingts', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'bavard' }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 3 && /PORT/.test(e.message) && /DATABASE_URL/.test(e.message) && /LOG_LEVEL/.test(e.message),
    );
  });
});
