import { AppError } from '../../core/errors.ts';
import type { AuthOptions } from '../../oneroster/client.ts';
import { testConnection } from '../../oneroster/connection-test.ts';
import type { ConnectionTestResult } from '../../oneroster/connection-test.ts';
import type { OneRosterVersion } from '../../oneroster/types.ts';
import type { CliContext } from '../context.ts';

export interface ConnectionTestInput {
  endpointUrl: string;
  version: OneRosterVersion;
  authKind: 'oauth1' | 'oauth2' | 'bearer';
  signatureMethod: 'HMAC-SHA256' | 'HMAC-SHA1';
  key: string;
  secret: string;
  tokenUrl?: string;
  /** Space-separated OAuth 2 scopes. */
  scopes?: string;
}

/**
 * Runs the connection test of `org connect --test` and prints the result: the JSON of the
 * `--test --json` contract on standard output, or a readable summary. Returns the result.
 */
export async function runConnectionTest(
  context: CliContext,
  input: ConnectionTestInput,
  json: boolean,
): Promise<ConnectionTestResult> {
  const result = await testConnection({
    endpointUrl: input.endpointUrl,
    version: input.version,
    auth: toAuthOptions(input),
    allowPrivateEndpoints: context.config.allowPrivateEndpoints,
    logger: context.logger,
  });

  if (json) context.print(JSON.stringify(result));
  else context.print(formatConnectionTest(result));
  return result;
}

function toAuthOptions(input: ConnectionTestInput): AuthOptions {
  switch (input.authKind) {
    case 'oauth1':
      return { kind: 'oauth1', key: input.key, secret: input.secret, signatureMethod: input.signatureMethod };
    case 'bearer':
      return { kind: 'bearer', token: input.secret };
    case 'oauth2': {
      if (input.tokenUrl === undefined) {
        throw new AppError('INVALID_INPUT', 'OAuth 2 needs the token URL: give --token-url.');
      }
      const scopes = input.scopes?.split(/\s+/).filter((scope) => scope !== '');
      return {
        kind: 'oauth2',
        clientId: input.key,
        clientSecret: input.secret,
        tokenUrl: input.tokenUrl,
        scopes,
      };
    }
  }
}

/** Formats a connection test result as lines an admin can read. */
export function formatConnectionTest(result: ConnectionTestResult): string {
  if (!result.ok && result.error !== null) {
    return [
      `Connection test failed [${result.error.code}]: ${result.error.message}`,
      `Hint: ${result.error.hint}`,
    ].join('\n');
  }

  const demographics = {
    readable: 'demographics are shared',
    forbidden:
      'demographics are NOT shared (ask the district to share them: birth dates drive matching and placement)',
    empty: 'demographics are shared but empty',
  }[result.demographics];
  const schoolLines = result.schools.map((school) => `  ${school.name} (${school.sourcedId})`);
  return [
    `Connection test passed: ${result.schools.length} schools shared.`,
    ...schoolLines,
    `Classes: ${result.counts.classes}, students: ${result.counts.students}, teachers: ${result.counts.teachers}, enrollments: ${result.counts.enrollments}.`,
    `Demographics: ${demographics}.`,
  ].join('\n');
}
