import { generatedColumns } from './columns.ts';
import type { GeneratedFile } from './columns.ts';
import type { PlannedClassroom } from './plan.ts';
import type { RowSink } from './sink.ts';

/**
 * Rates of the deliberate mess real districts send, as shares of children unless stated.
 * Each kind appears at least once, whatever the size, so tests can always find one.
 */
export const messRates = {
  /** A child enrolled in a second classroom of the same school. */
  childInTwoClasses: 0.01,
  /** A lead teacher who also co-teaches in another school (share of lead teachers; none with one school). */
  teacherInTwoSchools: 0.02,
  /** A child whose demographics row has no birth date. */
  missingBirthDate: 0.01,
  /** A child given the same given and family name as a child of another family. */
  sameName: 0.005,
  /** A classroom with its teacher but no children (per child: one per 1,000). */
  emptyClassroom: 0.001,
  /** A child marked `tobedeleted`, with its enrollments and demographics. */
  tobedeleted: 0.01,
  /** An enrollment whose `userSourcedId` names no user (per child: one per 500). */
  unknownUserEnrollment: 0.002,
} as const;

/** The generator's output summary: row counts, rates, and the sourcedIds of each deliberate quirk. */
export interface GenerationResult {
  seed: string;
  schoolYear: number;
  counts: Record<GeneratedFile, number>;
  rates: typeof messRates;
  mess: {
    childrenInTwoClasses: string[];
    teachersInTwoSchools: string[];
    missingBirthDates: string[];
    /** Pairs of child sourcedIds with the same name. */
    sameNamePairs: Array<[string, string]>;
    emptyClassrooms: string[];
    tobedeleted: string[];
    /** Enrollment sourcedIds that name an unknown user. */
    unknownUserEnrollments: string[];
  };
}

/** Shared state of one generation: the sink, row counters, fixed timestamps and the result. */
export class GenerationContext {
  readonly result: GenerationResult;
  readonly modified: string;
  readonly yearId: string;
  readonly yearStart: string;
  private enrollmentNumber = 0;

  constructor(
    readonly sink: RowSink,
    seed: string,
    readonly schoolYear: number,
  ) {
    const counts = Object.fromEntries(
      [...Object.keys(generatedColumns), 'manifest.csv'].map((file) => [file, 0]),
    ) as Record<GeneratedFile, number>;
    this.result = {
      seed,
      schoolYear,
      counts,
      rates: messRates,
      mess: {
        childrenInTwoClasses: [],
        teachersInTwoSchools: [],
        missingBirthDates: [],
        sameNamePairs: [],
        emptyClassrooms: [],
        tobedeleted: [],
        unknownUserEnrollments: [],
      },
    };
    // A fixed timestamp keeps the output the same on every run.
    this.modified = `${schoolYear - 1}-08-01T12:00:00.000Z`;
    this.yearId = `sy-${schoolYear - 1}-${schoolYear}`;
    this.yearStart = `${schoolYear - 1}-08-15`;
  }

  async write(file: keyof typeof generatedColumns, cells: string[]): Promise<void> {
    this.result.counts[file] += 1;
    await this.sink.row(file, cells);
  }

  /** Writes one enrollment row and returns its sourcedId. */
  async enroll(
    classroom: PlannedClassroom,
    schoolId: string,
    userId: string,
    role: string,
    primary: boolean,
    status = 'active',
  ): Promise<string> {
    const id = `enr-${String(++this.enrollmentNumber).padStart(7, '0')}`;
    await this.write('enrollments.csv', [
      id,
      status,
      this.modified,
      classroom.sourcedId,
      schoolId,
      userId,
      role,
      String(primary),
      this.yearStart,
      '',
    ]);
    return id;
  }
}
