import { createCipheriv, randomBytes } from 'node:crypto'
import { headerSegment, inviteClaims, payloadJsonFor, signInviteToken, SIGNATURE_BYTES, type InviteTokenSource } from './invite-tokens'
import type { Store } from './store'

/**
 * Signing costs about 67 µs a token, so an export of 100,000 invites cannot sign on the spot
 * (6.7 s against a budget of 1 s). Tokens are signed when an invite is made, or the first time
 * one is needed, and each pending invite keeps its signature in `users.invite_token_seal`; an
 * export unseals instead of signing. Only the 64-byte signature is kept: the header and claims
 * are rebuilt from the row (invite-tokens.ts owns their bytes), so a row carries 76 bytes, not a
 * 400-byte token.
 *
 * The signature is what makes a token work, so it is sealed under a key derived from the private
 * key, which lives outside the database: a copy of the database alone unseals nothing. Sealing is
 * AES-256 in counter mode with a fresh random 96-bit nonce per entry. Decrypting row by row
 * (`createDecipheriv` each) costs ~13 µs, 1.3 s per 100,000: instead the keystream of a whole page
 * is one AES-256-ECB call over all of its counter blocks (nonce ‖ block number), ~0.2 µs a token,
 * done by node:crypto with the processor's AES instructions (a JavaScript cipher library would be
 * slower, and none batches better). No authentication tag: a tampered entry yields a token whose
 * signature fails everywhere, never one that works for something else.
 *
 * Staleness: a trigger clears the seal whenever a claim changes (email, role, nonce, dates,
 * status) unless the same statement writes a new one; a seal is written only while the row still
 * says what was signed; and the `kid` the seals were made under is recorded, so a database opened
 * with another key drops them all at once instead of exporting signatures nobody can verify.
 */

const NONCE_BYTES = 12
const BLOCK_BYTES = 16
const BLOCKS_PER_SEAL = SIGNATURE_BYTES / BLOCK_BYTES
export const SEAL_BYTES = NONCE_BYTES + SIGNATURE_BYTES
/**
 * A placeholder an invite's row is written with (`zeroblob(SEAL_BYTES)`) when its token is about
 * to be sealed: sealing then rewrites the row in place, where growing 10,000 freshly written rows
 * by a seal each costs four times as much. It reads as no seal.
 */
export const EMPTY_SEAL = Buffer.alloc(SEAL_BYTES)

/** The keystream for `count` entries whose nonces sit one after another in `nonces`. */
function keystream(key: Buffer, nonces: Buffer, count: number): Buffer {
  const blocks = Buffer.allocUnsafe(count * SIGNATURE_BYTES)
  for (let entry = 0; entry < count; entry++) {
    for (let block = 0; block < BLOCKS_PER_SEAL; block++) {
      const at = (entry * BLOCKS_PER_SEAL + block) * BLOCK_BYTES
      // Twelve bytes: a loop, where a native copy would cost more to call than to do.
      for (let byte = 0; byte < NONCE_BYTES; byte++) blocks[at + byte] = nonces[entry * NONCE_BYTES + byte] ?? 0
      blocks.writeUInt32BE(block, at + NONCE_BYTES)
    }
  }
  const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false)
  // Whole blocks, no padding: `final` adds nothing.
  return Buffer.concat([cipher.update(blocks), cipher.final()])
}

/** `target` ^= `stream`, a word at a time where both are aligned (large buffers are). */
function xorInPlace(target: Buffer, stream: Buffer): void {
  if (target.byteOffset % 4 === 0 && stream.byteOffset % 4 === 0 && target.length % 4 === 0) {
    const words = new Uint32Array(target.buffer, target.byteOffset, target.length / 4)
    const key = new Uint32Array(stream.buffer, stream.byteOffset, target.length / 4)
    for (let index = 0; index < words.length; index++) words[index] = (words[index] ?? 0) ^ (key[index] ?? 0)
    return
  }
  for (let index = 0; index < target.length; index++) target[index] = (target[index] ?? 0) ^ (stream[index] ?? 0)
}

