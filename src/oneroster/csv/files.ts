import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

import { Unzip, UnzipInflate } from 'fflate';

import { AppError } from '../../core/errors.ts';

/** Read access to the files of a bundle, whether a folder or a zip archive. */
export interface BundleFiles {
  /** The folder or zip path, for messages. */
  readonly location: string;
  /** File names present in the bundle (base names, as written). */
  list(): Promise<string[]>;
  /** Streams one file's bytes, found by case-insensitive base name; null when absent. */
  open(name: string): Promise<Readable | null>;
}

/**
 * Opens a bundle at `location`: a folder holding the CSV files, or a `.zip` archive (the files
 * may sit in one sub-folder of it). Throws `CSV_BUNDLE_INVALID` when the path is neither.
 */
export async function openBundleFiles(location: string): Promise<BundleFiles> {
  const info = await stat(location).catch((cause: unknown) => {
    throw new AppError('CSV_BUNDLE_INVALID', `The OneRoster CSV bundle ${location} was not found.`, {
      cause,
      hint: 'Give the path of a folder or a .zip file that contains the OneRoster CSV files.',
    });
  });
  if (info.isDirectory()) return folderFiles(location);
  if (info.isFile() && (await hasZipSignature(location))) return zipFiles(location);
  throw new AppError('CSV_BUNDLE_INVALID', `${location} is neither a folder nor a .zip file.`);
}

/** Checks the first bytes for a zip local file header (`PK\x03\x04`) or an empty archive. */
async function hasZipSignature(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    const signature = buffer.subarray(0, bytesRead).toString('latin1');
    return signature === 'PK\x03\x04' || signature === 'PK\x05\x06';
  } finally {
    await handle.close();
  }
}

function folderFiles(folder: string): BundleFiles {
  const find = async (name: string): Promise<string | null> => {
    const entries = await readdir(folder);
    return entries.find((entry) => entry.toLowerCase() === name.toLowerCase()) ?? null;
  };
  return {
    location: folder,
    list: async () => (await readdir(folder)).filter((entry) => entry.toLowerCase().endsWith('.csv')),
    open: async (name) => {
      const entry = await find(name);
      return entry === null ? null : createReadStream(path.join(folder, entry));
    },
  };
}

function zipFiles(zipPath: string): BundleFiles {
  let names: Promise<string[]> | null = null;
  const list = (): Promise<string[]> => {
    names ??= listZipEntries(zipPath);
    return names;
  };
  return {
    location: zipPath,
    list: async () => (await list()).map((entry) => path.posix.basename(entry)),
    open: async (name) => {
      const entry = (await list()).find((candidate) => sameBaseName(candidate, name));
      return entry === undefined ? null : streamZipEntry(zipPath, entry);
    },
  };
}

function sameBaseName(entry: string, name: string): boolean {
  return path.posix.basename(entry).toLowerCase() === name.toLowerCase();
}

/** Lists the CSV entries of a zip by streaming it once without inflating anything. */
async function listZipEntries(zipPath: string): Promise<string[]> {
  const entries: string[] = [];
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file) => {
    if (file.name.toLowerCase().endsWith('.csv') && !file.name.startsWith('__MACOSX/'))
      entries.push(file.name);
  };
  try {
    for await (const chunk of createReadStream(zipPath)) unzip.push(chunk as Uint8Array);
    unzip.push(new Uint8Array(0), true);
  } catch (cause) {
    throw new AppError('CSV_BUNDLE_INVALID', `${zipPath} is not a readable zip archive.`, { cause });
  }
  return entries;
}

/**
 * Streams one zip entry, inflating as it goes. Reading of the archive pauses while the
 * consumer is behind, so memory stays bounded whatever the entry's size.
 */
function streamZipEntry(zipPath: string, entryName: string): Readable {
  const source = createReadStream(zipPath);
  const output = new Readable({
    highWaterMark: 1 << 20,
    read: () => {
      source.resume();
    },
    destroy: (error, callback) => {
      source.destroy();
      callback(error);
    },
  });

  let done = false;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file) => {
    if (file.name !== entryName || done) return;
    file.ondata = (error, chunk, final) => {
      if (error) {
        output.destroy(
          new AppError('CSV_BUNDLE_INVALID', `${entryName} in ${zipPath} cannot be inflated.`, {
            cause: error,
          }),
        );
        return;
      }
      if (chunk.length > 0 && !output.push(chunk)) source.pause();
      if (final) {
        done = true;
        output.push(null);
        source.destroy();
      }
    };
    file.start();
  };

  source.on('data', (chunk) => {
    try {
      unzip.push(chunk as Uint8Array);
    } catch (cause) {
      output.destroy(
        new AppError('CSV_BUNDLE_INVALID', `${zipPath} is not a readable zip archive.`, { cause }),
      );
    }
  });
  source.on('end', () => {
    if (!done) output.destroy(new AppError('CSV_BUNDLE_INVALID', `${entryName} in ${zipPath} is truncated.`));
  });
  source.on('error', (error) => output.destroy(error));
  return output;
}
