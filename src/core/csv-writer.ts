import fs from 'node:fs';
import { once } from 'node:events';

/** Quotes one CSV field when it holds a comma, quote, line break or leading/trailing space. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value)
    ? value.join(',')
    : value instanceof Date
      ? value.toISOString()
      : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * Writes a CSV file (RFC 4180, CRLF) from a header and rows, honouring back-pressure so large
 * exports do not pile up in memory. Returns the number of data rows written.
 */
export async function writeCsvFile(
  file: string,
  header: readonly string[],
  rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
): Promise<number> {
  const stream = fs.createWriteStream(file, { encoding: 'utf8' });
  let count = 0;
  try {
    stream.write(csvLine(header));
    for await (const row of rows) {
      if (!stream.write(csvLine(row))) await once(stream, 'drain');
      count += 1;
    }
  } finally {
    stream.end();
    await once(stream, 'close');
  }
  return count;
}
