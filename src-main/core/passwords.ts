import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

/**
 * Passwords are stored as `scrypt$N$r$p$<salt base64>$<hash base64>`: the parameters travel with
 * the hash, so they can be raised later without breaking the passwords already stored.
 */
const COST = 16384
const BLOCK_SIZE = 8
const PARALLELISM = 1
const SALT_BYTES = 16
const HASH_BYTES = 32

/** Bounds on parameters read back from a stored hash, so a tampered row cannot exhaust memory. */
const MAX_COST = 1 << 20
const MAX_BLOCK_SIZE = 32
const MAX_PARALLELISM = 16

export function hashPassword(password: string): string {
  const salt = randomBytes(SALT_BYTES)
  const hash = scrypt(password, salt, HASH_BYTES, COST, BLOCK_SIZE, PARALLELISM)
  return ['scrypt', COST, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), hash.toString('base64')].join('$')
}

/** True when `password` matches `stored`; false for any malformed or foreign stored value. */
export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [, costText, blockText, parallelText, saltText, hashText] = parts as [string, string, string, string, string, string]
  const cost = integer(costText)
  const blockSize = integer(blockText)
  const parallelism = integer(parallelText)
  if (cost === null || blockSize === null || parallelism === null) return false
  // scrypt's N must be a power of two above 1.
  if (cost < 2 || cost > MAX_COST || (cost & (cost - 1)) !== 0) return false
  if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE || parallelism < 1 || parallelism > MAX_PARALLELISM) return false
  if (!isBase64(saltText) || !isBase64(hashText)) return false
  const salt = Buffer.from(saltText, 'base64')
  const expected = Buffer.from(hashText, 'base64')
  if (salt.length < 8 || expected.length < 16 || expected.length > 128) return false
  try {
    const actual = scrypt(password, salt, expected.length, cost, blockSize, parallelism)
    return timingSafeEqual(actual, expected)
  } catch {
    return false
  }
}

function scrypt(password: string, salt: Buffer, length: number, cost: number, blockSize: number, parallelism: number): Buffer {
  return scryptSync(password.normalize('NFC'), salt, length, {
    N: cost,
    r: blockSize,
    p: parallelism,
    maxmem: 256 * cost * blockSize + 1024 * 1024
  })
}

function integer(text: string): number | null {
  return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : null
}

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text)
}
