/**
 * Hidden `.part` files that killed exports and backups leave beside their target are removed the
 * next time that folder is written to; a running writer's are not.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backupToFile } from '../../src-main/core/backup'
import { exportToFile } from '../../src-main/core/export'
import { removeStaleTemporaries, STALE_AFTER_MS, temporaryBeside } from '../../src-main/core/files'
import { inviteUsers } from '../../src-main/core/invites'
import type { Store } from '../../src-main/core/store'
import { openTestStore, tempDir } from '../helpers/store'

/** A process id that ran and has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

let store: Store
let folder: ReturnType<typeof tempDir>

beforeEach(async () => {
  store = await openTestStore()
  folder = tempDir('rolekeeper-temporaries-')
  inviteUsers(store, { text: 'ann@example.org bob@example.org', roleId: null })
})
afterEach(() => {
  store.close()
  folder.cleanup()
})

/** Leftovers of every kind, and files that are not leftovers at all. */
function litter(): { stale: string[]; kept: string[] } {
  const dead = endedPid()
  const hourAgo = (Date.now() - STALE_AFTER_MS - 60_000) / 1000
  const files = {
    // A killed export of an ended process, just now; and a killed backup with SQLite's journal.
    deadExport: `.invites.csv.${dead}.0123456789ab.part`,
    deadBackup: `.backup.db.${dead}.abcdefabcdef.part`,
    deadBackupJournal: `.backup.db.${dead}.abcdefabcdef.part-journal`,
    // An earlier version's name (no pid), untouched for over an hour; and one written a moment ago.
    oldUnnamed: '.users.json.00112233aabb.part',
    freshUnnamed: '.users.json.ffeeddccbbaa.part',
    // A running process's (the test runner's parent): kept while it is fresh.
    freshRunning: `.other.csv.${process.ppid}.aaaaaaaaaaaa.part`,
    oldRunning: `.other.csv.${process.ppid}.bbbbbbbbbbbb.part`,
    // Not ours: never touched.
    notes: '.notes.part',
    shortHex: `.x.csv.${dead}.abc.part`,
    visible: `invites.csv.${dead}.0123456789ab.part`,
    target: 'invites.csv'
  }
  for (const name of Object.values(files)) writeFileSync(folder.file(name), 'left over')
  for (const name of [files.oldUnnamed, files.oldRunning]) utimesSync(folder.file(name), hourAgo, hourAgo)
  return {
    stale: [files.deadExport, files.deadBackup, files.deadBackupJournal, files.oldUnnamed, files.oldRunning].sort(),
    kept: [files.freshUnnamed, files.freshRunning, files.notes, files.shortHex, files.visible, files.target].sort()
  }
}

describe('stale temporary files', () => {
  it('an export removes the ones killed writers left in its folder, and leaves the rest', async () => {
    const { kept } = litter()
    await exportToFile(store, { scope: { kind: 'allInvites' }, format: 'csv', bom: false }, folder.file('invites.csv'))
    expect(readdirSync(folder.dir).sort()).toEqual(kept)
  })

  it('a backup does the same in its folder', async () => {
    const { kept } = litter()
    await backupToFile(store, folder.file('rolekeeper.db'))
    expect(readdirSync(folder.dir).sort()).toEqual([...kept, 'rolekeeper.db'].sort())
  })

  it('never removes what this process is writing now, however old', async () => {
    const { stale } = litter()
    const running = temporaryBeside(folder.file('invites.csv'))
    writeFileSync(running.path, 'half an export')
    const hourAgo = (Date.now() - STALE_AFTER_MS - 60_000) / 1000
    utimesSync(running.path, hourAgo, hourAgo)
    expect((await removeStaleTemporaries(folder.dir)).sort()).toEqual(stale)
    expect(readdirSync(folder.dir)).toContain(running.path.slice(folder.dir.length + 1))

    running.release()
    expect(await removeStaleTemporaries(folder.dir)).toEqual([running.path.slice(folder.dir.length + 1)])
  })

  it('a folder that cannot be listed is no failure', async () => {
    expect(await removeStaleTemporaries(folder.file('missing'))).toEqual([])
  })
})
