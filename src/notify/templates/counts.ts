import {
  type KindCounts,
  type RecordKind,
  recordKinds,
  type RunCounts,
  type RunWarning,
} from '../../sync/report.ts';
import { type Block, oneLine } from './render.ts';

const kindLabels: Record<RecordKind, string> = {
  schools: 'Schools',
  classrooms: 'Classrooms',
  educators: 'Educators',
  children: 'Children',
  memberships: 'Classroom memberships',
  contacts: 'Family contacts',
};

type CountColumn = keyof KindCounts;

/**
 * Builds a table with one row per kind of record and one column per count, such as created, updated
 * and deactivated. Columns in `optional` appear only when some kind has a non-zero value.
 */
export function countsTable(
  counts: RunCounts,
  columns: { key: CountColumn; label: string }[],
  optional: { key: CountColumn; label: string }[] = [],
): Block {
  const visibleColumns = [
    ...columns,
    ...optional.filter((column) => recordKinds.some((kind) => value(counts, kind, column.key) > 0)),
  ];
  return {
    kind: 'table',
    head: ['Kind of record', ...visibleColumns.map((column) => column.label)],
    rows: recordKinds.map((kind) => [
      kindLabels[kind],
      ...visibleColumns.map((column) => String(value(counts, kind, column.key))),
    ]),
  };
}

/** Sums one count over every kind of record. */
export function totalOf(counts: RunCounts, key: CountColumn): number {
  return recordKinds.reduce((sum, kind) => sum + value(counts, kind, key), 0);
}

function value(counts: RunCounts, kind: RecordKind, key: CountColumn): number {
  const number = counts[kind]?.[key];
  return typeof number === 'number' && Number.isFinite(number) ? number : 0;
}

/** Groups shown in a notice; the run page lists every warning. */
const maxWarningGroups = 5;
const maxExampleLength = 200;

/**
 * Lists the most frequent warning codes, most frequent first (ties by code), each with its count and
 * the first message as an example. Returns at most five lines.
 */
export function topWarnings(warnings: RunWarning[]): string[] {
  const groups = new Map<string, { count: number; example: string }>();
  for (const warning of warnings) {
    const group = groups.get(warning.code);
    if (group) group.count += 1;
    else groups.set(warning.code, { count: 1, example: warning.message });
  }

  return [...groups.entries()]
    .sort(([codeA, a], [codeB, b]) => b.count - a.count || codeA.localeCompare(codeB))
    .slice(0, maxWarningGroups)
    .map(([code, group]) => `${code} (${group.count}), for example: ${shorten(oneLine(group.example))}`);
}

function shorten(text: string): string {
  return text.length > maxExampleLength ? `${text.slice(0, maxExampleLength - 1)}…` : text;
}
