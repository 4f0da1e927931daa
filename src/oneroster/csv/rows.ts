import type { Readable } from 'node:stream';

import { parse } from 'csv-parse';

/** One data row of a CSV file, keyed by the header cell of each column. */
export interface CsvRow {
  /** 1-based line on which the row starts. */
  line: number;
  values: Map<string, string>;
  /** Cells past the header's last column (empty ones included). */
  extraCells: string[];
  /** How many cells the row has fewer than the header, or 0. */
  missingCells: number;
}

/**
 * Largest record accepted, in bytes of UTF-8. A real OneRoster row is a few kilobytes. Without a
 * cap, an unclosed quote or a zip that inflates to one endless cell is buffered until memory runs out.
 */
export const maxRecordBytes = 16 * 1024 * 1024;

/** A problem that stops the parse of a file part way; rows before it were yielded. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvRowStream {
  /** The header cells as written, or null for an empty file. Valid after the first row or the end. */
  header(): string[] | null;
  rows: AsyncIterable<CsvRow>;
}

/**
 * Streams the rows of one CSV file, so a file of any size is never held in memory whole.
 * Accepts a UTF-8 byte-order mark, CRLF, LF or bare-CR line endings, a missing final newline,
 * blank lines, and rows whose cell count differs from the header (reported on the row).
 * `mapHeader` turns each header cell into the key used in `values`.
 * Iteration throws `CsvSyntaxError`, with the line where the bad record starts, on a quote that
 * never closes or a record longer than `maxRecordBytes`.
 */
export function readCsvRows(input: Readable, mapHeader: (cell: string) => string): CsvRowStream {
  let header: string[] | null = null;

  async function* rows(): AsyncGenerator<CsvRow> {
    const parser = input.pipe(
      parse({
        bom: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        info: true,
        max_record_size: maxRecordBytes,
      }),
    );
    input.on('error', (error) => parser.destroy(error));

    let keys: string[] = [];
    let previousEndLine = 0;
    let previousEmptyLines = 0;
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: ParseInfo }>) {
        const { record, info } = item;
        // csv-parse reports the line on which a record ends; a quoted cell may span lines.
        const line = previousEndLine + 1 + (info.empty_lines - previousEmptyLines);
        previousEndLine = info.lines;
        previousEmptyLines = info.empty_lines;

        if (header === null) {
          header = record;
          keys = record.map(mapHeader);
          continue;
        }
        yield toRow(keys, record, line);
      }
    } catch (error) {
      throw toSyntaxError(error, previousEndLine + 1);
    }
  }

  return { header: () => header, rows: rows() };
}

interface ParseInfo {
  lines: number;
  empty_lines: number;
}

function toRow(keys: string[], record: string[], line: number): CsvRow {
  const values = new Map<string, string>();
  keys.forEach((key, index) => {
    values.set(key, record[index] ?? '');
  });
  return {
    line,
    values,
    extraCells: record.slice(keys.length),
    missingCells: Math.max(0, keys.length - record.length),
  };
}

/** `recordLine` is where the failing record starts; csv-parse names the line where it gave up. */
function toSyntaxError(error: unknown, recordLine: number): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('CSV_')) return error;
  return new CsvSyntaxError(error.message, recordLine);
}
