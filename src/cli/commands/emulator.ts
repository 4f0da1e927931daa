import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';
import { FaultSpecError } from '../../emulator/faults.ts';
import { defaultKey, defaultSecret, startEmulator } from '../../emulator/server.ts';
import { maxGeneratedStudents, parseWholeNumber, runCommand } from '../run-command.ts';

interface EmulatorFlags {
  data?: string;
  generate?: string;
  seed?: string;
  host: string;
  port: string;
  key: string;
  secret: string;
  oneroster?: string;
  maxPage: string;
  latency?: string;
  faults?: string;
  withholdDemographics?: boolean;
  tokenTtl?: string;
}

/** Registers `rostersync emulator`: a OneRoster provider for demos, tests and benchmarks. */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('serve a OneRoster CSV bundle or a generated district over OneRoster 1.1 and 1.2 REST')
    .option('--data <path>', 'OneRoster CSV bundle to serve: a folder or a .zip file')
    .option(
      '--generate <n>',
      'serve a generated district with this many children (default 500 without --data)',
    )
    .option(
      '--seed <seed>',
      'seed of the generated district; the same seed gives the same district',
      'rostersync',
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on; 0 picks a free port', '7123')
    .option('--key <key>', 'OAuth 1.0a consumer key and OAuth 2 client id', defaultKey)
    .option('--secret <secret>', 'OAuth 1.0a consumer secret and OAuth 2 client secret', defaultSecret)
    .option('--oneroster <version>', 'serve only the 1.1 or the 1.2 paths (default both)')
    .option('--max-page <n>', 'largest page sent, whatever the limit requested', '10000')
    .option('--latency <ms>', 'milliseconds added to every OneRoster request')
    .option('--faults <spec>', 'faults to inject, e.g. 500=0.1,429=0.05,seed=7 (see docs/emulator.md)')
    .option('--withhold-demographics', 'answer demographics requests with 403, as some districts do')
    .option('--token-ttl <seconds>', 'lifetime of OAuth 2 access tokens', '3600')
    .action((flags: EmulatorFlags) =>
      runCommand(async (context) => {
        if (flags.data !== undefined && flags.generate !== undefined) {
          throw new AppError('INVALID_INPUT', 'Give --data or --generate, not both.');
        }
        const version = parseVersion(flags.oneroster);
        const students =
          flags.generate === undefined
            ? undefined
            : parseWholeNumber('--generate', flags.generate, 1, maxGeneratedStudents);
        let emulator;
        try {
          emulator = await startEmulator({
            data: flags.data,
            generate: flags.data === undefined ? { students: students ?? 500, seed: flags.seed } : undefined,
            host: flags.host,
            port: parseWholeNumber('--port', flags.port, 0, 65535),
            key: flags.key,
            secret: flags.secret,
            oneRoster: version,
            maxPage: parseWholeNumber('--max-page', flags.maxPage, 1),
            latencyMs:
              flags.latency === undefined ? undefined : parseWholeNumber('--latency', flags.latency, 0),
            faults: flags.faults,
            withholdDemographics: flags.withholdDemographics === true,
            tokenTtlSeconds: parseWholeNumber('--token-ttl', flags.tokenTtl ?? '3600', 1),
            logger: context.logger,
          });
        } catch (error) {
          if (error instanceof FaultSpecError)
            throw new AppError('INVALID_INPUT', error.message, { cause: error });
          throw error;
        }

        // The first line is the base URL alone, so that scripts can read it.
        context.print(emulator.baseUrl);
        context.print(`OneRoster 1.1: ${emulator.url11}`);
        context.print(`OneRoster 1.2: ${emulator.url12}`);
        context.print(`OAuth 2 token URL: ${emulator.tokenUrl}`);
        context.print(`Admin endpoint (loopback only): ${emulator.adminUrl}`);
        context.print(
          `Key: ${emulator.key}${flags.secret === defaultSecret ? ` (secret: the default, ${defaultSecret})` : ''}`,
        );
        if (emulator.loadIssues.length > 0) {
          context.logger.warn(
            { issues: emulator.loadIssues.length },
            'the served data has issues; they are as the CSV reader reports',
          );
        }

        await waitForSignal();
        await emulator.close();
      }),
    );
}

function parseVersion(value: string | undefined): '1.1' | '1.2' | undefined {
  if (value === undefined || value === '1.1' || value === '1.2') return value;
  throw new AppError('INVALID_INPUT', `--oneroster must be 1.1 or 1.2, not ${JSON.stringify(value)}.`);
}

/** Resolves on the first SIGINT (Ctrl-C) or SIGTERM. */
function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
