import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listActivity } from '../../src-main/core/activity'
import {
  clearDirectusTarget,
  directusTarget,
  directusTargetFile,
  getDirectusTarget,
  saveDirectusTarget
} from '../../src-main/core/directus-target'
import { exportToString } from '../../src-main/core/export'
import { saveDirectusTargetInput } from '../../src-main/core/inputs'
import { inviteUsers } from '../../src-main/core/invites'
import type { KeyProtection } from '../../src-main/core/keyfile'
import { openStore, type Store } from '../../src-main/core/store'
import { rejection } from '../helpers/domain'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'

const SECRET = 'directus-master-Secret-7f3a9c'
const protection: KeyProtection = {
  protect: (bytes) => Buffer.concat([Buffer.from('sealed:'), Buffer.from(bytes).reverse()]),
  unprotect: (stored) => Buffer.from(stored.subarray(7)).reverse()
}

let folder: ReturnType<typeof tempDir>
let store: Store
beforeEach(async () => {
  folder = tempDir()
  store = await openStore({
    file: folder.file('directory.db'),
    inviteKeys: await testInviteKeys(),
    directusTarget: directusTargetFile(folder.file('directus-target.key'), protection),
    actor: 'tester'
  })
})
afterEach(() => {
  store.close()
  folder.cleanup()
})

describe('the Directus target', () => {
  it('is saved with its SECRET, given to the export code, and shown to the page without the SECRET', () => {
    expect(directusTarget(store)).toBeNull()
    const info = saveDirectusTarget(store, saveDirectusTargetInput.parse({ publicUrl: ' https://cms.example.org/ ', secret: SECRET }))
    expect(info).toEqual({ publicUrl: 'https://cms.example.org', secretStored: true })
    expect(getDirectusTarget(store)).toEqual(info)
    expect(directusTarget(store)).toEqual({ publicUrl: 'https://cms.example.org', secret: SECRET })
  })

  it('keeps the stored SECRET when only the URL changes, and needs one the first time', async () => {
    expect((await rejection(async () => saveDirectusTarget(store, { publicUrl: 'https://cms.example.org' }))).fields).toHaveProperty(
      'secret'
    )
    saveDirectusTarget(store, { publicUrl: 'https://cms.example.org', secret: SECRET })
    saveDirectusTarget(store, { publicUrl: 'https://directus.example.org' })
    expect(directusTarget(store)).toEqual({ publicUrl: 'https://directus.example.org', secret: SECRET })
  })

  it('refuses a URL that is not a plain http(s) address', () => {
    for (const publicUrl of ['', 'ftp://cms.example.org', 'https://cms.example.org/?x=1', 'https://admin:pw@cms.example.org', 'cms']) {
      expect(saveDirectusTargetInput.safeParse({ publicUrl, secret: SECRET }).success, publicUrl).toBe(false)
    }
  })

  it('is cleared, file and all', () => {
    saveDirectusTarget(store, { publicUrl: 'https://cms.example.org', secret: SECRET })
    expect(clearDirectusTarget(store)).toEqual({ publicUrl: null, secretStored: false })
    expect(directusTarget(store)).toBeNull()
    expect(directusTargetFile(folder.file('directus-target.key'), protection).read()).toBeNull()
  })

  it('never puts the SECRET in the database, the activity log or an export, and keeps it protected in its file', async () => {
    await inviteUsers(store, { text: 'ann@example.org', roleId: null })
    saveDirectusTarget(store, { publicUrl: 'https://cms.example.org', secret: SECRET })
    saveDirectusTarget(store, { publicUrl: 'https://cms.example.org', secret: `${SECRET}-2` })
    const activity = JSON.stringify(listActivity(store, { limit: 50 }))
    expect(activity).toContain('https://cms.example.org')
    expect(activity).not.toContain(SECRET)
    for (const format of ['csv', 'json'] as const) {
      expect(await exportToString(store, { scope: { kind: 'users', selection: { filter: {} } }, format, bom: false })).not.toContain(SECRET)
    }
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    expect(readFileSync(folder.file('directory.db')).includes(Buffer.from(SECRET))).toBe(false)
    const file = readFileSync(folder.file('directus-target.key'), 'utf8')
    expect(file).toMatch(/^rolekeeper-directus-target 1 protected\n/)
    expect(Buffer.from(file.split('\n')[1] ?? '', 'base64').includes(Buffer.from(SECRET))).toBe(false)
    // Read again from the file, as the next start does.
    expect(directusTargetFile(folder.file('directus-target.key'), protection).read()?.secret).toBe(`${SECRET}-2`)
  })
})
