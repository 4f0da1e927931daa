import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import pino from 'pino';

import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { trackResource, untrackResource } from '../core/resources.ts';
import type { AnyRecord, CollectionName, OneRosterVersion, RecordIssue, User } from '../oneroster/types.ts';
import { collectionNames } from '../oneroster/types.ts';
import type { AdminControls } from './admin.ts';
import { handleAdmin } from './admin.ts';
import { EmulatorAuth } from './auth.ts';
import type { LoadedRoster } from './data.ts';
import { loadBundle, loadGenerated } from './data.ts';
import { FaultInjector, parseFaultSpec } from './faults.ts';
import type { GenerationResult } from './generate/district.ts';
import { handleOneRoster } from './handler.ts';
import { RenderCache } from './render.ts';
import type { HandlerState } from './handler.ts';
import { sendImsx, sendJson } from './imsx.ts';
import type { RosterData } from './store.ts';
import { emptyRosterData, RosterStore } from './store.ts';
import { blankRecord } from './templates.ts';

export const defaultKey = 'emulator-key';
export const defaultSecret = 'emulator-secret';
export const basePath11 = '/ims/oneroster/v1p1';
export const basePath12 = '/ims/oneroster/rostering/v1p2';
export const tokenPath = '/oauth/token';

export interface EmulatorOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** A CSV bundle (folder or zip) to serve. */
  data?: string;
  /** A generated district to serve, when `data` is not given. */
  generate?: { students: number; seed?: string | number };
  /** Records to serve as they are, when neither `data` nor `generate` is given. Default empty. */
  roster?: RosterData;
  /** OAuth 1.0a consumer key and OAuth 2 client id. Default `emulator-key`. */
  key?: string;
  /** OAuth 1.0a consumer secret and OAuth 2 client secret. Default `emulator-secret`. */
  secret?: string;
  /** Serve only the 1.1 or the 1.2 paths. Default: both. */
  oneRoster?: OneRosterVersion;
  /** Largest page a request gets, whatever its `limit`. Default 10,000. */
  maxPage?: number;
  /** Latency added to each OneRoster request, in milliseconds; the `latency=` fault also sets it. */
  latencyMs?: number;
  /** Fault spec (see `parseFaultSpec`). Default none. */
  faults?: string;
  /** Reject demographics requests with 403. Default false. */
  withholdDemographics?: boolean;
  clock?: Clock;
  timestampWindowSeconds?: number;
  tokenTtlSeconds?: number;
  logger?: Logger;
}

export interface RunningEmulator {
  /** The endpoint URL an admin enters, as ClassLink shows it: `http://host:port/ims/oneroster/`. */
  baseUrl: string;
  url11: string;
  url12: string;
  tokenUrl: string;
  adminUrl: string;
  key: string;
  secret: string;
  store: RosterStore;
  /** The generator's result when the emulator serves a generated district, else null. */
  generation: GenerationResult | null;
  /** Problems found while loading the served data. */
  loadIssues: RecordIssue[];
  controls: AdminControls;
  setFaults(spec: string): void;
  close(): Promise<void>;
}

