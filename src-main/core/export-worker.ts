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
  type ExportRing,
  type ExportWorkerAsk,
  type RingBytes,
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
/** The current export's ring, and its slots not holding bytes still to be written. */
let ring: ExportRing | null = null
let free: number[] = []

port?.on('message', (message: ExportWorkerRequest | ExportWorkerAsk) => {
  if (message === 'written') {
    ahead--
    wake?.()
    wake = null
  } else if ('freed' in message) {
    if (message.ring === ring?.id) free.push(message.freed)
  } else {
    ahead = 0
    ring = message.ring
    free = Array.from({ length: message.ring.buffer.byteLength / message.ring.slotBytes }, (_, slot) => slot)
    void run(message)
  }
})

/**
 * A chunk's text as UTF-8 in a free slot of the ring, its pieces one after another, where it
 * surely fits (3 bytes a UTF-16 unit at most, so the text is encoded once, not measured first);
 * else in a buffer of its own (never Node's shared pool), which is transferred. Buffer#write
 * encodes faster than TextEncoder.
 */
function encoded(pieces: readonly string[]): { text: Uint8Array | RingBytes; transfer: ArrayBuffer[] } {
  const units = pieces.reduce((sum, piece) => sum + piece.length, 0)
  const slot = ring !== null && units * 3 <= ring.slotBytes ? free.pop() : undefined
  if (ring !== null && slot !== undefined) {
    const bytes = Buffer.from(ring.buffer, slot * ring.slotBytes, ring.slotBytes)
    let length = 0
    for (const piece of pieces) length += bytes.write(piece, length)
    return { text: { slot, length }, transfer: [] }
  }
  const text = pieces.join('')
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text))
  bytes.write(text)
  return { text: bytes, transfer: [bytes.buffer] }
}

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
      const bytes = encoded(text)
      reply({ kind: 'chunk', chunk: { ...chunk, text: bytes.text, signed: signed.splice(0) }, heapUsed: heapInUse() }, bytes.transfer)
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
