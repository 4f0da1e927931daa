import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore, type Store } from '../../src/db/store.ts';
import { runCli } from '../support/cli.ts';
import { startSmtpServer, unusedPort } from './support/smtp-server.ts';

/** Commands of one admin journey in an embedded store of its own; each spawns `rostersync`. */
describe('rostersync sync e-mail', () => {
  let workDir: string;
  let dataDir: string;
  let bundle: string;
  let smallBundle: string;
  const env = () => ({
    ROSTERSYNC_DATA_DIR: dataDir,
    ROSTERSYNC_PUBLIC_URL: 'https://roster.example.org',
  });

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-notify-cli-'));
    dataDir = path.join(workDir, 'data');
    bundle = path.join(workDir, 'bundle');
    smallBundle = path.join(workDir, 'small-bundle');
    const steps = [
      ['generate', '--students', '12', '--seed', 'notify', '--out', bundle],
      ['generate', '--students', '3', '--seed', 'other', '--out', smallBundle],
      ['org', 'create', '--name', 'Cedar Schools', '--slug', 'cedar'],
      ['user', 'create', '--email', 'admin@cedar.example.org', '--role', 'org-admin', '--org', 'cedar'],
      ['org', 'set', '--org', 'cedar', '--send-emails', 'on', '--extra-emails', 'office@cedar.example.org'],
      ['org', 'set', '--org', 'cedar', '--allow-removal', 'on'],
    ];
    for (const args of steps) {
      const result = await runCli(args, env(), 120_000);
      if (result.status !== 0) throw new Error(`rostersync ${args.join(' ')} failed:\n${result.stderr}`);
    }
  }, 300_000);
  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function outboxStatuses(): Promise<string[]> {
    const store: Store = await openStore({ databaseUrl: null, dataDir });
    try {
      const rows = await store.db.selectFrom('emailMessages').select('status').orderBy('createdAt').execute();
      return rows.map((row) => row.status);
    } finally {
      await store.close();
    }
  }

  it('sync exits after the mail is handed over', async () => {
    const server = await startSmtpServer();
    try {
      const result = await runCli(
        ['sync', '--org', 'cedar', '--from-csv', bundle, '--json'],
        { ...env(), SMTP_URL: server.url() },
        120_000,
      );
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded' });

      // The process has exited, so the message must already be on the server.
      expect(server.received).toHaveLength(1);
      const mail = server.received[0]!;
      expect(mail.envelopeTo.sort()).toEqual(['admin@cedar.example.org', 'office@cedar.example.org']);
      expect(mail.parsed.subject).toBe('Roster Sync: Cedar Schools: sync succeeded');
      expect(mail.parsed.text).toContain('the command line');
    } finally {
      await server.close();
    }
  });

  it('mail server down leaves the sync succeeded', async () => {
    const port = await unusedPort();
    const down = await runCli(
      ['sync', '--org', 'cedar', '--from-csv', bundle, '--json', '--full'],
      { ...env(), SMTP_URL: `smtp://127.0.0.1:${port}` },
      120_000,
    );
    expect(down.status).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ status: 'succeeded' });
    expect((await outboxStatuses()).at(-1)).toBe('pending');

    // The server returns: the next sync sends its own notice and the one left pending.
    const server = await startSmtpServer({ port });
    try {
      const up = await runCli(
        ['sync', '--org', 'cedar', '--from-csv', bundle, '--json', '--full'],
        { ...env(), SMTP_URL: server.url() },
        120_000,
      );
      expect(up.status).toBe(0);
      expect(server.received).toHaveLength(2);
      expect(await outboxStatuses()).not.toContain('pending');
    } finally {
      await server.close();
    }
  });

  it('outbox keeps the mail without SMTP_URL', async () => {
    const result = await runCli(['sync', '--org', 'cedar', '--from-csv', bundle, '--full'], env(), 120_000);
    expect(result.status).toBe(0);
    expect((await outboxStatuses()).at(-1)).toBe('stored');
  });

  it('held run and its rejection both mail', async () => {
    const server = await startSmtpServer();
    try {
      const held = await runCli(
        ['sync', '--org', 'cedar', '--from-csv', smallBundle, '--json', '--full'],
        { ...env(), SMTP_URL: server.url() },
        120_000,
      );
      expect(held.status).toBe(3);
      const report = JSON.parse(held.stdout) as { runId: string; status: string };
      expect(report.status).toBe('held_for_review');
      expect(server.received).toHaveLength(1);
      expect(server.received[0]?.parsed.subject).toBe(
        'Roster Sync: Cedar Schools: sync held for your review',
      );

      const rejected = await runCli(
        ['runs', 'reject', report.runId],
        { ...env(), SMTP_URL: server.url() },
        120_000,
      );
      expect(rejected.status).toBe(0);
      expect(server.received).toHaveLength(2);
      expect(server.received[1]?.parsed.subject).toBe('Roster Sync: Cedar Schools: held sync rejected');
    } finally {
      await server.close();
    }
  });
});
