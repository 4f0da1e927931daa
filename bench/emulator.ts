/**
 * Serving rate of the OneRoster emulator with 10,000-record pages, which must stay well above the
 * sync's own rate so that a sync benchmark against it measures the sync. Also times generating the district and reading it back
 * through the CSV reader.
 *
 * Run alone: `npx tsx bench/emulator.ts [students]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { loadBundle } from '../src/emulator/data.ts';
import { generateDistrict } from '../src/emulator/generate/district.ts';
import { createCsvFolderSink } from '../src/emulator/generate/sink.ts';
import { openCsvBundle } from '../src/oneroster/csv/bundle.ts';
import { collectionNames } from '../src/oneroster/types.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { buildAuthorizationHeader } from '../src/oneroster/auth/oauth1.ts';

export interface EmulatorBenchOptions {
  /** Children in the generated district. Default 50,000 (about 127,000 users). */
  students?: number;
  /** Records per page. Default 10,000, the emulator's maximum. */
  pageSize?: number;
  /** Timed rounds of paging; the best round counts. Default 3. */
  rounds?: number;
}

export interface EmulatorBenchResult {
  name: 'emulator';
  students: number;
  /** Records served per round (users and enrollments). */
  records: number;
  /** Writing the district as CSV files, in milliseconds. */
  generateMs: number;
  /** Records per second streamed through the CSV reader (every collection, nothing kept). */
  csvRecordsPerSecond: number;
  /** Records per second served on the first round, which renders every record. */
  coldRecordsPerSecond: number;
  /** Records per second served with a bearer token, the client reading but not parsing bodies (best round). */
  servedRecordsPerSecond: number;
  /** As `servedRecordsPerSecond`, with the client also parsing each page's JSON (best round). */
  parsedRecordsPerSecond: number;
  /** As `servedRecordsPerSecond`, with an OAuth 1.0a signature on each request (best round). */
  oauth1RecordsPerSecond: number;
  /** Response bytes per second with a bearer token (best round). */
  servedBytesPerSecond: number;
}

/** Generates a district, serves it, and pages through users and enrollments with both kinds of auth. */
export async function benchEmulator(options: EmulatorBenchOptions = {}): Promise<EmulatorBenchResult> {
  const students = options.students ?? 50_000;
  const pageSize = options.pageSize ?? 10_000;
  const rounds = options.rounds ?? 3;
  const dir = await mkdtemp(path.join(tmpdir(), 'rostersync-bench-emulator-'));

  try {
    const started = performance.now();
    await generateDistrict({ students, seed: 'bench' }, await createCsvFolderSink(dir));
    const generateMs = performance.now() - started;

    const csvRecordsPerSecond = await streamBundle(dir);
    const { data } = await loadBundle(dir);

    const emulator = await startEmulator({ roster: data, maxPage: pageSize });
    try {
      const token = await fetchToken(emulator);
      const bearer = (): string => `Bearer ${token}`;
      const cold = await pageAll(emulator, pageSize, bearer, false);
      let served = cold;
      let parsedMs = Number.POSITIVE_INFINITY;
      let oauth1Ms = Number.POSITIVE_INFINITY;
      for (let round = 0; round < rounds; round += 1) {
        const servedRound = await pageAll(emulator, pageSize, bearer, false);
        if (servedRound.ms < served.ms) served = servedRound;
        parsedMs = Math.min(parsedMs, (await pageAll(emulator, pageSize, bearer, true)).ms);
        const oauthRound = await pageAll(
          emulator,
          pageSize,
          (url) =>
            buildAuthorizationHeader({
              method: 'GET',
              url,
              consumerKey: emulator.key,
              consumerSecret: emulator.secret,
            }),
          false,
        );
        oauth1Ms = Math.min(oauth1Ms, oauthRound.ms);
      }

      const perSecond = (count: number, ms: number): number => Math.round((count / ms) * 1000);
      return {
        name: 'emulator',
        students,
        records: served.records,
        generateMs: Math.round(generateMs),
        csvRecordsPerSecond,
        coldRecordsPerSecond: perSecond(cold.records, cold.ms),
        servedRecordsPerSecond: perSecond(served.records, served.ms),
        parsedRecordsPerSecond: perSecond(served.records, parsedMs),
        oauth1RecordsPerSecond: perSecond(served.records, oauth1Ms),
        servedBytesPerSecond: perSecond(served.bytes, served.ms),
      };
    } finally {
      await emulator.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fetchToken(emulator: RunningEmulator): Promise<string> {
  const basic = Buffer.from(`${emulator.key}:${emulator.secret}`).toString('base64');
  const response = await fetch(emulator.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}` },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Streams every collection through the CSV reader, keeping nothing; returns records per second. */
async function streamBundle(dir: string): Promise<number> {
  const bundle = await openCsvBundle(dir);
  let records = 0;
  const started = performance.now();
  for (const collection of collectionNames) {
    for await (const page of bundle.pull(collection)) records += page.records.length;
  }
  return Math.round((records / (performance.now() - started)) * 1000);
}

/**
 * Pages through users and enrollments as a client would, following `Link` headers. With `parse`
 * the client also parses each page, which in one process competes with the server for the CPU.
 */
async function pageAll(
  emulator: RunningEmulator,
  pageSize: number,
  authorization: (url: string) => string,
  parse: boolean,
): Promise<{ records: number; bytes: number; ms: number }> {
  let records = 0;
  let bytes = 0;
  const started = performance.now();
  for (const collection of ['users', 'enrollments']) {
    let url: string | null = `${emulator.url11}/${collection}?limit=${pageSize}&offset=0`;
    while (url !== null) {
      const response: Response = await fetch(url, { headers: { authorization: authorization(url) } });
      if (response.status !== 200)
        throw new Error(`The emulator returned status ${response.status} for ${url}.`);
      const total = Number(response.headers.get('x-total-count'));
      const offset = Number(new URL(url).searchParams.get('offset'));
      const text = await response.text();
      bytes += text.length;
      records += parse
        ? ((JSON.parse(text) as Record<string, unknown[]>)[collection] ?? []).length
        : Math.min(pageSize, total - offset);
      url = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
    }
  }
  return { records, bytes, ms: performance.now() - started };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const students = Number(process.argv[2] ?? 50_000);
  const result = await benchEmulator({ students });
  console.log(JSON.stringify(result, null, 2));
}
