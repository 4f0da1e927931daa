import { describe, expect, it } from 'vitest';

import { isConnectionLost } from '../../src/db/connection-errors.ts';

describe('isConnectionLost', () => {
  const cases: [string, unknown, boolean][] = [
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    ['a refused connection', Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }), true],
    ['a terminated session', Object.assign(new Error('terminating connection'), { code: '57P01' }), true],
    ['a connection exception', Object.assign(new Error('connection failure'), { code: '08006' }), true],
    ['the driver closing', new Error('Connection terminated unexpectedly'), true],
    [
      'a cause two levels down',
      new Error('rollback failed', { cause: new Error('x', { cause: { code: '57P01' } }) }),
      true,
    ],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' }), false],
    ['a plain error', new Error('something else'), false],
    ['a string', 'Connection terminated', false],
    ['null', null, false],
  ];
  for (const [name, error, lost] of cases) {
    it(`reads ${name}`, () => {
      expect(isConnectionLost(error)).toBe(lost);
    });
  }
});
