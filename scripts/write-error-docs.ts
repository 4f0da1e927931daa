import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderErrorDocs } from './error-docs.ts';

const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'errors.md');
fs.writeFileSync(target, renderErrorDocs());
process.stdout.write(`Wrote ${target}\n`);
