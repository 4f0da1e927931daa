import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../support/cli.ts';

const secret = 'Zq8-unique-s3cret-value';

/** Every file below `folder`, recursively. */
function filesBelow(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesBelow(full) : [full];
  });
}

describe('command line on the embedded store', () => {
  let dataDir: string;
  let outDir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-cli-'));
    outDir = path.join(dataDir, 'export');
    env = { ROSTERSYNC_DATA_DIR: path.join(dataDir, 'data') };
  });

  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, connects and exports an organization', async () => {
    const created = await runCli(['org', 'create', '--name', 'Demo District', '--slug', 'demo'], env);
    expect(created.stderr).not.toContain('Error');
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('Created organization demo (Demo District)');

    const connected = await runCli(
      [
        'org',
        'connect',
        '--org',
        'demo',
        '--url',
        'https://demo-ca-v2.oneroster.com/ims/oneroster/',
        '--key',
        'k',
        '--secret',
        secret,
      ],
      env,
    );
    expect(connected.status).toBe(0);
    expect(connected.stdout + connected.stderr).not.toContain(secret);

    const exported = await runCli(['export', '--org', 'demo', '--out', outDir], env);
    expect(exported.status).toBe(0);
    const header = (file: string) => fs.readFileSync(path.join(outDir, file), 'utf8').split('\r\n')[0];
    expect(header('children.csv')).toBe(
      'sourcedId,status,givenName,familyName,birthDate,grade,classroomSourcedId,schoolSourcedId,journey,level,identifier,origin',
    );
    expect(header('memberships.csv')).toBe(
      'sourcedId,status,classroomSourcedId,personSourcedId,role,primary',
    );
    expect(header('classrooms.csv')).toMatch(/^sourcedId,status,name,rosterName,schoolSourcedId/);
    for (const file of ['schools.csv', 'educators.csv', 'contacts.csv']) {
      expect(fs.readFileSync(path.join(outDir, file), 'utf8').split('\r\n')).toHaveLength(2);
    }
  });

  it('keeps the secret out of the data folder in clear text', () => {
    const needle = Buffer.from(secret);
    const holders = filesBelow(env.ROSTERSYNC_DATA_DIR!).filter((file) =>
      fs.readFileSync(file).includes(needle),
    );
    expect(holders).toEqual([]);
    const keyFile = path.join(env.ROSTERSYNC_DATA_DIR!, 'secret.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('shows settings without the secret', async () => {
    const shown = await runCli(['org', 'show', '--org', 'demo', '--json'], env);
    expect(shown.status).toBe(0);
    const view = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(view).toMatchObject({
      slug: 'demo',
      timezone: 'America/New_York',
      schedule: { frequency: 'off' },
    });
    expect(shown.stdout).not.toContain(secret);
  });

  it('re-arms the schedule after a time zone change', async () => {
    expect((await runCli(['org', 'schedule', '--org', 'demo', '--daily', '21:30'], env)).status).toBe(0);
    const changed = await runCli(['org', 'set', '--org', 'demo', '--timezone', 'America/Los_Angeles'], env);
    expect(changed.status).toBe(0);
    const view = JSON.parse((await runCli(['org', 'show', '--org', 'demo', '--json'], env)).stdout) as {
      nextRunAt: string;
    };
    expect(view.nextRunAt).toMatch(/T21:30:00\.000-0[78]:00$/);
  });

  it('rejects a non-http endpoint URL', async () => {
    const refused = await runCli(
      ['org', 'connect', '--org', 'demo', '--url', 'ftp://x', '--key', 'k', '--secret', 's'],
      env,
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('Error [ENDPOINT_URL_INVALID]');
    expect(refused.stderr).toContain('"ftp://x"');
  });

  it('names an unknown organization', async () => {
    const missing = await runCli(['export', '--org', 'nope', '--out', outDir], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Error [ORG_NOT_FOUND]: No organization has the slug "nope".');
  });

  it('stops on an invalid environment variable', async () => {
    const result = await runCli(['migrate'], { ...env, PORT: 'eighty' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('PORT (got "eighty"): expected a whole number from 0 to 65535');
  });

  it('prints help and version', async () => {
    const help = await runCli(['org', 'connect', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--secret <secret>');
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
