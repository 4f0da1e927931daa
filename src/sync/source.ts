import type { Kysely } from 'kysely';

import type { Config } from '../core/config.ts';
import { decryptSecret, type SecretKey } from '../core/crypto.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { findRosterConnection } from '../db/queries/organizations.ts';
import type { Database, RosterConnection } from '../db/schema.ts';
import { type AuthOptions, createOneRosterClient } from '../oneroster/client.ts';
import type { RosterSource } from '../oneroster/source.ts';

/**
 * Opens the organization's REST connection as a `RosterSource`: decrypts the stored secret and
 * builds the OneRoster client, honouring `config.allowPrivateEndpoints`. Throws
 * `CONNECTION_MISSING` when no connection was entered, and the client's errors for an unusable
 * endpoint URL. The caller closes the source.
 */
export async function openConnectionSource(
  db: Kysely<Database>,
  orgId: string,
  deps: { config: Config; logger: Logger; secretKey: () => SecretKey },
): Promise<RosterSource> {
  const connection = await findRosterConnection(db, orgId);
  if (!connection) throw new AppError('CONNECTION_MISSING');

  const secret = decryptSecret(
    { ciphertext: connection.secretCiphertext, keyId: connection.secretKeyId },
    deps.secretKey(),
  );
  return createOneRosterClient({
    endpointUrl: connection.endpointUrl,
    version: connection.onerosterVersion,
    auth: authOptions(connection, secret),
    allowPrivateEndpoints: deps.config.allowPrivateEndpoints,
    logger: deps.logger,
  });
}

function authOptions(connection: RosterConnection, secret: string): AuthOptions {
  switch (connection.authKind) {
    case 'oauth2':
      return {
        kind: 'oauth2',
        clientId: connection.clientKey,
        clientSecret: secret,
        tokenUrl: connection.tokenUrl ?? '',
        scopes: connection.scopes ? connection.scopes.split(/\s+/).filter(Boolean) : undefined,
      };
    case 'bearer':
      return { kind: 'bearer', token: secret };
    default:
      return {
        kind: 'oauth1',
        key: connection.clientKey,
        secret,
        signatureMethod: connection.signatureMethod,
      };
  }
}
