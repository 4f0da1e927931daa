import { type ErrorArea, errorRegistry, type ErrorSpec } from '../src/core/errors.ts';

const areaTitles: Record<ErrorArea, string> = {
  configuration: 'Configuration',
  storage: 'Storage',
  input: 'Input and lookups',
  oneroster: 'Roster server (OneRoster)',
  csv: 'OneRoster CSV bundles',
  sync: 'Sync runs',
  roster: 'Roster rules',
  jobs: 'Schedules and Sync Now',
  notify: 'E-mail',
  http: 'Web app and API',
};

/** Renders `docs/errors.md` from the error registry. */
export function renderErrorDocs(): string {
  const lines = [
    '# Error codes',
    '',
    'Every error that the command line, run reports, e-mails and the API return carries one of these',
    'codes, a message that names the failing value, and a hint. The command line prints',
    '`Error [CODE]: message` and `Hint: ...` on standard error; run reports and `--json` output hold',
    '`{"code", "message", "hint"}`.',
    '',
    'This page is generated from `src/core/errors.ts` by `npm run docs:errors`; a test fails when',
    'the two differ.',
  ];
  const entries = Object.entries(errorRegistry) as [string, ErrorSpec][];
  for (const area of Object.keys(areaTitles) as ErrorArea[]) {
    const inArea = entries.filter(([, spec]) => spec.area === area);
    if (inArea.length === 0) continue;
    lines.push(
      '',
      `## ${areaTitles[area]}`,
      '',
      '| code | HTTP | message | what to do |',
      '|---|---|---|---|',
    );
    for (const [code, spec] of inArea) {
      lines.push(`| \`${code}\` | ${spec.status} | ${escapeCell(spec.message)} | ${escapeCell(spec.hint)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
