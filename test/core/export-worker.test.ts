import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportToFile, exportToString, previewExport, type ExportRequest } from '../../src-main/core/export'
import { directusTarget } from '../../src-main/core/directus-target'
import {
  chunksFromWorker,
  EXPORT_WORKER_PAGE_SIZE,
  exportRing,
  RING_SLOTS,
  spareExportWorkerId,
  type ExportRing
} from '../../src-main/core/export-in-worker'
import { createRoleInput, createUserInput, exportOptions } from '../../src-main/core/inputs'
import { inviteUsers } from '../../src-main/core/invites'
import { EXPORT_FORMATS, type ExportFormat } from '../../src-main/core/model'
import { createRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { createUser } from '../../src-main/core/users'
import { builtWorker } from '../../src-main/core/worker-script'
import { openTestStore, tempDir } from '../helpers/store'

// Exports of a database file are made by the export worker (export-in-worker.ts); these tests
// check that what it writes is what an export in line writes, byte for byte.

const clock = new Date('2026-03-01T10:00:00.000Z')
let store: Store
let folder: ReturnType<typeof tempDir>
let editors: string

beforeEach(async () => {
  folder = tempDir()
  store = await openTestStore({ file: folder.file('directory.db'), now: () => clock })
  editors = createRole(store, createRoleInput.parse({ name: 'Editors' })).id
  createUser(store, createUserInput.parse({ email: 'ann@example.org', status: 'active', roleId: editors, firstName: 'Ann' }))
  createUser(store, createUserInput.parse({ email: 'draft@example.org', status: 'draft', roleId: null }))
  // More than one page, with names that need quoting and escaping.
  const pasted = Array.from({ length: 2500 }, (_, index) => `"Lovelace, Ada ${index}" <ada.${index}@example.org>`)
  await inviteUsers(store, { text: pasted.join('\n'), roleId: editors })
})

afterEach(() => {
  store.close()
  folder.cleanup()
})

const requestFor = (format: ExportFormat, scope: ExportRequest['scope']): ExportRequest => ({
  scope,
  format,
  ...(format === 'csv' ? { bom: true } : {}),
  ...(format === 'ldif' ? { ldifBaseDn: 'dc=example,dc=org' } : {})
})

/** Export to a file, noting whether the worker made it. */
async function exportedFile(request: ExportRequest, name: string): Promise<{ text: string; inWorker: boolean; progress: number[] }> {
  let inWorker = false
  const progress: number[] = []
  const path = folder.file(name)
  await exportToFile(store, request, path, {
    onWorkerHeap: () => {
      inWorker = true
    },
    onProgress: (done) => progress.push(done)
  })
  return { text: readFileSync(path, 'utf8'), inWorker, progress }
}

describe('an export made by the export worker', () => {
  it('is built beside the main bundle', () => {
    expect(builtWorker('export-worker')).not.toBeNull()
  })

  it.each(EXPORT_FORMATS)('writes the same %s file as an export in line, for invites and for the whole directory', async (format) => {
    for (const scope of [
      { kind: 'roleInvites', roleId: editors },
      { kind: 'users', selection: { filter: {} } }
    ] as const) {
      const request = requestFor(format, scope)
      const file = await exportedFile(request, `export.${format}`)
      expect(file.inWorker).toBe(true)
      expect(file.text).toBe(await exportToString(store, request))
      expect(file.progress.at(-1)).toBe(scope.kind === 'users' ? 2502 : 2500)
    }
  })

  it('reads its own, smaller pages', async () => {
    const file = await exportedFile(requestFor('csv', { kind: 'roleInvites', roleId: editors }), 'paged.csv')
    expect(file.inWorker).toBe(true)
    const pageEnds = Array.from({ length: 2500 / EXPORT_WORKER_PAGE_SIZE }, (_, page) => (page + 1) * EXPORT_WORKER_PAGE_SIZE)
    // A last, empty page may follow a full one: the keyset walk stops at the first short page.
    expect([...new Set(file.progress.filter((done) => done > 0))]).toEqual(pageEnds)
  })

  it('is started by the preview, and the export then takes that worker', async () => {
    const request = requestFor('scim', { kind: 'roleInvites', roleId: editors })
    await previewExport(store, request)
    const started = spareExportWorkerId()
    expect(started).not.toBeNull()
    // A second preview starts no second worker.
    await previewExport(store, request)
    expect(spareExportWorkerId()).toBe(started)
    const file = await exportedFile(request, 'previewed.scim.json')
    expect(file.inWorker).toBe(true)
    // Taken for the export and kept again after it: still the one the preview started.
    expect(spareExportWorkerId()).toBe(started)
  })

  const keptSeals = (): unknown =>
    store.sqlite.prepare("SELECT count(*) FROM users WHERE status = 'invited' AND length(invite_token_seal) = 76").pluck().get()

  it('signs the few invites whose signatures are not kept, and the main thread keeps them for the next export', async () => {
    // The last ten invites (of 2,500) lost their signatures: the worker meets them on its last page.
    store.sqlite
      .prepare(
        "UPDATE users SET invite_token_seal = NULL WHERE rowid IN (SELECT rowid FROM users WHERE status = 'invited' ORDER BY rowid DESC LIMIT 10)"
      )
      .run()
    expect(keptSeals()).toBe(2490)
    const request = requestFor('csv', { kind: 'roleInvites', roleId: editors })
    const first = await exportedFile(request, 'first.csv')
    expect(first.inWorker).toBe(true)
    expect(keptSeals()).toBe(2500)
    // The kept signatures unseal to the same tokens (Ed25519 signs deterministically).
    const second = await exportedFile(request, 'second.csv')
    expect(second.text).toBe(first.text)
    expect(await exportToString(store, request)).toBe(first.text)
  })

  it('leaves an export whose invites mostly need signing to the main thread, which keeps their signatures', async () => {
    store.sqlite.prepare('UPDATE users SET invite_token_seal = NULL').run()
    const request = requestFor('csv', { kind: 'roleInvites', roleId: editors })
    const first = await exportedFile(request, 'unsigned.csv')
    expect(first.inWorker).toBe(false)
    expect(keptSeals()).toBe(2500)
    const second = await exportedFile(request, 'signed.csv')
    expect(second.inWorker).toBe(true)
    expect(second.text).toBe(first.text)
  })

  it('writes nothing under the chosen name when cancelled, and leaves no temporary file', async () => {
    const controller = new AbortController()
    const path = folder.file('cancelled.json')
    const writing = exportToFile(store, requestFor('json', { kind: 'allInvites' }), path, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done > 0) controller.abort()
      }
    })
    await expect(writing).rejects.toMatchObject({ code: 'cancelled' })
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(folder.dir).filter((name) => name.includes('cancelled'))).toEqual([])
    // The next export is made as usual.
    expect((await exportedFile(requestFor('json', { kind: 'allInvites' }), 'after.json')).inWorker).toBe(true)
  })
})

