import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  decryptSecret,
  encryptSecret,
  hashPassword,
  parseSecretKey,
  resolveSecretKey,
  verifyPassword,
} from '../../src/core/crypto.ts';
import { AppError } from '../../src/core/errors.ts';

const hexKey = 'a'.repeat(64);
const otherKey = 'b'.repeat(64);
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function errorCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('secret encryption', () => {
  it('round-trips and stores the key id', () => {
    const key = parseSecretKey(hexKey);
    const encrypted = encryptSecret('s3cret value', key);
    expect(encrypted.keyId).toBe(key.id);
    expect(encrypted.ciphertext).not.toContain('s3cret');
    expect(decryptSecret(encrypted, key)).toBe('s3cret value');
  });

  it('uses a fresh IV each time', () => {
    const key = parseSecretKey(hexKey);
    expect(encryptSecret('same', key).ciphertext).not.toBe(encryptSecret('same', key).ciphertext);
  });

  it('fails clearly with a wrong key', () => {
    const encrypted = encryptSecret('s3cret', parseSecretKey(hexKey));
    expect(errorCode(() => decryptSecret(encrypted, parseSecretKey(otherKey)))).toBe('SECRET_DECRYPT_FAILED');
  });

  it('detects altered ciphertext', () => {
    const key = parseSecretKey(hexKey);
    const encrypted = encryptSecret('s3cret', key);
    const raw = Buffer.from(encrypted.ciphertext, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(errorCode(() => decryptSecret({ ...encrypted, ciphertext: raw.toString('base64') }, key))).toBe(
      'SECRET_DECRYPT_FAILED',
    );
  });

  it('accepts hex and base64 keys and rejects others', () => {
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64')).key.length).toBe(32);
    expect(errorCode(() => parseSecretKey('short'))).toBe('SECRET_KEY_INVALID');
    expect(errorCode(() => parseSecretKey('z'.repeat(64)))).toBe('SECRET_KEY_INVALID');
  });

  it('creates a 0600 key file for the embedded store', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-key-'));
    folders.push(dataDir);
    const first = resolveSecretKey({ secretKey: null, dataDir, embedded: true });
    const mode = fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(resolveSecretKey({ secretKey: null, dataDir, embedded: true }).id).toBe(first.id);
  });

  it('requires the variable on PostgreSQL', () => {
    expect(
      errorCode(() => resolveSecretKey({ secretKey: null, dataDir: '/nonexistent', embedded: false })),
    ).toBe('SECRET_KEY_MISSING');
  });
});

describe('password hashing', () => {
  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong horse battery', stored)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});
