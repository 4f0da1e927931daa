import type { Kysely } from 'kysely';

import { normalizeEmailAddress } from '../core/email-address.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../db/schema.ts';

/**
 * Lists the addresses a run notice goes to: the organization's enabled admins (role `org-admin`) and
 * the extra addresses from its settings, in that order, each once regardless of case. An
 * address that fails validation (settings validate on save, but older rows may not) is
 * skipped and logged, never sent to.
 */
export async function resolveRecipients(
  db: Kysely<Database>,
  orgId: string,
  extraEmails: readonly string[],
  logger: Logger,
): Promise<string[]> {
  const admins = await db
    .selectFrom('appUsers')
    .select('email')
    .where('orgId', '=', orgId)
    .where('role', '=', 'org-admin')
    .where('disabled', '=', false)
    .orderBy('createdAt')
    .execute();

  const seen = new Set<string>();
  const recipients: string[] = [];
  for (const candidate of [...admins.map((admin) => admin.email), ...extraEmails]) {
    let address: string;
    try {
      address = normalizeEmailAddress(candidate);
    } catch {
      logger.warn({ orgId, address: JSON.stringify(candidate) }, 'Skipped an invalid e-mail recipient');
      continue;
    }
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    recipients.push(address);
  }
  return recipients;
}
