import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { INVITE_KEY_BYTES, loadOrCreateInviteKey, type KeyProtection } from '../../src-main/core/keyfile'
import { tempDir } from '../helpers/store'

let folder: ReturnType<typeof tempDir>
beforeEach(() => {
  folder = tempDir()
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

function refusal(run: () => unknown): DomainError {
  try {
    run()
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('loadOrCreateInviteKey', () => {
  it('creates a 32-byte key once, readable only by its owner, and returns the same key afterwards', () => {
    const file = folder.file('invite.key')
    const key = loadOrCreateInviteKey(file)
    expect(key).toHaveLength(INVITE_KEY_BYTES)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadOrCreateInviteKey(file).equals(key)).toBe(true)
    expect(readdirSync(folder.dir)).toEqual(['invite.key'])
  })

  it('makes a different key for each new data folder', () => {
    expect(loadOrCreateInviteKey(folder.file('a.key')).equals(loadOrCreateInviteKey(folder.file('b.key')))).toBe(false)
  })

  it('refuses a short key and leaves the file untouched', () => {
    const file = folder.file('invite.key')
    const content = `rolekeeper-invite-key 1 plain\n${Buffer.alloc(16, 7).toString('base64')}\n`
    writeFileSync(file, content)
    const error = refusal(() => loadOrCreateInviteKey(file))
    expect(error.message).toMatch(/damaged.*16 bytes/)
    expect(error.message).toMatch(/never replaced/)
    expect(readFileSync(file, 'utf8')).toBe(content)
  })

  it('refuses a corrupt or foreign file and leaves it untouched', () => {
    const file = folder.file('invite.key')
    for (const content of ['', 'hello', `rolekeeper-invite-key 1 plain\n***\n`, `something else\n${Buffer.alloc(32).toString('base64')}`]) {
      writeFileSync(file, content)
      expect(refusal(() => loadOrCreateInviteKey(file)).code).toBe('database')
      expect(readFileSync(file, 'utf8')).toBe(content)
    }
  })

  it('keeps the key protected when the operating system can protect it', () => {
    const file = folder.file('invite.key')
    const key = loadOrCreateInviteKey(file, protection)
    expect(readFileSync(file, 'utf8')).not.toContain(key.toString('base64'))
    expect(readFileSync(file, 'utf8')).toMatch(/^rolekeeper-invite-key 1 protected\n/)
    expect(loadOrCreateInviteKey(file, protection).equals(key)).toBe(true)
    expect(refusal(() => loadOrCreateInviteKey(file)).message).toMatch(/secure storage/)
  })

  it('refuses a protected key this machine cannot unlock', () => {
    const file = folder.file('invite.key')
    writeFileSync(file, `rolekeeper-invite-key 1 protected\n${Buffer.alloc(40, 1).toString('base64')}\n`)
    expect(refusal(() => loadOrCreateInviteKey(file, protection)).message).toMatch(/could not unlock/)
  })

  it('still reads a plain key after secure storage becomes available', () => {
    const file = folder.file('invite.key')
    const key = loadOrCreateInviteKey(file)
    expect(loadOrCreateInviteKey(file, protection).equals(key)).toBe(true)
  })
})