describe('the ring an export worker hands its bytes over in', () => {
  /** The chunks of an export straight from the worker, each copied out as a writer would, then released. */
  async function chunksThrough(ring: ExportRing): Promise<{ text: string; inRing: boolean[] }> {
    const script = builtWorker('export-worker')
    if (script === null) throw new Error('The export worker is not built')
    const request = {
      file: store.file,
      options: exportOptions.parse(requestFor('csv', { kind: 'roleInvites', roleId: editors })),
      keys: store.inviteKeys,
      directusTarget: directusTarget(store),
      now: store.now().toISOString(),
      ring
    }
    const parts: Buffer[] = []
    const inRing: boolean[] = []
    for await (const chunk of chunksFromWorker(script, request, {})) {
      if (chunk.text.length === 0) continue
      inRing.push(chunk.text.buffer === ring.buffer)
      parts.push(Buffer.from(chunk.text))
      chunk.release?.()
    }
    return { text: Buffer.concat(parts).toString('utf8'), inRing }
  }

  it('carries every chunk in its slots, each slot filled again once its bytes are written', async () => {
    const expected = await exportToString(store, requestFor('csv', { kind: 'roleInvites', roleId: editors }))
    const { text, inRing } = await chunksThrough(exportRing())
    expect(text).toBe(expected)
    // The header and ten pages: more chunks than slots, so slots were freed and filled again.
    expect(inRing.length).toBeGreaterThan(RING_SLOTS)
    expect(inRing.every(Boolean)).toBe(true)
  })

  it('sends a chunk too long for a slot in a buffer of its own', async () => {
    const expected = await exportToString(store, requestFor('csv', { kind: 'roleInvites', roleId: editors }))
    const { text, inRing } = await chunksThrough(exportRing(64))
    expect(text).toBe(expected)
    expect(inRing.some(Boolean)).toBe(false)
  })
})
