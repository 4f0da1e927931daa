import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/server.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-secret-stdin-'));
const secret = 'Stdin-s3cret-9Qx';
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ generate: { students: 5, seed: 'stdin' }, secret });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function rostersync(
  input: string,
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/rostersync.js'), ...args], {
      cwd: root,
      env: {
        ...process.env,
        ROSTERSYNC_DATA_DIR: dataDir,
        DATABASE_URL: '',
        LOG_LEVEL: 'error',
        ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

it('org connect reads the secret from stdin', { timeout: 120_000 }, async () => {
  const created = await rostersync('', 'org', 'create', '--name', 'Stdin', '--slug', 'stdin');
  expect(created.status, created.stderr).toBe(0);
  const connect = (input: string) =>
    rostersync(
      input,
      'org',
      'connect',
      '--org',
      'stdin',
      '--url',
      emulator.baseUrl,
      '--key',
      emulator.key,
      '--secret',
      '-',
      '--test',
    );

  const wrong = await connect('not-the-secret\n');
  expect(wrong.status).toBe(1);
  expect(wrong.stdout + wrong.stderr).toContain('ONEROSTER_AUTH_REJECTED');

  const right = await connect(`${secret}\n`);
  expect(right.status, right.stderr).toBe(0);
  expect(right.stdout).toContain('Connection test passed');
  expect(right.stdout + right.stderr).not.toContain(secret);
});
