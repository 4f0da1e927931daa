/**
 * The Test connection check: proves the endpoint URL and credentials and shows what the district
 * shares with the app.
 */
import { AppError, toErrorBody } from '../core/errors.ts';
import type { ErrorBody } from '../core/errors.ts';
import { createOneRosterClient } from './client.ts';
import type { OneRosterClient, OneRosterClientOptions } from './client.ts';
import { listEnvelopeKeys, readEnvelope } from './envelope.ts';
import { errorForResponse } from './errors.ts';

export type DemographicsAccess = 'readable' | 'forbidden' | 'empty';

/** The `org connect --test --json` output. */
export interface ConnectionTestResult {
  ok: boolean;
  schools: Array<{ sourcedId: string; name: string }>;
  counts: { classes: number; students: number; teachers: number; enrollments: number };
  demographics: DemographicsAccess;
  error: ErrorBody | null;
}

/**
 * Authenticates, lists the schools, counts classes, students, teachers and enrollments, and reads
 * one demographics record. Never throws for a failed check: the result has `ok: false` and the
 * error, while the other fields keep what was read before the failure (zero counts, no schools
 * and `empty` demographics when nothing was). Aborting the signal rejects with its reason.
 */
export async function testConnection(
  clientOptions: OneRosterClientOptions,
  options: { signal?: AbortSignal } = {},
): Promise<ConnectionTestResult> {
  const result: ConnectionTestResult = {
    ok: false,
    schools: [],
    counts: { classes: 0, students: 0, teachers: 0, enrollments: 0 },
    demographics: 'empty',
    error: null,
  };

  let client: OneRosterClient | undefined;
  try {
    client = createOneRosterClient(clientOptions);
    await runChecks(client, result, options.signal);
    result.ok = true;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    result.error = toErrorBody(error, 'ONEROSTER_UNEXPECTED_RESPONSE');
    clientOptions.logger?.warn({ err: error, endpoint: client?.baseUrl }, 'OneRoster connection test failed');
  } finally {
    await client?.close();
  }
  return result;
}

async function runChecks(
  client: OneRosterClient,
  result: ConnectionTestResult,
  signal?: AbortSignal,
): Promise<void> {
  // Schools first: it proves the URL and the credentials with one small collection.
  for await (const page of client.pullPath('orgs', '/schools', { signal })) {
    for (const school of page.records)
      result.schools.push({ sourcedId: school.sourcedId, name: school.name });
  }

  const [classes, students, teachers, enrollments] = await Promise.all([
    client.count('classes', '/classes', { signal }),
    client.count('users', '/students', { signal }),
    client.count('users', '/teachers', { signal }),
    client.count('enrollments', '/enrollments', { signal }),
  ]);
  result.counts = { classes, students, teachers, enrollments };

  result.demographics = await readDemographicsAccess(client, signal);
}

async function readDemographicsAccess(
  client: OneRosterClient,
  signal?: AbortSignal,
): Promise<DemographicsAccess> {
  const response = await client.fetch('/demographics?limit=1&offset=0', { signal });
  if (response.status === 403 || response.status === 404) return 'forbidden';
  if (response.status !== 200) throw errorForResponse({ ...response, target: 'demographics' });

  const rows = readEnvelope(response.body, listEnvelopeKeys.demographics, response.url);
  if (!Array.isArray(rows)) {
    throw new AppError(
      'ONEROSTER_UNEXPECTED_RESPONSE',
      `The demographics in the response from ${response.url} are not a list.`,
    );
  }
  return rows.length > 0 ? 'readable' : 'empty';
}
