import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { WRITE_SLICE } from '../../src-main/core/long-write'
import type { Store } from '../../src-main/core/store'
import type { AppInfo, Result } from '../../src-main/ipc/contract'
import { createHandlerMap, type HandlerMap } from '../../src-main/ipc/handlers'
import { createCallQueue } from '../../src-main/ipc/operations'
import type { FilePort } from '../../src-main/ipc/ports'
import { snapshot } from '../helpers/domain'
import { openTestStore, tempDir } from '../helpers/store'
import { errorOf, valueOf } from '../helpers/results'

const appInfo: AppInfo = { version: '1.0.0', databasePath: ':memory:', runtime: 'desktop' }

/** A port that only records progress; no dialog is ever expected. */
class ProgressPort implements FilePort {
  readonly reported: Array<{ operationId: string; done: number; total: number }> = []
  readonly endedIds: string[] = []
  onProgress: (operationId: string) => void = () => undefined

  progress(operationId: string, done: number, total: number): void {
    this.reported.push({ operationId, done, total })
    this.onProgress(operationId)
  }
  ended(operationId: string): void {
    this.endedIds.push(operationId)
  }
  chooseExportTarget(): Promise<null> {
    return Promise.resolve(null)
  }
  chooseImportFile(): Promise<null> {
    return Promise.resolve(null)
  }
  readImportFile(): Promise<Array<{ name: string; content: Buffer }>> {
    return Promise.reject(new DomainError('not_found', 'No file here'))
  }
  chooseBackupTarget(): Promise<null> {
    return Promise.resolve(null)
  }
  chooseVerificationKeyTarget(): Promise<null> {
    return Promise.resolve(null)
  }
  chooseDatabaseFile(): Promise<null> {
    return Promise.resolve(null)
  }
  openDatabase(): Promise<Store> {
    return Promise.reject(new Error('not in this test'))
  }
  useDatabase(): void {
    throw new Error('not in this test')
  }
}

let store: Store
let port: ProgressPort
let api: HandlerMap

beforeEach(async () => {
  store = await openTestStore()
  port = new ProgressPort()
  api = createHandlerMap({ store, appInfo, files: port })
})
afterEach(() => store.close())

function csvOf(rows: number): string {
  const lines = ['email,first_name']
  for (let index = 0; index < rows; index++) lines.push(`imported.${index}@example.org,Person ${index}`)
  return lines.join('\n')
}

const pasteOf = (count: number): string => Array.from({ length: count }, (_, index) => `invitee.${index}@example.org`).join('\n')

describe('a long import', () => {
  it('makes a call sent while it runs wait, then answer with the committed rows', async () => {
    const operationId = randomUUID()
    const order: string[] = []
    const counted: Array<Promise<Result<{ all: number }>>> = []
    port.onProgress = () => {
      if (counted.length > 0) return
      counted.push(
        api.countUsers({}).then((answer) => {
          order.push('count')
          return answer
        })
      )
    }
    const imported = api.applyImport({ file: { text: csvOf(5000) }, operationId }).then((answer) => {
      order.push('import')
      return answer
    })
    expect(valueOf(await imported).counts.new).toBe(5000)
    const [count] = await Promise.all(counted)
    if (!count) throw new Error('no progress was reported')
    expect(valueOf(count).all).toBe(5000)
    expect(order).toEqual(['import', 'count'])
    expect(port.reported.every((report) => report.operationId === operationId && report.total === 10_000)).toBe(true)
    expect(port.endedIds).toEqual([operationId])
  })

  it('on a database file, lets reads answer while it runs, with what was committed before it; writes still wait', async () => {
    const folder = tempDir()
    const onFile = await openTestStore({ file: folder.file('people.db') })
    const fileApi = createHandlerMap({ store: onFile, appInfo, files: port })
    try {
      valueOf(await fileApi.createUser({ email: 'before@example.org', status: 'active' }))
      const operationId = randomUUID()
      const order: string[] = []
      const during: Array<Promise<unknown>> = []
      port.onProgress = () => {
        if (during.length > 0) return
        during.push(
          fileApi.listUsers({ limit: 10 }).then((answer) => {
            order.push('list')
            return valueOf(answer).rows.map((user) => user.email)
          }),
          fileApi.countUsers({}).then((answer) => {
            order.push('count')
            return valueOf(answer).all
          }),
          fileApi.createUser({ email: 'after@example.org', status: 'active' }).then((answer) => {
            order.push('create')
            return valueOf(answer).email
          })
        )
      }
      const imported = fileApi.applyImport({ file: { text: csvOf(5000) }, operationId }).then((answer) => {
        order.push('import')
        return valueOf(answer).counts.new
      })
      expect(await imported).toBe(5000)
      expect(await Promise.all(during)).toEqual([['before@example.org'], 1, 'after@example.org'])
      expect(order).toEqual(['list', 'count', 'import', 'create'])
      expect(valueOf(await fileApi.countUsers({})).all).toBe(5002)
    } finally {
      onFile.close()
      folder.cleanup()
    }
  })

  it('leaves users, activity and counts exactly as they were when cancelled', async () => {
    valueOf(await api.inviteUsers({ text: 'kept@example.org', roleId: null }))
    const before = snapshot(store)
    const operationId = randomUUID()
    const cancels: Array<Promise<Result<{ cancelled: boolean }>>> = []
    port.onProgress = (id) => {
      if (cancels.length === 0) cancels.push(api.cancelOperation({ operationId: id }))
    }
    const error = errorOf(await api.applyImport({ file: { text: csvOf(6000) }, operationId }))
    expect(error).toMatchObject({ code: 'cancelled', message: 'The import was cancelled: nothing was written' })
    expect(await Promise.all(cancels)).toEqual([{ ok: true, value: { cancelled: true } }])
    expect(snapshot(store)).toEqual(before)
    expect(port.endedIds).toEqual([operationId])
    // Nothing is left running and the database takes writes again.
    expect(valueOf(await api.cancelOperation({ operationId }))).toEqual({ cancelled: false })
    expect(valueOf(await api.applyImport({ file: { text: csvOf(3) } })).counts.new).toBe(3)
  })

  it('refuses a second operation under an id that is still running', async () => {
    const operationId = randomUUID()
    const first = api.applyImport({ file: { text: csvOf(3000) }, operationId })
    const second = api.inviteUsers({ text: pasteOf(10), roleId: null, operationId })
    expect(valueOf(await first).counts.new).toBe(3000)
    // The second waited its turn: by then the id was free again.
    expect(valueOf(await second).counts.invited).toBe(10)
  })
})

