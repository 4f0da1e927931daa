import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { renderErrorDocs } from '../../scripts/error-docs.ts';
import { AppError, errorRegistry, toErrorBody } from '../../src/core/errors.ts';

describe('error registry', () => {
  it('matches docs/errors.md', () => {
    const onDisk = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    // Regenerate with `npm run docs:errors` after changing src/core/errors.ts.
    expect(onDisk).toBe(renderErrorDocs());
  });

  it('gives every code a message, hint and HTTP status', () => {
    for (const [code, spec] of Object.entries(errorRegistry)) {
      expect(code, code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.message.length, code).toBeGreaterThan(10);
      expect(spec.hint.length, code).toBeGreaterThan(10);
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
    }
  });

  it('keeps the thrower message and the registry hint', () => {
    const error = new AppError('ORG_NOT_FOUND', 'No organization has the slug "x".');
    expect(error.toBody()).toEqual({
      code: 'ORG_NOT_FOUND',
      message: 'No organization has the slug "x".',
      hint: errorRegistry.ORG_NOT_FOUND.hint,
    });
    expect(error.status).toBe(404);
  });

  it('hides unknown errors behind the fallback code', () => {
    const body = toErrorBody(new Error('relation "x" does not exist at /srv/app.ts:12'));
    expect(body.code).toBe('SYNC_FAILED');
    expect(body.message).not.toContain('relation');
  });
});
