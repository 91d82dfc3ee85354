/**
 * Big import files are read in a worker thread built beside the main bundle (`npm test` builds
 * it first), so the main thread goes on answering; the result must be the same as reading in line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { previewImport, previewImportYielding } from '../../src-main/core/import'
import { previewInBackground, workerScript } from '../../src-main/core/import-reader'
import { createRoleInput, createUserInput, importOptions } from '../../src-main/core/inputs'
import { createRole } from '../../src-main/core/roles'
import { createUser } from '../../src-main/core/users'
import type { Store } from '../../src-main/core/store'
import { openTestStore, tempDir } from '../helpers/store'

let store: Store
beforeEach(async () => {
  store = await openTestStore()
})
afterEach(() => store.close())

/** A CSV big enough to go to the worker (over a megabyte), with a bad row and a duplicate in it. */
function bigCsv(): string {
  const rows = Array.from({ length: 30_000 }, (_, index) => `person${index}@example.org,Name ${index},Public`)
  rows[100] = 'not-an-address,Bad,Public'
  rows[200] = 'person1@example.org,Again,Public'
  return `email,first_name,role\n${rows.join('\n')}\n`
}

describe('reading a big import file in the background', () => {
  it('uses the worker built beside the main bundle', () => {
    expect(workerScript()).not.toBeNull()
  })

  it('gives the same preview as reading in line, with progress as the rows are checked', async () => {
    const file = bigCsv()
    const options = importOptions.parse({})
    const progress: number[] = []
    const background = await previewImportYielding(store, file, options, { onProgress: (done) => progress.push(done) })
    expect(background).toEqual(previewImport(store, file, options))
    expect(background.counts).toMatchObject({ new: 29_998, invalid: 1, duplicate: 1 })
    expect(progress.length).toBeGreaterThan(5)
  })

  it('carries a file-level refusal back from the worker as the same error', async () => {
    const noEmail = `name,role\n${'Ann,Public\n'.repeat(100_000)}`
    await expect(previewImportYielding(store, noEmail, importOptions.parse({}), {})).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringMatching(/no email column/)
    })
  })

  it('stops when cancelled while the file is being read', async () => {
    const controller = new AbortController()
    const running = previewImportYielding(store, bigCsv(), importOptions.parse({}), { signal: controller.signal })
    controller.abort()
    await expect(running).rejects.toMatchObject({ code: 'cancelled' })
  })
})

describe('previewing a big import file against a database file', () => {
  let folder: ReturnType<typeof tempDir>
  let onDisk: Store
  beforeEach(async () => {
    folder = tempDir()
    onDisk = await openTestStore({ file: folder.file('directory.db') })
    const staff = createRole(onDisk, createRoleInput.parse({ name: 'Staff' })).id
    createUser(onDisk, createUserInput.parse({ email: 'person5@example.org', status: 'active', roleId: staff, firstName: 'Five' }))
    createUser(onDisk, createUserInput.parse({ email: 'person6@example.org', status: 'active', roleId: null, firstName: 'Name 6' }))
  })
  afterEach(() => {
    onDisk.close()
    folder.cleanup()
  })

  it('is made wholly in the worker, with the same rows, updates and progress as in line', async () => {
    const file = bigCsv()
    const options = importOptions.parse({ existing: 'update' })
    const progress: number[] = []
    const made = await previewInBackground(
      file,
      options,
      { file: onDisk.file, keys: onDisk.inviteKeys },
      { onProgress: (done) => progress.push(done) }
    )
    expect(made).toEqual(previewImport(onDisk, file, options))
    expect(made?.counts).toMatchObject({ new: 29_996, update: 1, unchanged: 1, invalid: 1, duplicate: 1 })
    expect(progress.length).toBeGreaterThan(5)
    expect(await previewImportYielding(onDisk, file, options, {})).toEqual(made)
  })

  it('is left to the main thread for a small file', async () => {
    expect(
      await previewInBackground('email\nann@example.org\n', importOptions.parse({}), { file: onDisk.file, keys: onDisk.inviteKeys }, {})
    ).toBeNull()
  })

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    const running = previewImportYielding(onDisk, bigCsv(), importOptions.parse({}), { signal: controller.signal })
    controller.abort()
    await expect(running).rejects.toMatchObject({ code: 'cancelled' })
  })
})
