import { afterAll } from 'vitest';

import { openResources } from '../../src/core/resources.ts';

// A test file that leaves a store, server, queue or worker open fails here, naming what is open.
afterAll(() => {
  const left = openResources();
  if (left.length > 0) {
    throw new Error(`This test file left ${left.length} resource(s) open: ${left.join('; ')}`);
  }
});
