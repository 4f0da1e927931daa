import { randomBytes } from 'node:crypto';

import type { Command } from 'commander';

import { hashPassword } from '../../core/crypto.ts';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../db/store.ts';
import { type RunningEmulator, startEmulator } from '../../emulator/server.ts';
import { stopOnSignals } from '../../jobs/processes.ts';
import { sendRunNotice } from '../../notify/index.ts';
import { createOrganization, saveRosterConnection } from '../../roster/organizations.ts';
import { recoverInterruptedRuns } from '../../sync/recover.ts';
import { runSync } from '../../sync/run.ts';
import type { CliContext } from '../context.ts';
import { runCommand } from '../run-command.ts';
import { formatRunReport } from './run-summary.ts';
import { startServe } from './serve.ts';
import { createProgressView } from './sync-progress.ts';

const demoSlug = 'demo';
const demoAdmin = 'demo-admin@example.org';

interface DemoOptions {
  students: string;
  seed: string;
  serve: boolean;
}

/** Registers `rostersync demo`, which `npm start` runs. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'start an emulator with a generated district, connect the organization "demo" to it, sync it, print a login, and keep running',
    )
    .option('--students <n>', 'children in the generated district', '2000')
    .option('--seed <seed>', 'seed of the generated district; the same seed gives the same district', 'demo')
    .option('--no-serve', 'stop after the first sync instead of running the scheduler and worker')
    .action((options: DemoOptions) => runCommand((context) => runDemo(context, options)));
}

async function runDemo(context: CliContext, options: DemoOptions): Promise<number> {
  const students = Number(options.students);
  if (!Number.isInteger(students) || students < 1 || students > 200_000) {
    throw new AppError(
      'INVALID_INPUT',
      `--students must be a whole number from 1 to 200000, not ${JSON.stringify(options.students)}.`,
    );
  }
  // The emulator listens on loopback, which endpoint checks refuse unless private endpoints are allowed.
  const config = { ...context.config, allowPrivateEndpoints: true };
  const store = await context.store();
  await recoverInterruptedRuns(store, { logger: context.logger });

  process.stderr.write(`Generating a district of ${students} children and starting the emulator...\n`);
  const emulator = await startEmulator({
    generate: { students, seed: options.seed },
    logger: context.logger,
  });
  try {
    const orgId = await connectDemoOrg(store, emulator, context);
    context.print(`Emulator: ${emulator.baseUrl} (key ${emulator.key})`);

    const view = createProgressView();
    const report = await runSync(
      { store, config, logger: context.logger, secretKey: () => context.secretKey() },
      { orgId, trigger: 'cli', onProgress: (progress) => view.update(progress), requestedBy: 'demo' },
    ).finally(() => view.stop());
    context.print(formatRunReport(report));

    const password = await resetDemoAdmin(store, orgId);
    await sendRunNotice({ config, logger: context.logger, db: store.db }, report);
    context.print('');
    // NOTE: the web app is not built yet, so the login is for the command line's records and for
    // the web app once it exists; nothing listens on the public URL in this version.
    context.print(
      `Admin login (for the web app, not part of this version): ${demoAdmin}, password ${password}`,
    );
    context.print(
      `Organization: ${demoSlug}. The demo holds the embedded store while it runs: stop it (Ctrl-C), then try ` +
        `rostersync runs --org ${demoSlug} or rostersync export --org ${demoSlug} --out ./demo-export`,
    );

    if (options.serve) {
      const handle = await startServe({
        store,
        config,
        logger: context.logger,
        secretKey: () => context.secretKey(),
      });
      context.print(`Running (${handle.descriptions.join(', ')}); press Ctrl-C to stop.`);
      await stopOnSignals(handle, context.logger);
    }
    return report.status === 'failed' ? 1 : 0;
  } finally {
    await emulator.close();
  }
}

/** Creates the demo organization on first use, and points its connection at this emulator's port. */
async function connectDemoOrg(store: Store, emulator: RunningEmulator, context: CliContext): Promise<string> {
  const existing = await store.db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', demoSlug)
    .executeTakeFirst();
  const orgId =
    existing?.id ??
    (await createOrganization(store.db, { name: 'Demo District', slug: demoSlug, actor: 'demo' })).id;
  await saveRosterConnection(
    store.db,
    demoSlug,
    {
      endpointUrl: emulator.baseUrl,
      version: '1.1',
      authKind: 'oauth1',
      key: emulator.key,
      secret: emulator.secret,
      actor: 'demo',
    },
    context.secretKey(),
  );
  return orgId;
}

/** Creates the demo org-admin, or gives it a new password; returns the password to print once. */
async function resetDemoAdmin(store: Store, orgId: string): Promise<string> {
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const existing = await store.db
    .selectFrom('appUsers')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', demoAdmin))
    .executeTakeFirst();
  if (existing) {
    await store.db
      .updateTable('appUsers')
      .set({ passwordHash, disabled: false })
      .where('id', '=', existing.id)
      .execute();
  } else {
    await store.db
      .insertInto('appUsers')
      .values({ email: demoAdmin, role: 'org-admin', orgId, passwordHash })
      .execute();
  }
  return password;
}
