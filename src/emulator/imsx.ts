import type { ServerResponse } from 'node:http';

/** OneRoster code-minor values the emulator sends. */
export type CodeMinor =
  | 'unauthorisedrequest'
  | 'forbidden'
  | 'unknownobject'
  | 'invalid_filter_field'
  | 'invalid_sort_field'
  | 'invalid_data'
  | 'server_busy'
  | 'internal_server_error';

/**
 * Builds a OneRoster error body in the bare `imsx_*` form: `imsx_codeMajor`, `imsx_severity`,
 * `imsx_description` and `imsx_CodeMinor` with one field named `TargetEndSystem`.
 */
export function imsxBody(codeMinor: CodeMinor, description: string): Record<string, unknown> {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [
        { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
      ],
    },
  };
}

/** Sends a JSON body with a status and optional headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Sends an `imsx` error body. */
export function sendImsx(
  response: ServerResponse,
  status: number,
  codeMinor: CodeMinor,
  description: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, imsxBody(codeMinor, description), headers);
}
