import type { Command } from 'commander';

import { generateDistrict } from '../../emulator/generate/district.ts';
import { createCsvFolderSink } from '../../emulator/generate/sink.ts';
import { maxGeneratedStudents, parseWholeNumber, runCommand } from '../run-command.ts';

interface GenerateFlags {
  students: string;
  seed: string;
  out: string;
  schoolYear: string;
  json?: boolean;
}

/** Registers `rostersync generate`: writes a generated district as a OneRoster 1.1 CSV bundle. */
export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('write a deterministic early-learning district as a OneRoster 1.1 CSV bundle')
    .requiredOption('--students <n>', 'number of children')
    .requiredOption('--out <dir>', 'folder to write the CSV files into (created if missing)')
    .option('--seed <seed>', 'the same seed gives the same bytes', 'rostersync')
    .option('--school-year <yyyy>', 'ending year of the school year, e.g. 2026 for 2025-26', '2026')
    .option('--json', 'print the result (counts, rates and where each deliberate quirk is) as JSON')
    .action((flags: GenerateFlags) =>
      runCommand(async (context) => {
        const students = parseWholeNumber('--students', flags.students, 1, maxGeneratedStudents);
        const schoolYear = parseWholeNumber('--school-year', flags.schoolYear, 2000);
        const result = await generateDistrict(
          { students, seed: flags.seed, schoolYear },
          await createCsvFolderSink(flags.out),
        );

        if (flags.json === true) {
          context.print(JSON.stringify(result, null, 2));
          return;
        }
        context.print(`Wrote a district of ${students} children to ${flags.out} (seed ${result.seed}).`);
        for (const [file, count] of Object.entries(result.counts)) context.print(`  ${file}: ${count} rows`);
        context.print('Deliberate quirks:');
        for (const [kind, list] of Object.entries(result.mess)) context.print(`  ${kind}: ${list.length}`);
      }),
    );
}
