import { afterAll, beforeAll, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';

let first: RunningEmulator;
beforeAll(async () => {
  first = await startEmulator();
});
afterAll(async () => {
  await first.close();
});

async function errorOf(promise: Promise<RunningEmulator>): Promise<unknown> {
  return promise.then(
    async (emulator) => {
      await emulator.close();
      return null;
    },
    (caught: unknown) => caught,
  );
}

it('rejects a port above 65535', async () => {
  const error = await errorOf(startEmulator({ port: 99999 }));

  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('INVALID_INPUT');
  expect((error as AppError).message).toContain('99999');
});

it('names a port in use', async () => {
  const port = Number(new URL(first.baseUrl).port);
  const error = await errorOf(startEmulator({ port }));

  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('INVALID_INPUT');
  expect((error as AppError).message).toContain(`port ${port}`);
  expect((error as AppError).message).toContain('in use');
});
