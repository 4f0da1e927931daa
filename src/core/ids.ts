import { randomFillSync } from 'node:crypto';

const idsPerRefill = 256;
const randomPool = Buffer.alloc(16 * idsPerRefill);
let poolOffset = randomPool.length;
const idText = Buffer.alloc(36);
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Returns a new random id (UUID version 4) for a row the service creates. The id is written into
 * a buffer and decoded once, so it is one flat 36-character string. A full sync creates an id per
 * new row, and in a heap snapshot of one, `randomUUID`'s ids (strings joined from many pieces)
 * took roughly ten times the memory.
 */
export function newId(): string {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  let position = 0;
  for (let index = 0; index < 16; index += 1) {
    if (index === 4 || index === 6 || index === 8 || index === 10) idText[position++] = 0x2d;
    let byte = randomPool[poolOffset + index]!;
    if (index === 6) byte = (byte & 0x0f) | 0x40;
    else if (index === 8) byte = (byte & 0x3f) | 0x80;
    idText[position++] = hexDigits[byte >> 4]!;
    idText[position++] = hexDigits[byte & 0x0f]!;
  }
  poolOffset += 16;
  return idText.toString('latin1', 0, 36);
}

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Whether `value` is a valid organization slug: lowercase letters, digits and inner hyphens, 1 to 64 long. */
export function isValidSlug(value: string): boolean {
  return slugPattern.test(value);
}
