/**
 * Exports written off the main thread. An export of 100,000 invites reads, unseals, formats and
 * encodes about 100 MB of text: on the main thread that holds every other call for a second or
 * more, and the pages alive at each young-generation collection make V8 grow the main heap by
 * 60–100 MB. In a worker with its own read-only connection, the main thread only writes the
 * bytes the worker puts in memory they share (the ring, not copied) while the worker makes the
 * next ones, and the worker's heap is held within EXPORT_WORKER_LIMITS.
 *
 * The worker reads what was last committed, as the snapshot connection does; the export's own
 * writes (renewing expired invites) commit before it starts. It never writes: it signs the
 * invites that have no kept signature (seeded, imported, renewed) and sends the signatures with
 * their chunk, and the main thread keeps them for the next export (export.ts).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'
import type { DirectusTarget } from './directus-target'
import { DomainError } from './errors'
import type { ExportChunk, ExportControl } from './export'
import type { ExportOptions } from './inputs'
import type { InviteKeys } from './invite-keys'
import type { FreshSignature } from './invite-token-cache'
import { BUILT_WORKER_OPTIONS, type WorkerFailure } from './worker-script'

export interface ExportWorkerRequest {
  file: string
  options: ExportOptions
  keys: InviteKeys
  directusTarget: DirectusTarget | null
  /** The store's clock when the export began: what counts as expired, and the file's date. */
  now: string
  /** Where the worker puts each chunk's bytes. */
  ring: ExportRing
}

/** Slots of `slotBytes` each in memory shared by the main thread and the worker; `id` tells one export's ring from the next's. */
export interface ExportRing {
  buffer: SharedArrayBuffer
  slotBytes: number
  id: number
}

/** Where a chunk's bytes lie in the export's ring: slot `slot`, `length` bytes. */
export interface RingBytes {
  slot: number
  length: number
}

/**
 * A chunk as it crosses: its text as UTF-8 bytes, in a slot of the ring the main thread shares
 * with the worker, or (too long for a slot, or no slot free) in a buffer of its own that is
 * transferred; and the signatures made for its invites that had none kept.
 */
export type WorkerChunk = Omit<ExportChunk, 'text'> & {
  text: Uint8Array | RingBytes
  signed: FreshSignature[]
}

/** A chunk as the file is written from it: its bytes, and what frees them once they are in the file. */
export type EncodedChunk = Omit<WorkerChunk, 'text'> & {
  text: Uint8Array
  release?(): void
}

export type ExportWorkerReply =
  | { kind: 'chunk'; chunk: WorkerChunk; heapUsed: number }
  | { kind: 'done' }
  | Extract<WorkerFailure, { kind: 'refused' }>
  | { kind: 'failed'; message: string; outOfMemory?: boolean }

/** The worker ran out of its heap (EXPORT_WORKER_LIMITS): the export is made again in line. */
export class ExportWorkerOutOfMemory extends Error {}

/**
 * Sent after each chunk is handed to the file: the worker may then make one more. And, once the
 * bytes in a slot of the ring are in the file, that slot, which the worker may then fill again.
 */
export type ExportWorkerAsk = 'written' | { freed: number; ring: number }

/**
 * Chunks the worker makes ahead of the writing: what is held in transit, at most (a page each,
 * outside the JavaScript heap: 8 SCIM pages are about 3 MB). Writes to the file stall while one
 * of the flushes to disk runs (export.ts `overlappedWriter`); with 2 ahead the worker then
 * waited too, 150–190 ms in each SCIM export of 100,000 invites (CSV 26–59 ms), with 8 it
 * waits 14–59 ms (CSV 7–45 ms).
 */
export const CHUNKS_AHEAD = 8

/**
 * The ring a chunk's bytes cross in. A buffer made for each chunk and transferred counts, where
 * it arrives, as external memory of that thread's heap: the 400 of an export of 100,000 invites
 * made V8 start a full collection of the main heap every 100–200 ms, 20–40 ms of marking each,
 * with nothing to collect (20 in six exports, CSV and SCIM; with the ring, 1), and the main
 * thread's share of an export's work fell from 80–120 ms to 40–80 ms. A slot takes a text of
 * up to a third of its bytes (the most UTF-8 a UTF-16 unit needs): a page of 250 SCIM users is
 * about 340,000 characters, so 4 MB leaves room for long names and descriptions; only the bytes
 * written are ever touched, so the rest costs no memory. Two more slots than chunks ahead, for
 * the one being written and the one whose write is ending.
 */
