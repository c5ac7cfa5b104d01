import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './app-config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'aihub-config-'));

describe('loadConfig', () => {
  it('has working development defaults and an emulator when no S3 endpoint is set', () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c.http.port).toBe(3000);
    expect(c.storage.emulator).toBe(true);
    expect(c.auth.accessTokenTtlSeconds).toBe(900);
    expect(c.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(c.demo.enabled).toBe(false);
  });

  it('keeps the generated dev secret stable across processes sharing DATA_DIR', () => {
    const dir = dataDir();
    expect(loadConfig({ DATA_DIR: dir }).auth.jwtSecret).toBe(loadConfig({ DATA_DIR: dir }).auth.jwtSecret);
  });

  it('fails fast listing every problem', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
      throw new Error('should have failed');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      const problems = (err as ConfigValidationError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/LOG_LEVEL/);
    }
  });

  it('refuses dev-only defaults in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(
      /JWT_SECRET[\s\S]*S3_ENDPOINT[\s\S]*DATABASE_URL/,
    );
  });

  it('uses the demo operator in demo mode and parses booleans', () => {
    const c = loadConfig({ DEMO: 'true', DATA_DIR: dataDir() });
    expect(c.auth.bootstrapOperator).toEqual({ email: 'operator@demo.aihub', password: 'Demo#2026' });
    expect(loadConfig({ DEMO: '0', DATA_DIR: dataDir() }).demo.enabled).toBe(false);
  });

  it('requires both bootstrap operator variables or neither', () => {
    expect(() => loadConfig({ BOOTSTRAP_OPERATOR_EMAIL: 'ops@city.gov.cn', DATA_DIR: dataDir() })).toThrow(
      /BOOTSTRAP_OPERATOR/,
    );
  });
});
