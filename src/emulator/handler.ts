import type { IncomingMessage, ServerResponse } from 'node:http';

import type { OneRosterVersion } from '../oneroster/types.ts';
import type { EmulatorAuth } from './auth.ts';
import type { FaultDecision, FaultInjector } from './faults.ts';
import { sendImsx } from './imsx.ts';
import type { ListPage } from './query.ts';
import { parseListQuery, pickFields, QueryError, runListQuery } from './query.ts';
import type { RenderCache } from './render.ts';
import { WireRenderer } from './render.ts';
import { resolveEndpoint } from './routes.ts';
import type { RosterStore } from './store.ts';

/** The running emulator's state that the OneRoster handler reads on each request. */
export interface HandlerState {
  store: RosterStore;
  renderCache: RenderCache;
  auth: EmulatorAuth;
  faults: FaultInjector;
  maxPage: number;
  withholdDemographics: boolean;
  onFault(kind: string): void;
}

/**
 * Handles one OneRoster REST request (`segments` follow the version's base path): checks
 * credentials, applies faults, resolves the resource, and sends a page or a single object.
 */
export async function handleOneRoster(
  state: HandlerState,
  request: IncomingMessage,
  response: ServerResponse,
  version: OneRosterVersion,
  basePath: string,
  url: URL,
  segments: string[],
): Promise<void> {
  if (request.method !== 'GET') {
    sendImsx(
      response,
      405,
      'invalid_data',
      `OneRoster rostering resources accept only GET, not ${request.method}.`,
      { allow: 'GET' },
    );
    return;
  }
  const failure = state.auth.check(request, url.href);
  if (failure !== null) {
    sendImsx(response, 401, 'unauthorisedrequest', failure, {
      'www-authenticate': 'OAuth realm="OneRoster", Bearer',
    });
    return;
  }

  const resource = resourceName(segments);
  const fault = state.faults.decide(resource);
  if (fault.latencyMs > 0) await delay(fault.latencyMs);
  if (applyReplacingFault(state, fault, request, response)) return;

  if (state.withholdDemographics && segments[0] === 'demographics') {
    sendImsx(response, 403, 'forbidden', 'The district has not shared demographics with this application.');
    return;
  }

  const endpoint = resolveEndpoint(state.store, segments);
  if (endpoint === null) {
    sendImsx(response, 404, 'unknownobject', `There is no OneRoster resource at ${url.pathname}.`);
    return;
  }
  if (endpoint.kind === 'missing') {
    sendImsx(response, 404, 'unknownobject', endpoint.message);
    return;
  }

  const renderer = new WireRenderer(version, `${url.origin}${basePath}`);
  let query;
  try {
    query = parseListQuery(url.searchParams, endpoint.collection, version, state.maxPage);
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    sendImsx(response, 400, error.codeMinor, error.message);
    return;
  }

  if (endpoint.kind === 'single') {
    let wire = renderer.render(endpoint.collection, endpoint.record);
    if (query.fields !== null) wire = pickFields(wire, query.fields);
    sendBody(state, response, JSON.stringify({ [endpoint.envelope]: wire }), {}, fault);
    return;
  }

  const page = runListQuery(endpoint.records, endpoint.collection, renderer, query);
  const headers = pageHeaders(url, page, query.limit, query.offset, fault, state);
  let records = page.records;
  if (fault.short && records.length > 1) {
    state.onFault('short');
    records = records.slice(0, Math.ceil(records.length / 2));
  }

  const fields = query.fields;
  const items =
    fields === null
      ? state.renderCache.jsonOf(renderer, endpoint.collection, records)
      : records.map((record) =>
          JSON.stringify(pickFields(renderer.render(endpoint.collection, record), fields)),
        );
  if (fault.noEnvelope) state.onFault('noenvelope');
  const key = fault.noEnvelope ? 'data' : endpoint.envelope;
  sendBody(state, response, `{${JSON.stringify(key)}:[${items.join(',')}]}`, headers, fault);
}

/** Returns the resource name that the `only=` fault filter matches: the last name segment. */
function resourceName(segments: string[]): string {
  return segments.length === 3 ? (segments[2] ?? '') : (segments[0] ?? '');
}

function applyReplacingFault(
  state: HandlerState,
  fault: FaultDecision,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  if (fault.replace === null) return false;
  state.onFault(String(fault.replace));
  if (fault.replace === 'reset') {
    request.socket.destroy();
    return true;
  }
  if (fault.replace === 429) {
    const seconds = String(state.faults.spec.retryAfterSeconds);
    sendImsx(response, 429, 'server_busy', 'The server is busy; retry after the time in Retry-After.', {
      'retry-after': seconds,
    });
    return true;
  }
  sendImsx(
    response,
    fault.replace,
    'internal_server_error',
    `The emulator injected a ${fault.replace} fault.`,
  );
  return true;
}

function pageHeaders(
  url: URL,
  page: ListPage,
  limit: number,
  offset: number,
  fault: FaultDecision,
  state: HandlerState,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.noTotal) state.onFault('nototal');
  else if (fault.lieTotal) {
    state.onFault('lietotal');
    headers['x-total-count'] = String(page.total + 5);
  } else headers['x-total-count'] = String(page.total);

  const link = (rel: string, at: number): string => {
    const target = new URL(url.href);
    target.searchParams.set('limit', String(limit));
    target.searchParams.set('offset', String(at));
    return `<${target.href}>; rel="${rel}"`;
  };
  const links = [link('first', 0)];
  if (offset > 0) links.push(link('prev', Math.max(0, offset - limit)));
  if (offset + limit < page.total) links.push(link('next', offset + limit));
  links.push(link('last', page.total === 0 ? 0 : Math.floor((page.total - 1) / limit) * limit));
  headers.link = links.join(', ');
  return headers;
}

function sendBody(
  state: HandlerState,
  response: ServerResponse,
  body: string,
  headers: Record<string, string>,
  fault: FaultDecision,
): void {
  let text = body;
  if (fault.badJson) {
    state.onFault('badjson');
    text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  }
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
