import pg from 'pg';

/**
 * Says plainly whether the PostgreSQL half of the suite runs, and fails early when
 * TEST_DATABASE_URL is set but the server does not answer.
 */
export async function setup(): Promise<() => void> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const notice =
      '\nNOTE: TEST_DATABASE_URL is not set, so the storage tests ran on the embedded PGlite store only; ' +
      'the PostgreSQL half did not run. To run it: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test\n';
    console.log(notice);
    return () => console.log(notice);
  }

  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  console.log('Storage tests run on PGlite and on PostgreSQL (TEST_DATABASE_URL).');
  return () => undefined;
}
