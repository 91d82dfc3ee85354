/**
 * The log file: small, rotated, in the logs folder, and never holding a token, an invite link's
 * secret, a password, a password hash or a key, whatever the app (or a careless line) prints.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { InviteBatch, InviteLink } from '../../src-main/core/model'
import { createLog, redact } from '../../src-main/shell/log'
import { tempDir } from '../helpers/store'
import { startShell, type ShellRun } from './harness'

describe('a run of invites, accepts and exports through the running app', () => {
  let run: ShellRun
  const secrets: string[] = []

  beforeEach(async () => {
    // Quiet in the test output; the app copies every console line into its log all the same.
    for (const method of ['error', 'warn', 'info', 'log'] as const) vi.spyOn(console, method).mockImplementation(() => undefined)
    run = await startShell()
  })
  afterEach(() => {
    run.stop()
    vi.restoreAllMocks()
    run.folder.cleanup()
  })

  /** Every file in the logs folder, joined. */
  function logText(): string {
    const folder = run.app.log.folder
    return readdirSync(folder)
      .map((name) => readFileSync(join(folder, name), 'utf8'))
      .join('\n')
  }

  it('logs what happened and the handlers’ failures, with no secret in any log file', async () => {
    const password = 'Correct horse battery 9!'
    const settings = await run.call('updateSettings', {
      inviteUrlTemplate: 'https://people.example.org/join?token={token}&email={email}'
    })
    console.info('[rolekeeper] settings saved', settings)

    const invited = await run.call('inviteUsers', { text: 'ada@example.org\ngrace@example.org\nlinus@example.org', roleId: null })
    console.info('[rolekeeper] inviteUsers answered', invited)
    if (!invited.ok) throw new Error('invite failed')
    const batch: InviteBatch = invited.value
    const links = batch.results.map((result) => result.inviteLink).filter((link): link is string => link !== null)
    expect(links).toHaveLength(3)
    secrets.push(...links.map((link) => new URL(link).searchParams.get('token') ?? 'missing'))

    const ada = batch.results[0]?.userId ?? ''
    const link = await run.call('getInviteLink', { userId: ada })
    console.info('[rolekeeper] getInviteLink answered', link)
    if (!link.ok) throw new Error('no link')
    const invite: InviteLink = link.value
    secrets.push(invite.token)

    const acceptInput = { token: invite.inviteLink, password, firstName: 'Ada' }
    console.info('[rolekeeper] acceptInvite called with', acceptInput)
    const accepted = await run.call('acceptInvite', acceptInput)
    expect(accepted).toMatchObject({ ok: true })
    const again = await run.call('acceptInvite', acceptInput)
    console.warn('[rolekeeper] acceptInvite refused', again, JSON.stringify(acceptInput))
    expect(again).toMatchObject({ ok: false, error: { code: 'invite_invalid' } })

    // What the database holds for Ada now: her password hash, and for the others their nonces.
    const rows = run.app.store.sqlite.prepare('SELECT * FROM users ORDER BY email').all()
    console.warn('[rolekeeper] users after accepting', rows)
    const hash = run.app.store.sqlite.prepare('SELECT password_hash FROM users WHERE id = ?').pluck().get(ada)
    expect(String(hash)).toMatch(/^scrypt\$/)
    secrets.push(String(hash).split('$').at(-1) ?? 'missing', String(hash).split('$').at(-2) ?? 'missing')
    const nonces = run.app.store.sqlite.prepare('SELECT invite_nonce FROM users WHERE invite_nonce IS NOT NULL').pluck().all()
    secrets.push(...nonces.map(String))

    run.electron.dialog.savePath = run.folder.file('invites.csv')
    const exported = await run.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' })
    console.info('[rolekeeper] exportInvites answered', exported)
    const file = readFileSync(run.folder.file('invites.csv'), 'utf8')
    console.info('[rolekeeper] exported file:\n%s', file)
    expect(file).toContain(links[1])

    // A key derived from the signing key, in the forms a key is kept and printed in.
    const key = run.app.store.inviteKeys.signing.cacheKey
    console.error('[rolekeeper] cache key', key.toString('base64'), key.toString('base64url'), { inviteKey: key.toString('hex') })
    secrets.push(key.toString('base64'), key.toString('base64url'), key.toString('hex'))

    // The Directus SECRET, which looks like nothing in particular, wherever it is printed.
    const directusSecret = 'plain words as a secret'
    expect(await run.call('saveDirectusTarget', { publicUrl: 'https://cms.example.org', secret: directusSecret })).toMatchObject({
      ok: true
    })
    console.warn('[rolekeeper] Directus said', `secret ${directusSecret}`, { SECRET: directusSecret }, encodeURIComponent(directusSecret))
    secrets.push(directusSecret, encodeURIComponent(directusSecret))
    expect(readFileSync(run.app.paths.directusTarget, 'utf8')).toMatch(/^rolekeeper-directus-target 1 protected\n/)

    // A handler that fails inside: the handler map logs it, and the log must keep it.
    run.app.store.sqlite.close()
    const failed = await run.call('acceptInvite', { token: links[2], password })
    expect(failed).toMatchObject({ ok: false, error: { code: 'internal' } })

    const text = logText()
    // The run is in the log: the calls, the addresses, the failure.
    expect(text).toContain('inviteUsers answered')
    expect(text).toContain('grace@example.org')
    expect(text).toMatch(/\[rolekeeper\] acceptInvite.*(failed|:)/)
    expect(text).toContain('[redacted]')
    // And nothing that would let someone in.
    expect(text).not.toContain(password)
    expect(text).not.toContain('scrypt$')
    expect(text).not.toMatch(/token=(?!\[redacted\])/)
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8)
      expect(text, secret).not.toContain(secret)
    }
  })
})

