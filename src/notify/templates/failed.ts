import { type ErrorCode, errorRegistry, type ErrorSpec } from '../../core/errors.ts';
import { links, type NoticeContext, runFacts, subjectLine, supportSentence } from './common.ts';
import type { Notice } from './render.ts';

/**
 * Items to check on the Roster Sync Settings page, by error code. Codes not listed get the
 * general list at the bottom.
 */
const settingsChecks: Partial<Record<ErrorCode, string[]>> = {
  ONEROSTER_AUTH_REJECTED: [
    'Key and Secret: they must be the pair ClassLink shows for this app, without spaces at either end.',
    'Rostering endpoint URL: it must belong to the same ClassLink tenant as the key.',
    'Test connection: press it after saving to prove the key and secret at once.',
  ],
  ONEROSTER_FORBIDDEN: ['Test connection: it shows which data the district shares with the app.'],
  ONEROSTER_DEMOGRAPHICS_FORBIDDEN: [
    'Test connection: it shows whether demographics come through. The district shares them in ClassLink Roster Server.',
  ],
  ONEROSTER_ENDPOINT_NOT_FOUND: [
    'Rostering endpoint URL: it should look like https://yourdistrict-ca-v2.oneroster.com/ims/oneroster/.',
    'OneRoster version: ClassLink endpoints answer version 1.1 even for apps labelled 1.2.',
  ],
  ONEROSTER_UNREACHABLE: [
    'Rostering endpoint URL: check it for typing mistakes, then press Test connection.',
  ],
  ONEROSTER_TLS_FAILED: ['Rostering endpoint URL: it must start with https:// and name the roster server.'],
  ONEROSTER_BAD_REQUEST: ['OneRoster version: it must match what the roster server speaks.'],
  ONEROSTER_UNEXPECTED_RESPONSE: [
    'Rostering endpoint URL and OneRoster version, then press Test connection.',
  ],
  CONNECTION_MISSING: ['Rostering endpoint URL, Key and Secret: all three are needed before a sync can run.'],
  SECRET_DECRYPT_FAILED: ['Secret: enter it again, because the stored copy can no longer be read.'],
  SYNC_AUTO_ROSTERING_OFF: ['Auto rostering is switched off; platform support can switch it on.'],
};

const generalChecks = [
  'Press Test connection: it proves the endpoint URL, key and secret at once.',
  'If the test passes, nothing needs changing: the next sync tries again.',
];

/**
 * Builds the notice for a failed run. The cause and the advice come from the error registry by code,
 * never from the report's own message, so no value from the failure (a URL, a server's reply,
 * a stack trace or a secret) can reach the e-mail.
 */
export function failedNotice(context: NoticeContext): Notice {
  const { report } = context;
  const code = knownCode(report.error?.code);
  const spec: ErrorSpec = errorRegistry[code];

  return {
    subject: subjectLine(context, 'sync failed'),
    blocks: [
      {
        kind: 'paragraph',
        text: `The roster sync of ${context.org.name} failed. Nothing in the roster was changed by this run.`,
      },
      { kind: 'heading', text: 'What went wrong' },
      { kind: 'paragraph', text: `${spec.message} (error code ${code})` },
      { kind: 'paragraph', text: spec.hint },
      { kind: 'heading', text: 'What to check on the Roster Sync Settings page' },
      { kind: 'list', items: settingsChecks[code] ?? generalChecks },
      { kind: 'link', label: 'Open the Roster Sync Settings page', url: links.settings(context) },
      runFacts(context),
      { kind: 'link', label: 'See the run', url: links.run(context) },
      { kind: 'heading', text: 'Support' },
      { kind: 'paragraph', text: supportSentence(context) },
    ],
  };
}

/** Returns the report's code when the registry has it, or `SYNC_FAILED` for a missing or unknown code. */
function knownCode(code: string | undefined): ErrorCode {
  return code !== undefined && Object.hasOwn(errorRegistry, code) ? (code as ErrorCode) : 'SYNC_FAILED';
}
