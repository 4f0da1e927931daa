import { Writable } from 'node:stream';

import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { redactedPaths } from '../../src/core/logger.ts';

describe('logger redaction', () => {
  it('removes secrets at the top level and one level down', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
    logger.child({ orgId: 'o1', runId: 'r1' }).info(
      {
        secret: 'top-s3cret',
        connection: { secret: 'nested-s3cret', clientSecret: 'c-s3cret' },
        headers: { authorization: 'OAuth sig' },
      },
      'connected',
    );
    const line = lines.join('');
    expect(line).toContain('"orgId":"o1"');
    expect(line).toContain('"runId":"r1"');
    for (const secret of ['top-s3cret', 'nested-s3cret', 'c-s3cret', 'OAuth sig'])
      expect(line).not.toContain(secret);
  });
});