export const RING_SLOTS = CHUNKS_AHEAD + 2
export const RING_SLOT_BYTES = 4 * 1024 * 1024

let rings = 0

/** A new ring for an export: a slot freed late by one export is never taken for the next's. */
export function exportRing(slotBytes = RING_SLOT_BYTES): ExportRing {
  return { buffer: new SharedArrayBuffer(RING_SLOTS * slotBytes), slotBytes, id: ++rings }
}

/** The chunk's bytes: a view of its slot in `ring`, or its own buffer. */
function bytesOf(text: Uint8Array | RingBytes, ring: ExportRing): Uint8Array {
  return text instanceof Uint8Array ? text : new Uint8Array(ring.buffer, text.slot * ring.slotBytes, text.length)
}

/**
 * The worker's heap, bounded: its code and a page in the making need about 30 MB; past that V8
 * collects rather than grows. Measured on 100,000 invites in pages of 1,000, the worker's whole
 * heap peaked at 41–44 MB in every format; unbounded it reached 50–84 MB, almost all of it
 * garbage not yet collected. The bound costs time: with pages of 1,000 those collections made an
 * export 1.5–2 times as long as one made in line (CSV 2.1 s against 1.2 s); with the worker's
 * pages of 250 (below) they cost a third as much, and the heap peaked at 30–42 MB. The young
 * generation is 16 MB: once chunks crossed in the ring (RING_SLOTS) rather than a buffer each,
 * against 8 MB it cut V8's helper threads' work in half (1.3–1.6 s against 3.0–4.1 s over three
 * CSV and three SCIM exports), CSV exports from 1.0–1.5 s to 0.6–1.0 s and SCIM from 1.2–1.8 s
 * to 0.9–1.2 s, with the same peak (34–43 MB); 24 MB measured the same, 32 MB slower, with
 * peaks of 45–49 MB. A file whose writer keeps more than this to the end (a Directus bundle
 * keeps its invites' links) runs out of it, and is then made in line instead.
 */
const EXPORT_WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 48 }

/**
 * Rows per page in the worker, smaller than in line (EXPORT_PAGE_SIZE): within the bounded young
 * generation, a page of 1,000 users with their tokens, links and text is still alive at most
 * collections, so most of it is copied and moved to the old generation, which then fills and is
 * collected again and again. Measured on 100,000 invites (three SCIM exports), pages of 250 cut
 * the worker's collection pauses from 1.6 s to 0.6 s, its heap peak from 43 to 38 MB, and each
 * export by a fifth to a third in every format (SCIM 1.8–2.3 s to 1.2–1.6 s, JSON 1.4–1.6 s to
 * 1.1–1.3 s); pages of 100 collect little less and pay for twice the messages.
 */
export const EXPORT_WORKER_PAGE_SIZE = 250

export function heapInUse(): number {
  return getHeapStatistics().used_heap_size
}

/** A worker kept between exports (its code stays compiled) until it has been idle this long. */
const IDLE_MS = 60_000

let spare: { worker: Worker; timer: NodeJS.Timeout } | null = null

/**
 * The young generation an isolate starts with, in MB a semi-space: about the whole of the export
 * worker's (EXPORT_WORKER_LIMITS; V8 splits a young generation into two semi-spaces and a space
 * for large young objects). Left to start small and grow, the worker fell, export by export and
 * at random, into one of two ways of collecting: in the other, its heap peaked 8–10 MB higher and
 * V8's helper threads worked three times as long (4.1–4.9 s against 1.3–1.6 s over three CSV,
 * SCIM and Keycloak exports), competing with it for the machine's cores; started at full size it
 * collected the good way in every run. Node lets a worker's young generation be bounded, not
 * started, so this is V8's flag, set before the worker is made; it holds for every isolate made
 * after it, so the app's other workers start their young generation at 5 MB too.
 */
