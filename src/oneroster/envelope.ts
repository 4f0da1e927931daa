/**
 * Envelope keys of OneRoster responses: the key a list or a single record is wrapped in. Some
 * servers wrap `/schools` in `schools` and `/students` in `students`, so each collection
 * accepts the keys of its narrower endpoints too.
 */
import { AppError } from '../core/errors.ts';
import type { CollectionName } from './types.ts';

export const listEnvelopeKeys: Record<CollectionName, readonly string[]> = {
  orgs: ['orgs', 'schools'],
  academicSessions: ['academicSessions', 'terms', 'gradingPeriods'],
  courses: ['courses'],
  classes: ['classes'],
  users: ['users', 'students', 'teachers'],
  enrollments: ['enrollments'],
  demographics: ['demographics'],
};

export const singleEnvelopeKeys: Record<CollectionName, readonly string[]> = {
  orgs: ['org', 'school'],
  academicSessions: ['academicSession', 'term', 'gradingPeriod'],
  courses: ['course'],
  classes: ['class'],
  users: ['user', 'student', 'teacher'],
  enrollments: ['enrollment'],
  demographics: ['demographics', 'demographic'],
};

/**
 * Parses a response body and returns the value under the first envelope key present. Throws
 * `ONEROSTER_UNEXPECTED_RESPONSE` for a body that is not JSON or lacks every key: such a
 * response is never read as an empty roster.
 */
export function readEnvelope(body: string, keys: readonly string[], url: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new AppError(
      'ONEROSTER_UNEXPECTED_RESPONSE',
      `The roster server sent a body that is not JSON from ${url}.`,
      {
        cause,
        details: { url, bodyStart: body.slice(0, 120) },
      },
    );
  }

  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const fields = parsed as Record<string, unknown>;
    for (const key of keys) {
      if (key in fields) return fields[key];
    }
  }

  const present =
    typeof parsed === 'object' && parsed !== null
      ? Object.keys(parsed).slice(0, 10).join(', ')
      : typeof parsed;
  throw new AppError(
    'ONEROSTER_UNEXPECTED_RESPONSE',
    `The response from ${url} has no ${keys.map((key) => `"${key}"`).join(' or ')} key (it has: ${present || 'nothing'}).`,
    { details: { url, expectedKeys: keys } },
  );
}
