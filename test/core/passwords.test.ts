import { randomBytes, scryptSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../src-main/core/passwords'
import { generatePassword } from '../../src-main/core/rules'
import { passwordPolicyProblem } from '../../src-main/core/settings'

describe('hashPassword', () => {
  it('stores scrypt with its parameters, a 16-byte salt and never the password', () => {
    const stored = hashPassword('correct horse')
    const [name, cost, blockSize, parallelism, salt, hash] = stored.split('$')
    expect([name, cost, blockSize, parallelism]).toEqual(['scrypt', '16384', '8', '1'])
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16)
    expect(Buffer.from(hash ?? '', 'base64')).toHaveLength(32)
    expect(stored).not.toContain('correct horse')
  })

  it('salts every hash, so the same password never hashes the same twice', () => {
    expect(hashPassword('same')).not.toBe(hashPassword('same'))
  })
})

describe('verifyPassword', () => {
  const stored = hashPassword('correct horse')

  it('accepts the password and refuses any other', () => {
    expect(verifyPassword('correct horse', stored)).toBe(true)
    expect(verifyPassword('correct horsE', stored)).toBe(false)
    expect(verifyPassword('', stored)).toBe(false)
  })

  it('treats composed and decomposed accents as the same password', () => {
    expect(verifyPassword('caf\u0065\u0301', hashPassword('caf\u00e9'))).toBe(true)
  })

  it('reads the parameters from the stored hash', () => {
    const salt = randomBytes(16)
    const hash = scryptSync('older', salt, 32, { N: 1024, r: 8, p: 2 })
    const older = `scrypt$1024$8$2$${salt.toString('base64')}$${hash.toString('base64')}`
    expect(verifyPassword('older', older)).toBe(true)
    expect(verifyPassword('newer', older)).toBe(false)
  })

  it('returns false for anything malformed instead of throwing', () => {
    const [, , , , salt, hash] = stored.split('$')
    for (const bad of [
      '',
      'correct horse',
      'bcrypt$16384$8$1$x$y',
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16385$8$1$${salt}$${hash}`,
      `scrypt$0$8$1$${salt}$${hash}`,
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`,
      `scrypt$16384$999$1$${salt}$${hash}`,
      `scrypt$16384$8$1$!!!$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      `scrypt$-1$8$1$${salt}$${hash}`
    ]) {
      expect(verifyPassword('correct horse', bad), bad).toBe(false)
    }
  })
})

describe('generatePassword', () => {
  it('makes different passwords that satisfy the strong policy', () => {
    const passwords = Array.from({ length: 50 }, () => generatePassword())
    expect(new Set(passwords).size).toBe(50)
    for (const password of passwords) {
      expect(password).toHaveLength(20)
      expect(passwordPolicyProblem({ kind: 'strong', pattern: null }, password)).toBeNull()
    }
  })
})
