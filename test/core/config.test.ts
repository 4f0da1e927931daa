import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/core/config.ts';
import { AppError } from '../../src/core/errors.ts';

function configError(env: NodeJS.ProcessEnv): AppError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('defaults to the embedded store', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeNull();
    expect(config.dataDir).toBe(path.resolve('.rostersync'));
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.offPeak).toEqual({ start: '19:00', end: '05:00' });
    expect(config.allowPrivateEndpoints).toBe(false);
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@db.example.org/roster',
      ROSTERSYNC_DATA_DIR: '/var/lib/rostersync',
      PORT: '8080',
      HOST: '0.0.0.0',
      SMTP_URL: 'smtps://user:pass@mail.example.org',
      ROSTERSYNC_PUBLIC_URL: 'https://roster.example.org/',
      ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS: 'true',
      ROSTERSYNC_OFF_PEAK: '20:30-04:00',
      LOG_LEVEL: 'debug',
    });
    expect(config.databaseUrl).toBe('postgres://app@db.example.org/roster');
    expect(config.dataDir).toBe('/var/lib/rostersync');
    expect(config.port).toBe(8080);
    expect(config.smtpUrl).toBe('smtps://user:pass@mail.example.org');
    expect(config.publicUrl).toBe('https://roster.example.org');
    expect(config.allowPrivateEndpoints).toBe(true);
    expect(config.offPeak).toEqual({ start: '20:30', end: '04:00' });
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['PORT', 'eighty', 'PORT ("eighty"): expected a whole number from 0 to 65535'],
    ['PORT', '70000', 'PORT ("70000"): expected a whole number from 0 to 65535'],
    ['ROSTERSYNC_OFF_PEAK', '7pm-5am', 'expected two different 24-hour times as HH:MM-HH:MM'],
    ['ROSTERSYNC_OFF_PEAK', '19:00-19:00', 'expected two different 24-hour times'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL ("loud")'],
    ['ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS', 'maybe', 'expected one of 1, 0, true, false'],
    ['ROSTERSYNC_PUBLIC_URL', 'roster.example.org', 'expected an http:// or https:// URL'],
  ])('rejects %s=%s naming the variable', (name, value, expected) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(expected.replace(/\("(.*)"\)/, '(got "$1")'));
  });

  it('never echoes a secret-bearing value', () => {
    const error = configError({ DATABASE_URL: 'mysql://root:hunter2@db/x', SMTP_URL: 'ftp://u:pw2@x' });
    expect(error.message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(error.message).toContain('SMTP_URL: expected an smtp:// or smtps:// URL');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('pw2');
  });
});
