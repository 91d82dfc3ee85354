/**
 * The worker that makes an export's file (export-in-worker.ts starts it): the same chunks as an
 * export in line (export.ts), read through a read-only connection of its own and sent to the
 * main thread as bytes, never more than CHUNKS_AHEAD ahead of the writing, each with the
 * signatures made for it (which the main thread keeps). It makes one export
 * at a time and waits for the next, so its code stays compiled from one export to the next.
 */
import { parentPort } from 'node:worker_threads'
import { openReadConnection } from './db/open'
import { memoryDirectusTarget } from './directus-target'
import { exportChunks } from './export'
import {
  CHUNKS_AHEAD,
  EXPORT_WORKER_PAGE_SIZE,
  heapInUse,
  type ExportWorkerAsk,
  type ExportWorkerReply,
  type ExportWorkerRequest
} from './export-in-worker'
import { inviteKeysFromMessage } from './invite-keys'
import type { FreshSignature } from './invite-token-cache'
import { createStore } from './store'
import { workerFailure } from './worker-script'

const port = parentPort
const reply = (message: ExportWorkerReply, transfer: ArrayBuffer[] = []): void => port?.postMessage(message, transfer)

let ahead = 0
let wake: (() => void) | null = null

port?.on('message', (message: ExportWorkerRequest | ExportWorkerAsk) => {
  if (message !== 'written') {
    ahead = 0
    void run(message)
    return
  }
  ahead--
  wake?.()
  wake = null
})

async function run(request: ExportWorkerRequest): Promise<void> {
  const inviteKeys = inviteKeysFromMessage(request.keys)
  const now = new Date(request.now)
  let store: ReturnType<typeof createStore> | null = null
  try {
    store = createStore(
      openReadConnection(request.file),
      { file: request.file, inviteKeys, directusTarget: memoryDirectusTarget(request.directusTarget), actor: 'export', now: () => now },
      true
    )
    const signed: FreshSignature[] = []
    const made = { pageSize: EXPORT_WORKER_PAGE_SIZE, keepSignatures: (fresh: FreshSignature[]) => signed.push(...fresh) }
    for await (const { text, ...chunk } of exportChunks(store, request.options, made)) {
      // A buffer of its own (never Node's shared pool), so that its memory can be transferred,
      // large enough for any text (3 bytes a UTF-16 unit at most) so that the text is read once,
      // not measured first; Buffer#write encodes faster than TextEncoder.
      const buffer = Buffer.allocUnsafeSlow(text.length * 3)
      const bytes = buffer.subarray(0, buffer.write(text))
      reply({ kind: 'chunk', chunk: { ...chunk, text: bytes, signed: signed.splice(0) }, heapUsed: heapInUse() }, [buffer.buffer])
      ahead++
      while (ahead >= CHUNKS_AHEAD) {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    }
    reply({ kind: 'done' })
  } catch (error) {
    reply(workerFailure(error))
  } finally {
    store?.close()
  }
}
