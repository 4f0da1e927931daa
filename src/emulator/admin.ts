import type { IncomingMessage, ServerResponse } from 'node:http';

import { isAppError } from '../core/errors.ts';
import type { AnyRecord, CollectionName } from '../oneroster/types.ts';
import { parseCollectionName } from './data.ts';
import { FaultSpecError } from './faults.ts';
import { sendJson } from './imsx.ts';

/** Operations of the admin endpoint on the running emulator. */
export interface AdminControls {
  faultSpec(): string;
  setFaults(spec: string): void;
  setWithholdDemographics(on: boolean): void;
  replaceData(
    source: { path: string } | { generate: number; seed?: string },
  ): Promise<Record<CollectionName, number>>;
  getRecord(collection: CollectionName, sourcedId: string): AnyRecord | undefined;
  putRecord(collection: CollectionName, patch: Record<string, unknown>): AnyRecord;
  removeRecord(collection: CollectionName, sourcedId: string): boolean;
  expireTokens(): number;
  stats(): unknown;
}

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const maxBodyBytes = 10 * 1024 * 1024;

/**
 * Serves `/_admin/*` to loopback clients only (others get 403). Routes:
 * `GET|PUT|DELETE /_admin/faults`, `PUT /_admin/demographics` (`{"withhold":true}`),
 * `POST /_admin/data` (`{"path":…}` or `{"generate":N,"seed":S}`),
 * `GET|PUT|DELETE /_admin/records/{collection}/{sourcedId}`, `POST /_admin/tokens/expire`,
 * `GET /_admin/stats`.
 */
export async function handleAdmin(
  controls: AdminControls,
  request: IncomingMessage,
  response: ServerResponse,
  segments: string[],
): Promise<void> {
  if (!loopback.has(request.socket.remoteAddress ?? '')) {
    sendJson(response, 403, { error: 'The admin endpoint accepts loopback clients only.' });
    return;
  }
  const method = request.method ?? 'GET';
  const [area, collectionText, sourcedId] = segments;

  try {
    if (area === 'faults') {
      if (method === 'PUT' || method === 'POST') controls.setFaults(readSpec(await readBody(request)));
      else if (method === 'DELETE') controls.setFaults('');
      sendJson(response, 200, { faults: controls.faultSpec() });
      return;
    }
    if (area === 'demographics' && method === 'PUT') {
      const body = parseJsonObject(await readBody(request));
      controls.setWithholdDemographics(body.withhold === true);
      sendJson(response, 200, { withhold: body.withhold === true });
      return;
    }
    if (area === 'data' && method === 'POST') {
      const body = parseJsonObject(await readBody(request));
      const students = Number(body.generate);
      if (typeof body.path !== 'string' && (!Number.isInteger(students) || students < 1)) {
        throw new AdminInputError(
          'Send {"path":"DIR or ZIP"} or {"generate":N,"seed":"S"} with N a whole number of at least 1.',
        );
      }
      const counts =
        typeof body.path === 'string'
          ? await controls.replaceData({ path: body.path })
          : await controls.replaceData({
              generate: students,
              seed: body.seed === undefined ? undefined : String(body.seed),
            });
      sendJson(response, 200, { counts });
      return;
    }
    if (area === 'records' && collectionText !== undefined && sourcedId !== undefined) {
      await handleRecord(controls, request, response, collectionText, sourcedId);
      return;
    }
    if (area === 'tokens' && collectionText === 'expire' && method === 'POST') {
      sendJson(response, 200, { expired: controls.expireTokens() });
      return;
    }
    if (area === 'stats' && method === 'GET') {
      sendJson(response, 200, controls.stats());
      return;
    }
    sendJson(response, 404, { error: `No admin route for ${method} /_admin/${segments.join('/')}.` });
  } catch (error) {
    if (error instanceof AdminInputError || error instanceof FaultSpecError || isAppError(error)) {
      sendJson(response, 400, { error: error.message });
      return;
    }
    throw error;
  }
}

async function handleRecord(
  controls: AdminControls,
  request: IncomingMessage,
  response: ServerResponse,
  collectionText: string,
  sourcedId: string,
): Promise<void> {
  const collection = parseCollectionName(collectionText);
  if (collection === null) throw new AdminInputError(`${collectionText} is not a OneRoster collection.`);

  if (request.method === 'DELETE') {
    const removed = controls.removeRecord(collection, sourcedId);
    sendJson(response, removed ? 200 : 404, { removed });
    return;
  }
  if (request.method === 'PUT') {
    const patch = parseJsonObject(await readBody(request));
    sendJson(response, 200, { record: controls.putRecord(collection, { ...patch, sourcedId }) });
    return;
  }
  const record = controls.getRecord(collection, sourcedId);
  sendJson(response, record === undefined ? 404 : 200, { record: record ?? null });
}

/** A bad admin request body or path. */
class AdminInputError extends Error {
  override name = 'AdminInputError';
}

function readSpec(body: string): string {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  const parsed = parseJsonObject(trimmed);
  if (typeof parsed.spec !== 'string')
    throw new AdminInputError('Send the fault spec as {"spec":"..."} or as plain text.');
  return parsed.spec;
}

function parseJsonObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body === '' ? '{}' : body);
  } catch {
    throw new AdminInputError('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AdminInputError('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes)
      throw new AdminInputError(`The request body is larger than ${maxBodyBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
