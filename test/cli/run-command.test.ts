import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { maxGeneratedStudents, parseList, parseOnOff, parseWholeNumber } from '../../src/cli/run-command.ts';

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

describe('option parsing', () => {
  it('reads whole numbers within range', () => {
    expect(parseWholeNumber('--port', '0', 0, 65535)).toBe(0);
    expect(parseWholeNumber('--students', '2000', 1, maxGeneratedStudents)).toBe(2000);
  });

  it.each([
    [
      '--students',
      '100000000',
      'INVALID_INPUT: --students must be a whole number from 1 to 1000000, not "100000000".',
    ],
    ['--students', '2.5', 'INVALID_INPUT: --students must be a whole number from 1 to 1000000, not "2.5".'],
    ['--students', '', 'INVALID_INPUT: --students must be a whole number from 1 to 1000000, not "".'],
  ])('rejects %s %j', (option, value, expected) => {
    expect(messageOf(() => parseWholeNumber(option, value, 1, maxGeneratedStudents))).toBe(expected);
  });

  it('names the minimum when there is no maximum', () => {
    expect(messageOf(() => parseWholeNumber('--max-page', '0', 1))).toBe(
      'INVALID_INPUT: --max-page must be a whole number of at least 1, not "0".',
    );
  });

  it('reads on and off', () => {
    expect(parseOnOff('--carryover', 'ON')).toBe(true);
    expect(parseOnOff('--carryover', 'off')).toBe(false);
    expect(parseOnOff('--carryover', undefined)).toBeUndefined();
    expect(messageOf(() => parseOnOff('--carryover', 'maybe'))).toBe(
      'INVALID_INPUT: --carryover must be on or off, not "maybe".',
    );
  });

  it('splits comma lists', () => {
    expect(parseList(' PK, KG ,,TK ')).toEqual(['PK', 'KG', 'TK']);
  });
});