const INITIAL_SEMI_SPACE_MB = 5

function newWorker(script: URL): Worker {
  setFlagsFromString(`--min-semi-space-size=${INITIAL_SEMI_SPACE_MB}`)
  return new Worker(script, { ...BUILT_WORKER_OPTIONS, resourceLimits: EXPORT_WORKER_LIMITS })
}

function takeWorker(script: URL): Worker {
  const kept = spare
  if (kept) {
    spare = null
    clearTimeout(kept.timer)
    kept.worker.removeAllListeners('error')
    kept.worker.ref()
    return kept.worker
  }
  return newWorker(script)
}

/** Start the worker the next export will take, unless one is kept already. */
export function warmExportWorker(script: URL): void {
  if (spare) return
  keepWorker(newWorker(script))
}

/** The thread id of the worker kept for the next export, if one is: for tests to tell which worker is kept. */
export function spareExportWorkerId(): number | null {
  return spare?.worker.threadId ?? null
}

/** Keep a worker that finished cleanly for the next export; one is enough. */
function keepWorker(worker: Worker): void {
  if (spare) {
    void worker.terminate()
    return
  }
  // Neither the worker nor its timer keeps the process alive.
  worker.unref()
  const dismiss = (): void => {
    if (spare?.worker !== worker) return
    clearTimeout(spare.timer)
    spare = null
    void worker.terminate()
  }
  const timer = setTimeout(dismiss, IDLE_MS)
  timer.unref()
  spare = { worker, timer }
  // An idle worker that fails is dropped, never an unhandled error event in the main process.
  worker.once('error', dismiss)
}

/** What frees a chunk's slot of the ring once its bytes are written; nothing for a buffer of its own. */
function freeing(worker: Worker, ring: ExportRing, text: Uint8Array | RingBytes): (() => void) | undefined {
  if (text instanceof Uint8Array) return undefined
  return () => worker.postMessage({ freed: text.slot, ring: ring.id } satisfies ExportWorkerAsk)
}

/** The export's chunks, made by the worker at `script`; ending or failing early stops the worker. */
export async function* chunksFromWorker(script: URL, request: ExportWorkerRequest, control: ExportControl): AsyncGenerator<EncodedChunk> {
  const worker = takeWorker(script)
  const replies: ExportWorkerReply[] = []
  let wake: (() => void) | null = null
  const arrive = (reply: ExportWorkerReply): void => {
    replies.push(reply)
    wake?.()
    wake = null
  }
  const failed = (error: Error & { code?: string }): void =>
    arrive({ kind: 'failed', message: error.message, outOfMemory: error.code === 'ERR_WORKER_OUT_OF_MEMORY' })
  const exited = (code: number): void => arrive({ kind: 'failed', message: `The export worker stopped (exit code ${code})` })
  worker.on('message', arrive)
  worker.on('error', failed)
  worker.on('exit', exited)
  worker.postMessage(request)
  let finished = false
  try {
    for (;;) {
      const reply = replies.shift()
      if (reply === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      switch (reply.kind) {
        case 'chunk':
          control.onWorkerHeap?.(reply.heapUsed)
          yield { ...reply.chunk, text: bytesOf(reply.chunk.text, request.ring), release: freeing(worker, request.ring, reply.chunk.text) }
          // Asked for the next chunk: this one has been handed to the file.
          worker.postMessage('written' satisfies ExportWorkerAsk)
          break
        case 'done':
          finished = true
          return
        case 'refused':
          finished = true
          throw new DomainError(reply.code, reply.message, reply.fields)
        case 'failed':
          if (reply.outOfMemory) throw new ExportWorkerOutOfMemory(reply.message)
          throw new Error(`The export failed: ${reply.message}`)
      }
    }
  } finally {
    worker.off('message', arrive)
    worker.off('error', failed)
    worker.off('exit', exited)
    // A cancelled or broken export may leave the worker mid-file: only a finished one is kept.
    if (finished) keepWorker(worker)
    else await worker.terminate()
  }
}
