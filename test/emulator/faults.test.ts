import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FaultInjector, parseFaultSpec } from '../../src/emulator/faults.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { bearerGet, bearerToken } from './client.ts';

let emulator: RunningEmulator;
let token = '';

beforeAll(async () => {
  emulator = await startEmulator({ generate: { students: 60, seed: 'faults' } });
  token = await bearerToken(emulator);
});

beforeEach(() => {
  emulator.setFaults('');
});

afterAll(async () => {
  await emulator.close();
});

const usersUrl = (): string => `${emulator.url11}/users?limit=20`;
const userCount = (): number => emulator.store.count('users');

describe('emulator status faults', () => {
  it.each([500, 502, 503] as const)('answers %i with an imsx body', async (status) => {
    emulator.setFaults(`${status}=1`);
    const response = await bearerGet(usersUrl(), token);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ imsx_codeMajor: 'failure' });
  });

  it('answers 429 with Retry-After', async () => {
    emulator.setFaults('429=1,retry-after=7');
    const response = await bearerGet(usersUrl(), token);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('resets the connection', async () => {
    emulator.setFaults('reset=1');
    await expect(bearerGet(usersUrl(), token)).rejects.toThrow();
  });

  it('stops after count faults', async () => {
    emulator.setFaults('503=1,count=2');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await bearerGet(usersUrl(), token)).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('limits faults to the named resources', async () => {
    emulator.setFaults('500=1,only=enrollments');
    expect((await bearerGet(usersUrl(), token)).status).toBe(200);
    expect((await bearerGet(`${emulator.url11}/enrollments`, token)).status).toBe(500);
    expect((await bearerGet(`${emulator.url11}/classes/cls-001-01/students`, token)).status).toBe(200);
  });

  it('still checks credentials first', async () => {
    emulator.setFaults('500=1');
    const response = await fetch(usersUrl());
    expect(response.status).toBe(401);
  });
});

describe('emulator body faults', () => {
  it('cuts a page short without changing its headers', async () => {
    emulator.setFaults('short=1');
    const response = await bearerGet(usersUrl(), token);
    const body = (await response.json()) as { users: unknown[] };
    expect(body.users).toHaveLength(10);
    expect(response.headers.get('x-total-count')).toBe(String(userCount()));
  });

  it('sends invalid JSON', async () => {
    emulator.setFaults('badjson=1');
    const response = await bearerGet(usersUrl(), token);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('leaves out X-Total-Count', async () => {
    emulator.setFaults('nototal=1');
    const response = await bearerGet(usersUrl(), token);
    expect(response.headers.get('x-total-count')).toBeNull();
  });

  it('sends a lying X-Total-Count', async () => {
    emulator.setFaults('lietotal=1');
    const response = await bearerGet(usersUrl(), token);
    expect(Number(response.headers.get('x-total-count'))).toBe(userCount() + 5);
  });

  it('leaves out the envelope key', async () => {
    emulator.setFaults('noenvelope=1');
    const response = await bearerGet(usersUrl(), token);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.users).toBeUndefined();
    expect(body.data).toHaveLength(20);
  });

  it('adds latency and still answers', async () => {
    emulator.setFaults('latency=5-15');
    const response = await bearerGet(usersUrl(), token);
    expect(response.status).toBe(200);
  });
});

describe('emulator fault spec', () => {
  it('gives the same faults for the same seed', () => {
    const draw = (seed: string): string[] => {
      const injector = new FaultInjector(parseFaultSpec(`500=0.3,short=0.3,nototal=0.2,seed=${seed}`));
      return Array.from({ length: 40 }, () => JSON.stringify(injector.decide('users')));
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it.each(['500=2', 'boom=1', 'latency=x', 'count=-1'])('rejects %s', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(/fault/);
  });

  it('changes faults through the admin endpoint', async () => {
    const set = await fetch(`${emulator.adminUrl}/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: '502=1' }),
    });
    expect(await set.json()).toEqual({ faults: '502=1' });
    expect((await bearerGet(usersUrl(), token)).status).toBe(502);

    const bad = await fetch(`${emulator.adminUrl}/faults`, { method: 'PUT', body: 'nonsense=1' });
    expect(bad.status).toBe(400);

    await fetch(`${emulator.adminUrl}/faults`, { method: 'DELETE' });
    expect((await bearerGet(usersUrl(), token)).status).toBe(200);

    const stats = (await (await fetch(`${emulator.adminUrl}/stats`)).json()) as {
      faults: Record<string, number>;
    };
    expect(stats.faults['502']).toBeGreaterThan(0);
  });
});