describe('a long import preview', () => {
  it('lets calls sent while it runs answer before it ends, and reports progress', async () => {
    const operationId = randomUUID()
    const order: string[] = []
    const previewing = api.previewImport({ file: { text: csvOf(60_000) }, operationId }).then((result) => {
      order.push('preview')
      return result
    })
    const counted = api.countUsers({}).then((result) => {
      order.push('count')
      return result
    })
    expect(valueOf(await counted).all).toBe(0)
    expect(valueOf(await previewing).preview.counts.new).toBe(60_000)
    expect(order).toEqual(['count', 'preview'])
    expect(port.reported.filter((report) => report.operationId === operationId).length).toBeGreaterThan(0)
  })

  it('can be cancelled', async () => {
    const operationId = randomUUID()
    const previewing = api.previewImport({ file: { text: csvOf(60_000) }, operationId })
    expect(valueOf(await api.cancelOperation({ operationId })).cancelled).toBe(true)
    expect(errorOf(await previewing).code).toBe('cancelled')
  })
})

describe('a long invite', () => {
  it('reports its progress through the port and can be cancelled, inviting nobody', async () => {
    const before = snapshot(store)
    const operationId = randomUUID()
    port.onProgress = (id) => void api.cancelOperation({ operationId: id })
    const error = errorOf(await api.inviteUsers({ text: pasteOf(5000), roleId: null, operationId }))
    expect(error).toMatchObject({ code: 'cancelled', message: 'The invite was cancelled: nobody was invited' })
    expect(port.reported[0]).toEqual({ operationId, done: WRITE_SLICE, total: 5000 })
    expect(snapshot(store)).toEqual(before)
  })

  it('without an operation id answers as before, with no progress', async () => {
    const batch = valueOf(await api.inviteUsers({ text: pasteOf(5000), roleId: null }))
    expect(batch.counts.invited).toBe(5000)
    expect(port.reported).toEqual([])
    expect(port.endedIds).toEqual([])
  })
})

describe('the call queue', () => {
  it('starts a long operation only after the calls already running, and holds later ones until it ends', async () => {
    const queue = createCallQueue()
    const events: string[] = []
    let finishEarly = (): void => undefined
    const early = queue.shared(async () => {
      events.push('early start')
      await new Promise<void>((resolve) => (finishEarly = resolve))
      events.push('early end')
    })
    const long = queue.exclusive(async () => {
      events.push('long start')
      await new Promise((resolve) => setImmediate(resolve))
      events.push('long end')
    })
    const late = queue.shared(async () => {
      events.push('late')
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(events).toEqual(['early start'])
    finishEarly()
    await Promise.all([early, long, late])
    expect(events).toEqual(['early start', 'early end', 'long start', 'long end', 'late'])
  })

  it('runs the next call after a long operation that failed', async () => {
    const queue = createCallQueue()
    await expect(queue.exclusive(() => Promise.reject(new Error('broken')))).rejects.toThrow('broken')
    expect(await queue.shared(() => Promise.resolve('after'))).toBe('after')
  })
})