/**
 * Starts a OneRoster 1.1 and 1.2 provider on loopback (see docs/emulator.md). Resolves once it
 * listens. Throws `INVALID_INPUT` for a port outside 0 to 65535 or one in use, `CSV_*` errors
 * when `data` cannot be read, and `FaultSpecError` on a bad spec.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AppError(
      'INVALID_INPUT',
      `The emulator port ${port} is invalid: use 0 to 65535 (0 picks a free port).`,
    );
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const clock = options.clock ?? systemClock;
  const key = options.key ?? defaultKey;
  const secret = options.secret ?? defaultSecret;
  const loaded = await loadInitial(options);
  let generation = 'generation' in loaded ? (loaded.generation as GenerationResult) : null;

  const store = new RosterStore(loaded.data);
  const stats = { requests: 0, byStatus: {} as Record<string, number>, faults: {} as Record<string, number> };
  let faultText = options.faults ?? '';
  const withLatency = (spec: string): string =>
    options.latencyMs && !/latency=/.test(spec)
      ? `latency=${options.latencyMs}${spec ? `,${spec}` : ''}`
      : spec;
  const state: HandlerState = {
    store,
    renderCache: new RenderCache(),
    auth: new EmulatorAuth({
      key,
      secret,
      clock,
      timestampWindowSeconds: options.timestampWindowSeconds,
      tokenTtlSeconds: options.tokenTtlSeconds,
    }),
    faults: new FaultInjector(parseFaultSpec(withLatency(faultText))),
    maxPage: options.maxPage ?? 10_000,
    withholdDemographics: options.withholdDemographics ?? false,
    onFault: (kind) => {
      stats.faults[kind] = (stats.faults[kind] ?? 0) + 1;
    },
  };

  const controls: AdminControls = {
    faultSpec: () => faultText,
    setFaults: (spec) => {
      state.faults = new FaultInjector(parseFaultSpec(withLatency(spec)));
      faultText = spec;
      logger.info({ faults: spec }, 'emulator faults changed');
    },
    setWithholdDemographics: (on) => {
      state.withholdDemographics = on;
    },
    replaceData: async (source) => {
      const next =
        'path' in source ? await loadBundle(source.path) : await loadGenerated(source.generate, source.seed);
      generation = 'generation' in next ? (next.generation as GenerationResult) : null;
      store.replace(next.data);
      logger.info(
        { source: 'path' in source ? source.path : `generate ${source.generate}` },
        'emulator data replaced',
      );
      return Object.fromEntries(collectionNames.map((name) => [name, store.count(name)])) as Record<
        CollectionName,
        number
      >;
    },
    getRecord: (collection, sourcedId) => store.get(collection, sourcedId),
    putRecord: (collection, patch) => {
      const sourcedId = String(patch.sourcedId);
      const current = store.get(collection, sourcedId) ?? blankRecord(collection, sourcedId);
      const merged = {
        ...current,
        ...patch,
        sourcedId,
        dateLastModified: clock.now().toISOString(),
      } as AnyRecord;
      const record = collection === 'users' ? alignUserRoles(merged as User, patch) : merged;
      store.put(collection, record as never);
      return record;
    },
    removeRecord: (collection, sourcedId) => store.remove(collection, sourcedId),
    expireTokens: () => state.auth.expireTokens(),
    stats: () => structuredClone(stats),
  };

  const served = new Set<OneRosterVersion>(
    options.oneRoster === undefined ? ['1.1', '1.2'] : [options.oneRoster],
  );
  const server = createServer((request, response) => {
    stats.requests += 1;
    response.on('finish', () => {
      const status = String(response.statusCode);
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    });
    route(request, response).catch((error: unknown) => {
      logger.error({ err: error, url: request.url }, 'emulator request failed');
      if (!response.headersSent)
        sendImsx(response, 500, 'internal_server_error', 'The emulator failed to answer.');
      else response.destroy();
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname;
    if (path === '/_admin' || path.startsWith('/_admin/')) {
      await handleAdmin(controls, request, response, segmentsAfter(path, '/_admin'));
      return;
    }
    if (path === tokenPath) {
      await handleToken(state.auth, request, response);
      return;
    }
    for (const [version, base] of [
      ['1.1', basePath11],
      ['1.2', basePath12],
    ] as const) {
      if (served.has(version) && (path === base || path.startsWith(`${base}/`))) {
        await handleOneRoster(state, request, response, version, base, url, segmentsAfter(path, base));
        return;
      }
    }
    sendImsx(response, 404, 'unknownobject', `There is no OneRoster resource at ${path}.`);
  }

  const listenHost = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, listenHost, port)));
    server.listen(port, listenHost, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  trackResource(server, `OneRoster emulator at ${origin}`);
  logger.info({ url: origin, records: store.count('users') }, 'emulator started');

  return {
    baseUrl: `${origin}/ims/oneroster/`,
    url11: `${origin}${basePath11}`,
    url12: `${origin}${basePath12}`,
    tokenUrl: `${origin}${tokenPath}`,
    adminUrl: `${origin}/_admin`,
    key,
    secret,
    store,
    get generation() {
      return generation;
    },
    loadIssues: loaded.issues,
    controls,
    setFaults: controls.setFaults,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      untrackResource(server);
      logger.info({ url: origin }, 'emulator stopped');
    },
  };
}

async function loadInitial(
  options: EmulatorOptions,
): Promise<LoadedRoster | (LoadedRoster & { generation: GenerationResult })> {
  if (options.data !== undefined) return loadBundle(options.data);
  if (options.generate !== undefined) return loadGenerated(options.generate.students, options.generate.seed);
  return { data: options.roster ?? emptyRosterData(), issues: [] };
}

/**
 * Rebuilds a user's 1.2 `roles` from `role` and `orgSourcedIds` when a patch changed those but
 * not `roles`, so that the 1.1 and 1.2 renderings agree: one role per org, the first primary.
 */
function alignUserRoles(user: User, patch: Record<string, unknown>): User {
  if ('roles' in patch || !('role' in patch || 'orgSourcedIds' in patch)) return user;
  const roles = user.orgSourcedIds.map((orgSourcedId, index) => ({
    roleType: index === 0 ? ('primary' as const) : ('secondary' as const),
    role: user.role,
    orgSourcedId,
    beginDate: null,
    endDate: null,
  }));
  const primaryOrgSourcedId =
    'primaryOrgSourcedId' in patch ? user.primaryOrgSourcedId : (user.orgSourcedIds[0] ?? null);
  return { ...user, roles, primaryOrgSourcedId };
}

function segmentsAfter(path: string, base: string): string[] {
  return path
    .slice(base.length)
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        // A malformed escape cannot name any record; kept raw, it leads to a 404.
        return segment;
      }
    });
}

async function handleToken(
  auth: EmulatorAuth,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') {
    sendJson(response, 405, { error: 'invalid_request', error_description: 'Use POST.' }, { allow: 'POST' });
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  if (form.get('grant_type') !== 'client_credentials') {
    sendJson(response, 400, {
      error: 'unsupported_grant_type',
      error_description: 'Only client_credentials is supported.',
    });
    return;
  }
  const token = auth.issueToken(request.headers.authorization, form);
  if (token === null) {
    sendJson(
      response,
      401,
      { error: 'invalid_client', error_description: 'The client id or secret is wrong.' },
      { 'www-authenticate': 'Basic realm="OneRoster"' },
    );
    return;
  }
  sendJson(response, 200, token, { 'cache-control': 'no-store' });
}

/** Turns a failed `listen` into an error that names the address and what to do. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new AppError(
      'INVALID_INPUT',
      `The emulator cannot listen on ${host} port ${port}: the port is in use. Stop the other process or pick another port (0 picks a free one).`,
      { cause: error },
    );
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
    return new AppError(
      'INVALID_INPUT',
      `The emulator cannot listen on ${host} port ${port} (${error.code}): use a local address such as 127.0.0.1 and a port above 1023.`,
      { cause: error },
    );
  }
  return error;
}
