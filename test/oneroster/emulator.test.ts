import { afterEach, describe, expect, it } from 'vitest';

import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { OneRosterClient, OneRosterClientOptions } from '../../src/oneroster/client.ts';
import { testConnection } from '../../src/oneroster/connection-test.ts';
import { collectionNames } from '../../src/oneroster/types.ts';
import type { CollectionName, User } from '../../src/oneroster/types.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/server.ts';

let emulator: RunningEmulator | undefined;
const clients: OneRosterClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}) {
  emulator = await startEmulator({ generate: { students: 40, seed: 11 }, maxPage: 7, ...options });
  return emulator;
}

function clientFor(target: RunningEmulator, options: Partial<OneRosterClientOptions> = {}): OneRosterClient {
  const client = createOneRosterClient({
    endpointUrl: target.baseUrl,
    version: '1.1',
    auth: { kind: 'oauth1', key: target.key, secret: target.secret },
    allowPrivateEndpoints: true,
    pageSize: 10,
    retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  clients.push(client);
  return client;
}

async function pullAll<C extends CollectionName>(client: OneRosterClient, collection: C) {
  const ids: string[] = [];
  const pull = client.pull(collection);
  for await (const page of pull) ids.push(...page.records.map((record) => record.sourcedId));
  return { ids, outcome: pull.outcome() };
}

describe('client against the emulator', () => {
  it('pulls every collection whole with OAuth 1.0a', async () => {
    const target = await start();
    const client = clientFor(target);
    for (const collection of collectionNames) {
      const { ids, outcome } = await pullAll(client, collection);
      expect(outcome.complete, `${collection}: ${outcome.reason}`).toBe(true);
      expect(ids, collection).toHaveLength(target.store.count(collection));
      expect(new Set(ids).size, collection).toBe(ids.length);
    }
  });

  it('reads the same users over 1.2 with OAuth 2', async () => {
    const target = await start();
    const client11 = clientFor(target);
    const client12 = clientFor(target, {
      version: '1.2',
      auth: { kind: 'oauth2', clientId: target.key, clientSecret: target.secret, tokenUrl: target.tokenUrl },
    });

    const users11: User[] = [];
    for await (const page of client11.pull('users')) users11.push(...page.records);
    const users12: User[] = [];
    const pull12 = client12.pull('users');
    for await (const page of pull12) users12.push(...page.records);

    expect(pull12.outcome().complete).toBe(true);
    expect(users11.length).toBeGreaterThan(0);
    expect(users12.length).toBe(users11.length);
    const byId = new Map(users11.map((user) => [user.sourcedId, user]));
    for (const user of users12) {
      const other = byId.get(user.sourcedId);
      expect(user.role, user.sourcedId).toBe(other?.role);
      expect(user.orgSourcedIds, user.sourcedId).toEqual(other?.orgSourcedIds);
      expect(user.givenName, user.sourcedId).toBe(other?.givenName);
    }
  });

  it('recovers from resets, 503 and 429 faults', async () => {
    const target = await start({ faults: '503=0.2,reset=0.15,429=0.15,retry-after=0,seed=3' });
    const client = clientFor(target);
    const { ids, outcome } = await pullAll(client, 'enrollments');
    expect(outcome.complete, outcome.reason ?? '').toBe(true);
    expect(ids).toHaveLength(target.store.count('enrollments'));
  });

  it('marks a lying count incomplete', async () => {
    const target = await start({ faults: 'lietotal=1,only=users' });
    const { outcome } = await pullAll(clientFor(target), 'users');
    expect(outcome.complete).toBe(false);
    expect(outcome.reason).toMatch(/X-Total-Count/);
  });

  it('throws on a missing envelope', async () => {
    const target = await start({ faults: 'noenvelope=1,only=classes' });
    await expect(pullAll(clientFor(target), 'classes')).rejects.toMatchObject({
      code: 'ONEROSTER_UNEXPECTED_RESPONSE',
    });
  });

  it('reports withheld demographics', async () => {
    const target = await start({ withholdDemographics: true });
    const { ids, outcome } = await pullAll(clientFor(target), 'demographics');
    expect(ids).toEqual([]);
    expect(outcome.forbidden).toBe(true);
  });

  it('passes the connection test', async () => {
    const target = await start();
    const result = await testConnection({
      endpointUrl: target.baseUrl,
      version: '1.1',
      auth: { kind: 'oauth1', key: target.key, secret: target.secret },
      allowPrivateEndpoints: true,
    });
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.schools.length).toBeGreaterThan(0);
    expect(result.counts.students).toBeGreaterThan(0);
    expect(result.demographics).toBe('readable');
  });

  it('fails the connection test on a wrong secret', async () => {
    const target = await start();
    const result = await testConnection({
      endpointUrl: target.baseUrl,
      version: '1.1',
      auth: { kind: 'oauth1', key: target.key, secret: 'wrong' },
      allowPrivateEndpoints: true,
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('ONEROSTER_AUTH_REJECTED');
  });
});
