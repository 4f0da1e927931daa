import os from 'node:os';

import { type Kysely, sql } from 'kysely';

import type { Database } from '../db/schema.ts';
import { jobsDb } from './tables.ts';

/** Returns the lock key of an organization's sync. */
export function syncLockKey(orgId: string): string {
  return `sync:${orgId}`;
}

export interface SyncClaim {
  orgId: string;
  /** Host name of the organization's roster server, or null (no connection, CSV). */
  rosterHost: string | null;
  jobId: string;
  workerId: string;
  /** Syncs that may hold claims on one roster host at once. */
  hostLimit: number;
}

export type ClaimOutcome = 'claimed' | 'org-busy' | 'host-busy';

/**
 * Claims an organization's sync for one worker. The lock row's primary key makes the claim
 * exclusive across processes and machines. A per-host advisory lock serializes the count of
 * claims per roster host, so the host limit applies even when workers claim at the same instant.
 * An abandoned claim (stale heartbeat) still counts as busy until `recoverStaleClaims` removes
 * it, because its run row must be marked interrupted first.
 */
export async function claimSync(db: Kysely<Database>, claim: SyncClaim): Promise<ClaimOutcome> {
  return jobsDb(db)
    .transaction()
    .execute(async (trx) => {
      const held = await trx
        .selectFrom('jobLocks')
        .select('lockKey')
        .where('lockKey', '=', syncLockKey(claim.orgId))
        .executeTakeFirst();
      if (held) return 'org-busy';

      if (claim.rosterHost) {
        await sql`select pg_advisory_xact_lock(hashtext(${`rostersync-host:${claim.rosterHost}`}))`.execute(
          trx,
        );
        const row = await trx
          .selectFrom('jobLocks')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('rosterHost', '=', claim.rosterHost)
          .executeTakeFirstOrThrow();
        if (Number(row.count) >= claim.hostLimit) return 'host-busy';
      }

      const inserted = await trx
        .insertInto('jobLocks')
        .values({
          lockKey: syncLockKey(claim.orgId),
          orgId: claim.orgId,
          rosterHost: claim.rosterHost,
          jobId: claim.jobId,
          workerId: claim.workerId,
          lockedAt: sql<Date>`now()`,
          heartbeatAt: sql<Date>`now()`,
        })
        .onConflict((oc) => oc.column('lockKey').doNothing())
        .returning('lockKey')
        .executeTakeFirst();
      return inserted ? 'claimed' : 'org-busy';
    });
}

/**
 * Refreshes the heartbeat of a claim and of the organization's running run row. Returns false
 * when the claim is gone (recovered by another process), so the caller should stop.
 */
export async function beatSync(db: Kysely<Database>, orgId: string, workerId: string): Promise<boolean> {
  const result = await jobsDb(db)
    .updateTable('jobLocks')
    .set({ heartbeatAt: sql<Date>`now()` })
    .where('lockKey', '=', syncLockKey(orgId))
    .where('workerId', '=', workerId)
    .executeTakeFirst();
  await db
    .updateTable('syncRuns')
    .set({ heartbeatAt: sql<Date>`now()` })
    .where('orgId', '=', orgId)
    .where('status', '=', 'running')
    .execute();
  return Number(result.numUpdatedRows) > 0;
}

/** Releases a claim held by this worker. */
export async function releaseSync(db: Kysely<Database>, orgId: string, workerId: string): Promise<void> {
  await jobsDb(db)
    .deleteFrom('jobLocks')
    .where('lockKey', '=', syncLockKey(orgId))
    .where('workerId', '=', workerId)
    .execute();
}

/** A claim whose worker stopped beating, as removed by `takeStaleClaims`. */
export interface StaleClaim {
  orgId: string | null;
  jobId: string | null;
  workerId: string;
  heartbeatAt: Date;
}

/**
 * Removes and returns abandoned claims: those whose heartbeat is older than `staleAfterSeconds`,
 * and those of a process on this machine that no longer exists (found at once, without waiting
 * for the heartbeat to age).
 */
export async function takeStaleClaims(
  db: Kysely<Database>,
  staleAfterSeconds: number,
): Promise<StaleClaim[]> {
  const columns = ['orgId', 'jobId', 'workerId', 'heartbeatAt'] as const;
  const stale = await jobsDb(db)
    .deleteFrom('jobLocks')
    .where('heartbeatAt', '<', sql<Date>`now() - make_interval(secs => ${staleAfterSeconds})`)
    .returning(columns)
    .execute();

  const local = await jobsDb(db)
    .selectFrom('jobLocks')
    .select('workerId')
    .distinct()
    .where('workerId', 'like', `${os.hostname()}:%`)
    .execute();
  const dead = local.map((row) => row.workerId).filter((workerId) => !processIsAlive(workerId));
  if (dead.length === 0) return stale;
  const orphaned = await jobsDb(db)
    .deleteFrom('jobLocks')
    .where('workerId', 'in', dead)
    .returning(columns)
    .execute();
  return [...stale, ...orphaned];
}

/** Checks whether the process named by a `host:pid` worker id of this machine still runs. */
function processIsAlive(workerId: string): boolean {
  const pid = Number(workerId.slice(workerId.lastIndexOf(':') + 1));
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
