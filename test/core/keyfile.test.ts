import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { LEGACY_INVITE_KEY_FILE, loadInviteKeys, SIGNING_KEY_FILE, verificationKeySet } from '../../src-main/core/invite-keys'
import { readKeyFile, type KeyProtection } from '../../src-main/core/keyfile'
import { tempDir } from '../helpers/store'

let folder: ReturnType<typeof tempDir>
let files: { signing: string; legacy: string }
beforeEach(() => {
  folder = tempDir()
  files = { signing: folder.file('invite-signing.key'), legacy: folder.file('invite.key') }
})
afterEach(() => folder.cleanup())

/** A stand-in for the operating system's secure storage: reversible, and visibly different. */
const protection: KeyProtection = {
  protect: (key) => Buffer.concat([Buffer.from('sealed:'), Buffer.from(key).reverse()]),
  unprotect: (stored) => {
    if (!stored.subarray(0, 7).equals(Buffer.from('sealed:'))) throw new Error('not sealed by this machine')
    return Buffer.from(stored.subarray(7)).reverse()
  }
}

async function refusal(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run()
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

const storedKey = (file: string): string => readFileSync(file, 'utf8').split('\n')[1] ?? ''

describe('the invite signing key file', () => {
  it('is made once (an Ed25519 key, readable only by its owner) and gives the same key afterwards', async () => {
    const keys = await loadInviteKeys(files)
    if (process.platform !== 'win32') expect(statSync(files.signing).mode & 0o777).toBe(0o600)
    expect(readFileSync(files.signing, 'utf8')).toMatch(/^rolekeeper-invite-signing-key 1 plain\n/)
    const der = readKeyFile(files.signing, SIGNING_KEY_FILE)
    expect(createPrivateKey({ key: der ?? Buffer.alloc(0), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ed25519')
    expect((await loadInviteKeys(files)).signing.kid).toBe(keys.signing.kid)
    // No earlier key is made for a new data folder: there are no earlier links to check.
    expect(keys.legacy).toBeNull()
    expect(readdirSync(folder.dir)).toEqual(['invite-signing.key'])
  })

  it('makes a different key for each new data folder', async () => {
    const other = { signing: folder.file('other-signing.key'), legacy: folder.file('other.key') }
    expect((await loadInviteKeys(files)).signing.kid).not.toBe((await loadInviteKeys(other)).signing.kid)
  })

  it('publishes only the public half, as a JWKS naming the key', async () => {
    const keys = await loadInviteKeys(files)
    const set = verificationKeySet(keys)
    expect(set).toEqual({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: keys.signing.kid, alg: 'EdDSA', use: 'sig' }] })
    expect(JSON.stringify(set)).not.toContain('"d"')
  })

  it('is kept protected when the operating system can protect it, and refused where it cannot be unlocked', async () => {
    const keys = await loadInviteKeys(files, protection)
    expect(readFileSync(files.signing, 'utf8')).toMatch(/^rolekeeper-invite-signing-key 1 protected\n/)
    const plainDer = Buffer.from(storedKey(files.signing), 'base64')
    expect(() => createPrivateKey({ key: plainDer, format: 'der', type: 'pkcs8' })).toThrow()
    expect((await loadInviteKeys(files, protection)).signing.kid).toBe(keys.signing.kid)
    expect((await refusal(() => loadInviteKeys(files))).message).toMatch(/secure storage/)
    const elsewhere: KeyProtection = {
      protect: protection.protect,
      unprotect: () => {
        throw new Error('not sealed by this machine')
      }
    }
    expect((await refusal(() => loadInviteKeys(files, elsewhere))).message).toMatch(/could not unlock/)
  })

  it('still reads a plain key after secure storage becomes available', async () => {
    const keys = await loadInviteKeys(files)
    expect((await loadInviteKeys(files, protection)).signing.kid).toBe(keys.signing.kid)
  })

  it('refuses a damaged or foreign file and leaves it untouched, never replacing the key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' })
    for (const content of [
      '',
      'hello',
      'rolekeeper-invite-signing-key 1 plain\n***\n',
      `rolekeeper-invite-signing-key 1 plain\n${Buffer.alloc(48, 7).toString('base64')}\n`,
      `rolekeeper-invite-signing-key 1 plain\n${rsa.toString('base64')}\n`,
      `something else\n${Buffer.alloc(32).toString('base64')}`
    ]) {
      writeFileSync(files.signing, content)
      const error = await refusal(() => loadInviteKeys(files))
      expect(error.code).toBe('database')
      expect(error.message).toMatch(/damaged.*never replaced/)
      expect(readFileSync(files.signing, 'utf8')).toBe(content)
    }
    writeFileSync(files.signing, `rolekeeper-invite-signing-key 1 plain\n${rsa.toString('base64')}\n`)
    expect((await refusal(() => loadInviteKeys(files))).message).toMatch(/rsa key, not an Ed25519 key/)
  })
})

describe('the earlier invite key file', () => {
  it('is read when the data folder has one, plain or protected, and a short or damaged one is refused', async () => {
    const key = Buffer.alloc(32, 9)
    writeFileSync(files.legacy, `rolekeeper-invite-key 1 plain\n${key.toString('base64')}\n`)
    expect((await loadInviteKeys(files)).legacy?.equals(key)).toBe(true)
    writeFileSync(files.legacy, `rolekeeper-invite-key 1 protected\n${protection.protect(key).toString('base64')}\n`)
    expect((await loadInviteKeys(files, protection)).legacy?.equals(key)).toBe(true)
    const short = `rolekeeper-invite-key 1 plain\n${Buffer.alloc(16, 7).toString('base64')}\n`
    writeFileSync(files.legacy, short)
    expect((await refusal(() => loadInviteKeys(files))).message).toMatch(/damaged.*16 bytes/)
    expect(readFileSync(files.legacy, 'utf8')).toBe(short)
    expect(LEGACY_INVITE_KEY_FILE.header).toBe('rolekeeper-invite-key 1')
  })
})
