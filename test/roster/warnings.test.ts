import fs from 'node:fs';
import path from 'node:path';

import { expect, it } from 'vitest';

import { warningCodes } from '../../src/roster/warnings.ts';

it('warning codes match the docs', () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/roster-rules.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z_]+)` +\| (.+?) +\|$/gm)].map((match) => [match[1], match[2]]);
  expect(rows).toEqual(Object.entries(warningCodes));
});
