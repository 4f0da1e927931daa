/**
 * Error codes of a lost database connection: the socket's own, and PostgreSQL's SQLSTATE class 08
 * (connection exception) and codes 57P01 to 57P03 (the server shut down or ended the session).
 */
const socketCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const sessionEndedCodes = new Set(['57P01', '57P02', '57P03']);
const lostMessage = /connection terminated|connection (is )?closed|encountered a connection error/i;

/** Tells whether an error, or one of its causes, reports a lost database connection. */
export function isConnectionLost(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (socketCodes.has(code) || sessionEndedCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (typeof message === 'string' && lostMessage.test(message)) return true;
    current = cause;
  }
  return false;
}
