import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixedClock } from '../../src/core/clock.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { bearerGet, bearerToken } from './client.ts';

const clock = fixedClock(new Date('2026-01-15T10:00:00.000Z'));
let emulator: RunningEmulator;
let token = '';

beforeAll(async () => {
  emulator = await startEmulator({ generate: { students: 40, seed: 'admin' }, clock });
  token = await bearerToken(emulator);
});

afterAll(async () => {
  await emulator.close();
});

const admin = (route: string, init?: RequestInit): Promise<Response> =>
  fetch(`${emulator.adminUrl}${route}`, init);

describe('emulator admin records', () => {
  it('changes a record and its dateLastModified', async () => {
    const put = await admin('/records/users/stu-000002', {
      method: 'PUT',
      body: JSON.stringify({ givenName: 'Renamed' }),
    });
    expect(put.status).toBe(200);

    const response = await bearerGet(`${emulator.url11}/users/stu-000002`, token);
    const body = (await response.json()) as {
      user: { givenName: string; dateLastModified: string; familyName: string };
    };
    expect(body.user.givenName).toBe('Renamed');
    expect(body.user.dateLastModified).toBe('2026-01-15T10:00:00.000Z');
    expect(body.user.familyName).not.toBe('');
  });

  it('adds a record from a partial body', async () => {
    const record = { givenName: 'New', familyName: 'Child', role: 'student', orgSourcedIds: ['sch-001'] };
    await admin('/records/users/stu-new', { method: 'PUT', body: JSON.stringify(record) });

    const response = await bearerGet(`${emulator.url11}/schools/sch-001/students?limit=10000`, token);
    const body = (await response.json()) as { users: Array<{ sourcedId: string }> };
    expect(body.users.map((user) => user.sourcedId)).toContain('stu-new');
  });

  it('marks a record tobedeleted', async () => {
    await admin('/records/classes/cls-001-01', {
      method: 'PUT',
      body: JSON.stringify({ status: 'tobedeleted' }),
    });
    const response = await bearerGet(`${emulator.url11}/classes/cls-001-01`, token);
    expect(((await response.json()) as { class: { status: string } }).class.status).toBe('tobedeleted');
  });

  it('removes a record', async () => {
    const removed = await admin('/records/users/stu-000003', { method: 'DELETE' });
    expect(await removed.json()).toEqual({ removed: true });
    expect((await bearerGet(`${emulator.url11}/users/stu-000003`, token)).status).toBe(404);

    const again = await admin('/records/users/stu-000003', { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it('reads a stored record', async () => {
    const response = await admin('/records/orgs/sch-001');
    expect(await response.json()).toMatchObject({ record: { sourcedId: 'sch-001', type: 'school' } });
  });

  it('rejects an unknown collection and bad JSON', async () => {
    expect((await admin('/records/pets/rex', { method: 'PUT', body: '{}' })).status).toBe(400);
    expect((await admin('/records/users/x', { method: 'PUT', body: '{oops' })).status).toBe(400);
    expect((await admin('/nothing')).status).toBe(404);
  });
});

describe('emulator admin data', () => {
  it('replaces the served roster', async () => {
    const generated = await admin('/data', {
      method: 'POST',
      body: JSON.stringify({ generate: 10, seed: 'other' }),
    });
    const { counts } = (await generated.json()) as { counts: Record<string, number> };
    expect(counts.demographics).toBe(10);
    expect(emulator.generation?.seed).toBe('other');

    const bundle = path.join(import.meta.dirname, '../csv/fixtures/line-endings');
    const loaded = await admin('/data', { method: 'POST', body: JSON.stringify({ path: bundle }) });
    expect(await loaded.json()).toMatchObject({ counts: { users: 2, orgs: 2 } });
    const response = await bearerGet(`${emulator.url11}/users`, token);
    const body = (await response.json()) as { users: Array<{ sourcedId: string }> };
    expect(body.users.map((user) => user.sourcedId)).toEqual(['u1', 'u2']);

    const missing = await admin('/data', {
      method: 'POST',
      body: JSON.stringify({ path: '/no/such/bundle' }),
    });
    expect(missing.status).toBe(400);
    const badCount = await admin('/data', { method: 'POST', body: JSON.stringify({ generate: 'many' }) });
    expect(badCount.status).toBe(400);
  });

  it('withholds demographics on request', async () => {
    await admin('/demographics', { method: 'PUT', body: JSON.stringify({ withhold: true }) });
    expect((await bearerGet(`${emulator.url11}/demographics`, token)).status).toBe(403);
    await admin('/demographics', { method: 'PUT', body: JSON.stringify({ withhold: false }) });
    expect((await bearerGet(`${emulator.url11}/demographics`, token)).status).toBe(200);
  });
});

describe('emulator delta filter', () => {
  it('finds records changed after a timestamp', async () => {
    await admin('/data', { method: 'POST', body: JSON.stringify({ generate: 30, seed: 'delta' }) });
    clock.set(new Date('2026-02-01T08:00:00.000Z'));
    // Moving the clock expired the token issued before.
    token = await bearerToken(emulator);
    await admin('/records/users/stu-000004', {
      method: 'PUT',
      body: JSON.stringify({ familyName: 'Moved' }),
    });
    await admin('/records/enrollments/enr-0000001', {
      method: 'PUT',
      body: JSON.stringify({ status: 'tobedeleted' }),
    });

    const since = encodeURIComponent("dateLastModified>'2026-02-01T07:59:59Z'");
    const users = await bearerGet(`${emulator.url11}/users?filter=${since}`, token);
    expect(
      ((await users.json()) as { users: Array<{ sourcedId: string }> }).users.map((user) => user.sourcedId),
    ).toEqual(['stu-000004']);

    const sameInstant = encodeURIComponent("dateLastModified>='2026-02-01T08:00:00Z'");
    const enrollments = await bearerGet(`${emulator.url11}/enrollments?filter=${sameInstant}`, token);
    expect(enrollments.headers.get('x-total-count')).toBe('1');

    const later = encodeURIComponent("dateLastModified>'2026-02-01T08:00:00Z'");
    const none = await bearerGet(`${emulator.url11}/users?filter=${later}`, token);
    expect(none.headers.get('x-total-count')).toBe('0');
  });
});