/** Seal many signatures at once: one random draw, one cipher call. */
export function sealSignatures(key: Buffer, signatures: readonly Uint8Array[]): Buffer[] {
  const count = signatures.length
  if (count === 0) return []
  const nonces = randomBytes(count * NONCE_BYTES)
  const sealed = Buffer.alloc(count * SIGNATURE_BYTES)
  signatures.forEach((signature, entry) => {
    if (signature.length !== SIGNATURE_BYTES) throw new Error('Only Ed25519 signatures are sealed')
    sealed.set(signature, entry * SIGNATURE_BYTES)
  })
  xorInPlace(sealed, keystream(key, nonces, count))
  return signatures.map((_, entry) =>
    Buffer.concat([
      nonces.subarray(entry * NONCE_BYTES, (entry + 1) * NONCE_BYTES),
      sealed.subarray(entry * SIGNATURE_BYTES, (entry + 1) * SIGNATURE_BYTES)
    ])
  )
}

/** Unseal many entries at once (one page of an export); an entry of the wrong size comes back null. */
export function unsealSignatures(key: Buffer, seals: readonly Buffer[]): Array<Buffer | null> {
  const usable = seals.filter((seal) => seal.length === SEAL_BYTES)
  if (usable.length === 0) return seals.map(() => null)
  const signatures = unsealPage(key, Buffer.concat(usable), usable.length)
  let entry = 0
  return seals.map((seal) => {
    if (seal.length !== SEAL_BYTES) return null
    const at = entry++ * SIGNATURE_BYTES
    return signatures.subarray(at, at + SIGNATURE_BYTES)
  })
}

/** Unseal `count` entries of `SEAL_BYTES` each, side by side in `seals`: their signatures, entry i at i × `SIGNATURE_BYTES`. */
function unsealPage(key: Buffer, seals: Buffer, count: number): Buffer {
  const nonces = Buffer.allocUnsafe(count * NONCE_BYTES)
  const signatures = Buffer.allocUnsafe(count * SIGNATURE_BYTES)
  for (let entry = 0; entry < count; entry++) {
    const from = entry * SEAL_BYTES
    for (let byte = 0; byte < NONCE_BYTES; byte++) nonces[entry * NONCE_BYTES + byte] = seals[from + byte] ?? 0
    for (let byte = 0; byte < SIGNATURE_BYTES; byte++) signatures[entry * SIGNATURE_BYTES + byte] = seals[from + NONCE_BYTES + byte] ?? 0
  }
  if (count > 0) xorInPlace(signatures, keystream(key, nonces, count))
  return signatures
}

// ---------------------------------------------------------------------------------------------
// The directory's identity and the cache's key

/** This directory's `iss`: made once by the migration, stored in the database. */
export function inviteIssuer(store: Store): string {
  const row = store.prepare<{ issuer: string }>('SELECT issuer FROM directory WHERE id = 1').get()
  if (!row) throw new Error('The database has no directory identity')
  return row.issuer
}

/**
 * Drop every sealed signature when the database was last used with another signing key (a copy
 * opened elsewhere, another key file): they would unseal to garbage under this key.
 */
export function adoptTokenCache(store: Store): void {
  const kid = store.inviteKeys.signing.kid
  const recorded = store.prepare<{ token_cache_kid: string | null }>('SELECT token_cache_kid FROM directory WHERE id = 1').get()
  const previous = recorded?.token_cache_kid ?? null
  if (previous === kid) return
  store.transaction(() => {
    // No key recorded yet (a new or just upgraded database): nothing was sealed, nothing to scan.
    if (previous !== null) store.prepare('UPDATE users SET invite_token_seal = NULL WHERE invite_token_seal IS NOT NULL').run()
    store.prepare('UPDATE directory SET token_cache_kid = ? WHERE id = 1').run(kid)
  })
}

// ---------------------------------------------------------------------------------------------
// Tokens for rows

/**
 * A pending invite's row as the token needs it, with its sealed signature if it has one: the blob
 * as stored, or its text as SQLite's `hex()` gives it (an export reads it so, because a string
 * costs a third of a buffer to read, 100,000 times).
 */
export interface InviteTokenRow extends InviteTokenSource {
  invite_token_seal: Buffer | string | null
}

const EMPTY_SEAL_HEX = EMPTY_SEAL.toString('hex').toUpperCase()

/** Copy a row's seal into `target` at `at`; false when it holds none (missing, a placeholder, or the wrong size). */
function copySeal(seal: Buffer | string | null, target: Buffer, at: number): boolean {
  if (seal === null) return false
  if (typeof seal === 'string') {
    return seal.length === SEAL_BYTES * 2 && seal !== EMPTY_SEAL_HEX && target.write(seal, at, SEAL_BYTES, 'hex') === SEAL_BYTES
  }
  return seal.length === SEAL_BYTES && !seal.equals(EMPTY_SEAL) && seal.copy(target, at) === SEAL_BYTES
}

