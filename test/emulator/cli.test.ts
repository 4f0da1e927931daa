import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateDistrict } from '../../src/emulator/generate/district.ts';
import { createCsvFolderSink } from '../../src/emulator/generate/sink.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/rostersync.js');
let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'rostersync-cli-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('rostersync emulator command', () => {
  it('prints its base URL first and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'emulator', '--port', '0', '--generate', '20', '--key', 'k', '--secret', 's'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    );
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout });
      const [firstLine] = (await once(lines, 'line')) as [string];
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ims\/oneroster\/$/);

      const basic = Buffer.from('k:s').toString('base64');
      const tokenResponse = await fetch(new URL('/oauth/token', firstLine), {
        method: 'POST',
        headers: { authorization: `Basic ${basic}` },
        body: 'grant_type=client_credentials',
      });
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const response = await fetch(`${firstLine}v1p1/demographics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-total-count')).toBe('20');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('rejects a bad fault spec', async () => {
    const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--faults', 'explode=1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('explode=1');
  });
});

describe('rostersync generate command', () => {
  it('writes the same bundle as the generator', async () => {
    const out = path.join(workDir, 'cli');
    const child = spawn(
      process.execPath,
      [bin, 'generate', '--students', '50', '--seed', 'cli', '--out', out, '--json'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);

    const direct = path.join(workDir, 'direct');
    const result = await generateDistrict({ students: 50, seed: 'cli' }, await createCsvFolderSink(direct));
    expect(JSON.parse(stdout)).toEqual(result);
    for (const file of ['users.csv', 'enrollments.csv', 'manifest.csv']) {
      expect(await readFile(path.join(out, file), 'utf8')).toBe(
        await readFile(path.join(direct, file), 'utf8'),
      );
    }
  });
});
