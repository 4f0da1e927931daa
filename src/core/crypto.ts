import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

/** A secret encrypted with AES-256-GCM, and the id of the key that encrypted it. */
export interface EncryptedSecret {
  /** Base64 of 12-byte IV, 16-byte tag and the ciphertext, in that order. */
  ciphertext: string;
  /** First 16 hex digits of the key's SHA-256, which identify the key to decrypt with. */
  keyId: string;
}

export interface SecretKey {
  key: Buffer;
  id: string;
}

const keyFileName = 'secret.key';

/**
 * Parses a 32-byte key given as 64 hexadecimal characters or as base64. Throws
 * `SECRET_KEY_INVALID` without echoing the value.
 */
export function parseSecretKey(text: string): SecretKey {
  const trimmed = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (!key || key.length !== 32) {
    throw new AppError(
      'SECRET_KEY_INVALID',
      `ROSTERSYNC_SECRET_KEY has ${trimmed.length} characters but is not 32 bytes as hex or base64.`,
    );
  }
  return { key, id: keyIdOf(key) };
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Finds the key for stored secrets, which is `ROSTERSYNC_SECRET_KEY` when set. Otherwise the
 * embedded store uses `secret.key` in the data folder, created with mode 0600 on first use with a
 * logged warning. Throws `SECRET_KEY_MISSING` on PostgreSQL without the variable.
 */
export function resolveSecretKey(options: {
  secretKey: string | null;
  dataDir: string;
  embedded: boolean;
  logger?: Logger;
}): SecretKey {
  if (options.secretKey) return parseSecretKey(options.secretKey);
  if (!options.embedded) throw new AppError('SECRET_KEY_MISSING');

  const file = path.join(options.dataDir, keyFileName);
  if (fs.existsSync(file)) return parseSecretKey(fs.readFileSync(file, 'utf8'));

  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  options.logger?.warn(
    { keyFile: file },
    'Created a key file for stored secrets in the data folder; in production set ROSTERSYNC_SECRET_KEY instead',
  );
  return { key, id: keyIdOf(key) };
}

/** Encrypts `plaintext` with AES-256-GCM under a fresh random IV. */
export function encryptSecret(plaintext: string, secretKey: SecretKey): EncryptedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secretKey.key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return { ciphertext: Buffer.concat([iv, tag, body]).toString('base64'), keyId: secretKey.id };
}

/**
 * Decrypts a stored secret. Throws `SECRET_DECRYPT_FAILED` when the key differs from the one that
 * encrypted it (named by key id) or the ciphertext was altered.
 */
export function decryptSecret(secret: EncryptedSecret, secretKey: SecretKey): string {
  if (secret.keyId !== secretKey.id) {
    throw new AppError(
      'SECRET_DECRYPT_FAILED',
      `The secret was encrypted with key ${secret.keyId}, but the current key is ${secretKey.id}.`,
    );
  }
  const raw = Buffer.from(secret.ciphertext, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKey.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new AppError(
      'SECRET_DECRYPT_FAILED',
      `The secret encrypted with key ${secret.keyId} failed its integrity check.`,
      {
        cause,
      },
    );
  }
}

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;
const scryptParams = { N: 16384, r: 8, p: 1 };

/** Hashes a password with scrypt. The result contains the parameters and salt: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, scryptParams);
  const { N, r, p } = scryptParams;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Checks a password against a `hashPassword` result in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
