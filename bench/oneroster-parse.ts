/**
 * Parse-and-normalize throughput of OneRoster pages against plain `JSON.parse` of the same pages.
 * The target is that normalization costs no more than JSON parsing itself (a ratio of at most 1).
 *
 * Run alone: `npx tsx bench/oneroster-parse.ts [records]`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { normalizePage } from '../src/oneroster/parse/index.ts';
import type { CollectionName } from '../src/oneroster/types.ts';

export interface ParseBenchOptions {
  /** Records per collection. Default 50,000. */
  records?: number;
  /** Records per page, as a client would request. Default 1,000. */
  pageSize?: number;
  /** Timed rounds; the best round counts. Default 5. */
  rounds?: number;
}

export interface ParseBenchResult {
  name: 'oneroster-parse';
  records: number;
  /** Best time to `JSON.parse` every page, in milliseconds. */
  jsonParseMs: number;
  /** Best time to normalize every parsed page, in milliseconds. */
  normalizeMs: number;
  /** `normalizeMs / jsonParseMs`; the target is at most 1. */
  ratio: number;
  /** Records parsed and normalized per second. */
  recordsPerSecond: number;
}

const collections: CollectionName[] = ['users', 'enrollments', 'classes', 'demographics'];

/** Measures parsing and normalizing generated 1.1 pages of users, enrollments, classes and demographics. */
export function benchOneRosterParse(options: ParseBenchOptions = {}): ParseBenchResult {
  const records = options.records ?? 50_000;
  const pageSize = options.pageSize ?? 1000;
  const rounds = options.rounds ?? 5;

  const pages: Array<{ collection: CollectionName; body: string }> = [];
  for (const collection of collections) {
    for (let offset = 0; offset < records; offset += pageSize) {
      const rows = Array.from({ length: Math.min(pageSize, records - offset) }, (_, index) =>
        makeRow(collection, offset + index),
      );
      pages.push({ collection, body: JSON.stringify({ [collection]: rows }) });
    }
  }

  let jsonParseMs = Infinity;
  let normalizeMs = Infinity;
  // The first round warms the JIT and is measured like the others; the best round counts.
  for (let round = 0; round < rounds + 1; round += 1) {
    const parsed: Array<{ collection: CollectionName; rows: unknown[] }> = [];
    const parseStart = performance.now();
    for (const page of pages) {
      parsed.push({
        collection: page.collection,
        rows: (JSON.parse(page.body) as Record<string, unknown[]>)[page.collection] ?? [],
      });
    }
    jsonParseMs = Math.min(jsonParseMs, performance.now() - parseStart);

    let normalizedCount = 0;
    const normalizeStart = performance.now();
    for (const page of parsed)
      normalizedCount += normalizePage(page.collection, page.rows, '1.1').records.length;
    normalizeMs = Math.min(normalizeMs, performance.now() - normalizeStart);
    if (normalizedCount !== records * collections.length)
      throw new Error(`Normalized ${normalizedCount} records, expected ${records * collections.length}.`);
  }

  const total = records * collections.length;
  return {
    name: 'oneroster-parse',
    records: total,
    jsonParseMs: round(jsonParseMs),
    normalizeMs: round(normalizeMs),
    ratio: round(normalizeMs / jsonParseMs),
    recordsPerSecond: Math.round(total / ((jsonParseMs + normalizeMs) / 1000)),
  };
}

/** Builds one wire record with the quirks real servers send: string booleans, refs with href, metadata. */
function makeRow(collection: CollectionName, index: number): Record<string, unknown> {
  const base = {
    sourcedId: `${collection}-${index}`,
    status: index % 50 === 0 ? 'tobedeleted' : 'active',
    dateLastModified: index % 2 === 0 ? '2025-01-19T09:56:53.223Z' : '2025-01-19T09:56:53Z',
    metadata: { 'ext.district': 'north' },
  };
  const ref = (type: string, id: string) => ({
    sourcedId: id,
    type,
    href: `https://roster.test/ims/oneroster/v1p1/${type}s/${id}`,
  });

  switch (collection) {
    case 'users':
      return {
        ...base,
        username: `user${index}`,
        userIds: [{ type: 'LDAP', identifier: String(index) }],
        enabledUser: index % 3 === 0 ? true : 'true',
        givenName: `Given${index}`,
        familyName: 'Family',
        middleName: '',
        role: 'student',
        identifier: `S${index}`,
        email: `user${index}@district.test`,
        sms: '',
        phone: '',
        orgs: [ref('org', `school-${index % 20}`)],
        agents: [ref('user', `parent-${index}`)],
        grades: ['PK'],
      };
    case 'enrollments':
      return {
        ...base,
        user: ref('user', `user-${index}`),
        class: ref('class', `class-${index % 500}`),
        school: ref('org', `school-${index % 20}`),
        role: 'student',
        primary: 'false',
        beginDate: '2024-08-15',
        endDate: '',
      };
    case 'classes':
      return {
        ...base,
        title: `Class ${index}`,
        classCode: `C${index}`,
        classType: 'homeroom',
        location: '',
        grades: ['PK', 'KG'],
        subjects: [],
        course: ref('course', `course-${index % 40}`),
        school: ref('org', `school-${index % 20}`),
        terms: [ref('academicSession', 'term-1')],
        periods: '1',
      };
    default:
      return {
        ...base,
        birthDate: '2020-05-04',
        sex: 'female',
        americanIndianOrAlaskaNative: 'false',
        asian: 'false',
        blackOrAfricanAmerican: 'false',
        nativeHawaiianOrOtherPacificIslander: 'false',
        white: 'true',
        demographicRaceTwoOrMoreRaces: 'false',
        hispanicOrLatinoEthnicity: 'false',
        countryOfBirthCode: 'US',
        stateOfBirthAbbreviation: 'CA',
        cityOfBirth: '',
        publicSchoolResidenceStatus: '',
      };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const records = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const result = benchOneRosterParse({ records });
  console.log(
    `OneRoster parse: ${result.records} records, JSON.parse ${result.jsonParseMs} ms, normalize ${result.normalizeMs} ms, ` +
      `ratio ${result.ratio} (target <= 1), ${result.recordsPerSecond} records/s`,
  );
}
