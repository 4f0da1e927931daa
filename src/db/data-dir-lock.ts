import fs from 'node:fs';
import path from 'node:path';

import { AppError } from '../core/errors.ts';

const lockName = 'store.lock';

/**
 * Takes the embedded store's lock file, so that a second process cannot open the same PGlite
 * files. PGlite serves one process, and two writers would corrupt it. A lock left by a process
 * that no longer runs is taken over. Returns the function that releases the lock.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, lockName);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => releaseLock(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(holder) && isRunning(holder)) {
      throw new AppError(
        'DB_UNREACHABLE',
        `The embedded store in ${dataDir} is in use by process ${holder}.`,
        {
          hint: 'Stop that process (for example a running `rostersync serve` or `demo`) and try again, or set DATABASE_URL to use PostgreSQL, which serves several processes.',
        },
      );
    }
    fs.rmSync(file, { force: true });
  }
  throw new AppError('DB_UNREACHABLE', `Could not take the lock file ${file} of the embedded store.`);
}

function releaseLock(file: string): void {
  try {
    if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
  } catch {
    // Already gone: nothing to release.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