describe('redaction', () => {
  const token = 'q3Zp9XyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2x'

  it('removes tokens, link secrets, password fields, hashes and keys, and keeps the rest readable', () => {
    expect(token).toHaveLength(43)
    const cases: Array<[string, string]> = [
      [
        `link https://x.example/join?token=${token}&email=a@example.org`,
        'link https://x.example/join?token=[redacted]&email=a@example.org'
      ],
      [`https://x.example/invite/${token}/accept`, 'https://x.example/invite/[redacted]/accept'],
      [`bare ${token}.`, 'bare [redacted].'],
      ['hash scrypt$16384$8$1$c2FsdHNhbHQ=$aGFzaGhhc2g=, then', 'hash [redacted hash], then'],
      ['{"email":"a@example.org","password":"p\\"w d"}', '{"email":"a@example.org","password":"[redacted]"}'],
      [`{ email: 'a@example.org', password: "it's" }`, "{ email: 'a@example.org', password: '[redacted]' }"],
      ["{ email: 'a@example.org', password: 'plain' }", "{ email: 'a@example.org', password: '[redacted]' }"],
      ['http://127.0.0.1:5000/?secret=abc', 'http://127.0.0.1:5000/?secret=[redacted]'],
      ['key Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTI=', 'key [redacted]']
    ]
    for (const [input, output] of cases) expect(redact(input), input).toBe(output)
  })

  it('leaves ids, file names, paths and messages alone', () => {
    for (const text of [
      'user 3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e saved',
      'wrote /home/ada/Documents/rolekeeper-invites-engineering-and-support-2025-01-31.csv',
      '    at exportToFile (/opt/Rolekeeper/resources/app.asar/out/main/index.js:1234:56)',
      'The export was cancelled; no file was written'
    ]) {
      expect(redact(text)).toBe(text)
    }
  })
})

describe('rotation', () => {
  it('keeps a few small files, the newest lines in rolekeeper.log, and drops the oldest', () => {
    const folder = tempDir()
    try {
      const log = createLog({ folder: join(folder.dir, 'logs'), maxBytes: 2000, files: 3 })
      for (let line = 0; line < 200; line++) log.write('info', `line ${line} ${'x'.repeat(40)}`)
      const files = readdirSync(log.folder).sort()
      expect(files).toEqual(['rolekeeper.1.log', 'rolekeeper.2.log', 'rolekeeper.log'])
      for (const name of files) expect(statSync(join(log.folder, name)).size).toBeLessThanOrEqual(2000)
      expect(readFileSync(log.file, 'utf8')).toContain('line 199 ')
      expect(readFileSync(join(log.folder, 'rolekeeper.2.log'), 'utf8')).not.toContain('line 0 ')
      // Every line is whole: rotation happens between lines, never inside one.
      for (const name of files) {
        for (const line of readFileSync(join(log.folder, name), 'utf8').trimEnd().split('\n')) {
          expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}line \d+ x{40}$/)
        }
      }
    } finally {
      folder.cleanup()
    }
  })

  it('never throws when the folder cannot be written', () => {
    const folder = tempDir()
    try {
      const log = createLog({ folder: join(folder.dir, 'file-in-the-way', 'logs') })
      writeFileSync(join(folder.dir, 'file-in-the-way'), 'x')
      expect(() => log.write('error', 'still running')).not.toThrow()
      expect(existsSync(log.file)).toBe(false)
    } finally {
      folder.cleanup()
    }
  })
})