// A seal is written only while the row still says what was signed: a change meanwhile wins.
const WRITE_SEAL_SQL = `UPDATE users SET invite_token_seal = ?
  WHERE id = ? AND status = 'invited' AND invite_nonce = ? AND email = ? AND role_id IS ?
    AND invited_at = ? AND invite_expires_at = ?`

/**
 * A signature just made, with the row it was made for: what `cacheSignatures` keeps. Plain data,
 * so that the export worker can send it to the main thread as it is.
 */
export interface FreshSignature {
  row: InviteTokenSource
  signature: Uint8Array
}

/** Keep freshly made signatures; a database that cannot be written only costs signing again later. */
export function cacheSignatures(store: Store, signed: readonly FreshSignature[]): void {
  // A read-only connection keeps nothing (the export worker hands its signatures to the main thread instead).
  if (signed.length === 0 || store.sqlite.readonly) return
  const seals = sealSignatures(
    store.inviteKeys.signing.cacheKey,
    signed.map((entry) => entry.signature)
  )
  try {
    store.transaction(() => {
      const write = store.prepare(WRITE_SEAL_SQL)
      signed.forEach(({ row }, index) => {
        write.run(seals[index], row.id, row.invite_nonce, row.email, row.role_id, row.invited_at, row.invite_expires_at)
      })
    })
  } catch (error) {
    console.warn('[rolekeeper] could not keep invite tokens for later:', error instanceof Error ? error.message : String(error))
  }
}

/** Sign many invites at once (WebCrypto runs them on the thread pool), without caching them. */
export async function signInvites(store: Store, rows: readonly InviteTokenSource[]): Promise<Array<{ token: string; signature: Buffer }>> {
  const issuer = inviteIssuer(store)
  const key = store.inviteKeys.signing
  return Promise.all(rows.map((row) => signInviteToken(key, inviteClaims(issuer, row))))
}

/** Sign invites and hand their signatures to `keep`. */
async function signAndKeep(store: Store, rows: readonly InviteTokenSource[], keep: (signed: FreshSignature[]) => void): Promise<string[]> {
  const signed = await signInvites(store, rows)
  keep(signed.map((entry, index) => ({ row: rows[index] ?? missingRow(), signature: entry.signature })))
  return signed.map((entry) => entry.token)
}

function missingRow(): never {
  throw new Error('unreachable: a signature without its row')
}

/**
 * The tokens of pending invites' rows, in order: unsealed where the cache holds them, signed (all
 * at once) where it does not, their signatures handed to `keep` (by default, kept in the cache).
 * A page of tokens is rebuilt without an object or a buffer per token: the signatures are
 * unsealed side by side into one buffer, each claims text is encoded into one scratch buffer,
 * and each segment is read out of those as base64url.
 */
export async function inviteTokensFor(
  store: Store,
  rows: readonly InviteTokenRow[],
  keep: (signed: FreshSignature[]) => void = (signed) => cacheSignatures(store, signed)
): Promise<string[]> {
  const key = store.inviteKeys.signing
  const issuer = inviteIssuer(store)
  const head = `${headerSegment(key.kid)}.`
  const tokens = new Array<string>(rows.length)
  const seals = Buffer.allocUnsafe(rows.length * SEAL_BYTES)
  const sealedAt: number[] = []
  const missing: InviteTokenRow[] = []
  const missingAt: number[] = []
  rows.forEach((row, index) => {
    if (copySeal(row.invite_token_seal, seals, sealedAt.length * SEAL_BYTES)) {
      sealedAt.push(index)
    } else {
      missing.push(row)
      missingAt.push(index)
    }
  })
  const signatures = unsealPage(key.cacheKey, seals, sealedAt.length)
  const claimsOf = payloadJsonFor(issuer)
  let scratch = Buffer.allocUnsafe(1024)
  sealedAt.forEach((index, entry) => {
    const row = rows[index]
    if (row === undefined) return
    const claims = claimsOf(row)
    // Claims are short; one that is not gets a scratch buffer large enough.
    if (claims.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(claims.length * 3)
    const length = scratch.write(claims)
    const at = entry * SIGNATURE_BYTES
    tokens[index] = `${head}${scratch.toString('base64url', 0, length)}.${signatures.toString('base64url', at, at + SIGNATURE_BYTES)}`
  })
  if (missing.length > 0) {
    const signed = await signAndKeep(store, missing, keep)
    signed.forEach((token, entry) => {
      tokens[missingAt[entry] ?? 0] = token
    })
  }
  return tokens
}
