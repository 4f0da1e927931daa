import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/** Where a generator writes rows: CSV files on disk, or memory. */
export interface RowSink {
  /** Declares a file and its header; called once per file before any of its rows. */
  begin(file: string, columns: readonly string[]): void;
  /** Adds one row; a returned promise means the caller must wait (back-pressure). */
  row(file: string, cells: readonly string[]): void | Promise<void>;
  close(): Promise<void>;
}

/** Quotes a CSV cell when it holds a comma, a quote or a line break (RFC 4180). */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const flushBytes = 64 * 1024;

/**
 * Writes each file as CSV (LF line endings, UTF-8, no byte-order mark) into `folder`, created
 * if needed. Rows are batched into 64 KB writes and wait for the stream to drain, so memory
 * stays bounded whatever the size of the district.
 */
export async function createCsvFolderSink(folder: string): Promise<RowSink> {
  await mkdir(folder, { recursive: true });
  const files = new Map<string, { stream: WriteStream; buffer: string[]; size: number }>();

  const flush = async (entry: { stream: WriteStream; buffer: string[]; size: number }): Promise<void> => {
    const chunk = entry.buffer.join('');
    entry.buffer = [];
    entry.size = 0;
    if (!entry.stream.write(chunk)) await new Promise<void>((resolve) => entry.stream.once('drain', resolve));
  };

  return {
    begin(file, columns) {
      const stream = createWriteStream(path.join(folder, file));
      const header = `${columns.map(csvCell).join(',')}\n`;
      files.set(file, { stream, buffer: [header], size: header.length });
    },
    row(file, cells) {
      const entry = files.get(file);
      if (entry === undefined) throw new Error(`The generator wrote a row to ${file} before its header.`);
      const line = `${cells.map(csvCell).join(',')}\n`;
      entry.buffer.push(line);
      entry.size += line.length;
      return entry.size >= flushBytes ? flush(entry) : undefined;
    },
    async close() {
      for (const entry of files.values()) {
        await flush(entry);
        await new Promise<void>((resolve, reject) => {
          entry.stream.once('error', reject);
          entry.stream.end(resolve);
        });
      }
    },
  };
}

/** Rows of one file held in memory, with its header. */
export interface MemoryFile {
  columns: readonly string[];
  rows: string[][];
}

/** Keeps every row in memory, for the emulator's `--generate`. */
export function createMemorySink(): RowSink & { files: Map<string, MemoryFile> } {
  const files = new Map<string, MemoryFile>();
  return {
    files,
    begin(file, columns) {
      files.set(file, { columns, rows: [] });
    },
    row(file, cells) {
      files.get(file)?.rows.push([...cells]);
    },
    close: async () => {},
  };
}
