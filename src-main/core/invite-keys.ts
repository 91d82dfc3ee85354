import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject, type webcrypto } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { loadOrCreateKeyFile, readKeyFile, type KeyFileKind, type KeyProtection } from './keyfile'

/**
 * The keys invite tokens are signed and checked with. The Ed25519 private key is made once and
 * lives in its own file outside the database (protected by the operating system's secure storage
 * where there is one); everything else is derived from it: the public key that verifiers get as
 * a JWKS, its `kid` (the RFC 7638 thumbprint), and the key of the token cache in the database.
 * The earlier HMAC key is only read, never made: it checks links issued before tokens were
 * signed until they expire.
 */

export interface InviteSigningKey {
  /** Signs, and can do nothing else. */
  privateKey: webcrypto.CryptoKey
  publicKey: KeyObject
  /** The public key as it is published: `kty`, `crv`, `x`, `kid`, `alg`, `use`. */
  publicJwk: JWK & { kid: string }
  /** RFC 7638 thumbprint of the public key: names the key in every token's header. */
  kid: string
  /** AES-256 key of the token cache (invite-token-cache.ts); useless without the key file. */
  cacheKey: Buffer
}

export interface InviteKeys {
  signing: InviteSigningKey
  /** The HMAC key of the earlier 43-character tokens, when this data folder has one. */
  legacy: Buffer | null
}

export const LEGACY_INVITE_KEY_BYTES = 32

export const SIGNING_KEY_FILE: KeyFileKind = {
  header: 'rolekeeper-invite-signing-key 1',
  label: 'invite signing key',
  without: 'pending invites cannot be exported or accepted without it, and a new key would make every one invalid',
  problem(bytes) {
    try {
      const key = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' })
      return key.asymmetricKeyType === 'ed25519' ? null : `it holds a ${key.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 key`
    } catch {
      return 'its key is not a readable private key'
    }
  }
}

export const LEGACY_INVITE_KEY_FILE: KeyFileKind = {
  header: 'rolekeeper-invite-key 1',
  label: 'invite key',
  without: 'links issued before invite links were signed cannot be checked without it',
  problem: (bytes) => (bytes.length < LEGACY_INVITE_KEY_BYTES ? `its key is ${bytes.length} bytes, not ${LEGACY_INVITE_KEY_BYTES}` : null)
}

const CACHE_KEY_INFO = 'rolekeeper invite token cache v1'

/** A new Ed25519 private key. */
export function newSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey
}

/** Everything derived from one private key. */
export async function inviteSigningKey(privateKey: KeyObject): Promise<InviteSigningKey> {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The invite signing key must be an Ed25519 key')
  const publicKey = createPublicKey(privateKey)
  const { kty, crv, x } = publicKey.export({ format: 'jwk' })
  if (kty === undefined || crv === undefined || x === undefined) throw new Error('The public key has no JWK form')
  const kid = await calculateJwkThumbprint({ kty, crv, x }, 'sha256')
  const seed = privateKey.export({ format: 'jwk' }).d
  if (seed === undefined) throw new Error('The private key has no JWK form')
  return {
    privateKey: privateKey.toCryptoKey('Ed25519', false, ['sign']),
    publicKey,
    publicJwk: { kty, crv, x, kid, alg: 'EdDSA', use: 'sig' },
    kid,
    cacheKey: Buffer.from(hkdfSync('sha256', Buffer.from(seed, 'base64url'), Buffer.alloc(0), CACHE_KEY_INFO, 32))
  }
}

export interface InviteKeyFiles {
  /** The Ed25519 private key, made on first use. */
  signing: string
  /** The earlier HMAC key, read when it exists. */
  legacy: string
}

/** Load (or, the first time, make) the signing key and read the earlier key if there is one. */
export async function loadInviteKeys(files: InviteKeyFiles, protection?: KeyProtection): Promise<InviteKeys> {
  const der = loadOrCreateKeyFile(
    files.signing,
    SIGNING_KEY_FILE,
    () => newSigningKey().export({ format: 'der', type: 'pkcs8' }),
    protection
  )
  const signing = await inviteSigningKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }))
  return { signing, legacy: readKeyFile(files.legacy, LEGACY_INVITE_KEY_FILE, protection) }
}

/** The public key as a JSON Web Key Set, for any server that verifies invite links. */
export function verificationKeySet(keys: InviteKeys): { keys: JWK[] } {
  return { keys: [{ ...keys.signing.publicJwk }] }
}

/** Keys as they arrive in a worker's message: buffers come as plain byte arrays. */
export function inviteKeysFromMessage(keys: InviteKeys): InviteKeys {
  return {
    signing: { ...keys.signing, cacheKey: Buffer.from(keys.signing.cacheKey) },
    legacy: keys.legacy === null ? null : Buffer.from(keys.legacy)
  }
}
