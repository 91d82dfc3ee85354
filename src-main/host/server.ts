/**
 * The browser host: the built renderer and the same handler map the desktop app uses, served
 * over HTTP on 127.0.0.1 for development and browser tests. Never part of the packaged app.
 *
 * The page gets `window.rolekeeper` from a small shim script that posts each call to
 * `/__rolekeeper/call/<name>`. Calls carry a per-run secret (handed to the page in the URL the
 * host prints), so another local program or a web page in the same browser cannot use the API;
 * the Host header is checked against DNS rebinding. The static page itself is not secret.
 *
 * Exports and backups arrive as downloads (see ./files.ts): the call's result carries
 * `download: { url, fileName }`, and the shim fetches that URL with the secret and has the
 * browser save it before the call's promise resolves. Progress of running operations, which the
 * desktop sends as events, is polled by the shim from PROGRESS_PATH while the page listens.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, posix, resolve, sep } from 'node:path'
import { buildSync } from 'esbuild'
import type { Store } from '../core/store'
import { CALL_NAMES } from '../ipc/calls'
import type { ApiError, CallName, Result } from '../ipc/contract'
import { createHandlerMap, type HandlerMap } from '../ipc/handlers'
import { CONTENT_SECURITY_POLICY, contentTypeOf } from '../shell/protocol'
import { HostFiles } from './files'
import { openStoreWithKeyFiles } from './keys'
import { CALL_PREFIX, DOWNLOAD_PREFIX, PROGRESS_PATH, SECRET_HEADER, SHIM_PATH } from './protocol'

const ROOT = resolve(import.meta.dirname, '../..')
export const DEFAULT_RENDERER_DIR = resolve(ROOT, 'out/renderer')

export { SHIM_PATH } from './protocol'
/** Above the largest legitimate call: an import file's text (IMPORT_MAX_BYTES), JSON-escaped. */
export const MAX_BODY_BYTES = 80 * 1024 * 1024

/** The keys of a database the host opens live beside it, never in it. */
export { keyFilesFor, openStoreWithKeyFiles } from './keys'

export interface HostOptions {
  dbFile: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** The built renderer; defaults to `out/renderer`. */
  rendererDir?: string
  /** The one other database file the page may switch to with `openDatabase`. */
  allowOpen?: string
}

export interface RunningHost {
  /** What to open: carries the secret the page needs to make calls. */
  url: string
  secret: string
  port: number
  server: Server
  close(): Promise<void>
}

export class RendererNotBuiltError extends Error {
  constructor(rendererDir: string) {
    super(`The renderer is not built (no index.html in ${rendererDir}). Run \`npm run build\` first.`)
    this.name = 'RendererNotBuiltError'
  }
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const rendererDir = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR)
  if (!existsSync(resolve(rendererDir, 'index.html'))) throw new RendererNotBuiltError(rendererDir)

  const dbFile = resolve(options.dbFile)
  let store = await openStoreWithKeyFiles(dbFile)
  const files = new HostFiles({
    ...(options.allowOpen === undefined ? {} : { allowOpen: options.allowOpen }),
    openStore: (file, control) => openStoreWithKeyFiles(file, { mustExist: true, integrity: control }),
    currentStore: () => store,
    useStore: (next) => {
      store = next
    }
  })
  const handlers = createHandlerMap({
    store,
    appInfo: { version: appVersion(), databasePath: dbFile, runtime: 'host' },
    files
  })

  const secret = randomBytes(32).toString('base64url')
  const shim = shimScript()
  let port = 0
  const server = createServer((request, response) => {
    serve({ request, response, port, secret, handlers, files, rendererDir, shim }).catch((error: unknown) => {
      console.error('[rolekeeper host]', error)
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'Internal error')
      else response.destroy()
    })
  })
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen)
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', rejectListen)
        resolveListen()
      })
    })
  } catch (error) {
    store.close()
    files.dispose()
    throw error
  }
  port = (server.address() as AddressInfo).port // listening on a TCP port, so an AddressInfo

  let closing: Promise<void> | null = null
  return {
    url: `http://127.0.0.1:${port}/?secret=${secret}`,
    secret,
    port,
    server,
    close: () => (closing ??= closeHost(server, () => store, files))
  }
}

async function closeHost(server: Server, store: () => Store, files: HostFiles): Promise<void> {
  await new Promise<void>((done) => {
    server.close(() => done())
    server.closeAllConnections()
  })
  store().close()
  files.dispose()
}

function appVersion(): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'))
    if (typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string') {
      return manifest.version
    }
  } catch {
    // No manifest beside the sources: the version is only shown in the About box.
  }
  return '0.0.0'
}

// ---------------------------------------------------------------------------------------------
// Requests

interface Exchange {
  request: IncomingMessage
  response: ServerResponse
  port: number
  secret: string
  handlers: HandlerMap
  files: HostFiles
  rendererDir: string
  shim: string
}

const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY'
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer, head = false): void {
  response.writeHead(status, {
    ...securityHeaders,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store'
  })
  response.end(head ? undefined : body)
}

function sendResult(response: ServerResponse, status: number, result: Result<unknown>): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(result))
}

const refusal = (code: ApiError['code'], message: string): Result<never> => ({ ok: false, error: { code, message } })

async function serve(exchange: Exchange): Promise<void> {
  const { request, response, port } = exchange
  // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach the host.
  const host = request.headers.host
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    send(response, 403, 'text/plain; charset=utf-8', 'Forbidden')
    return
  }
  const path = (request.url ?? '/').split('?')[0] ?? '/'
  if (path.startsWith(CALL_PREFIX)) return handleCall(exchange, path.slice(CALL_PREFIX.length))
  if (path.startsWith(DOWNLOAD_PREFIX)) return handleDownload(exchange, path.slice(DOWNLOAD_PREFIX.length))
  if (path === PROGRESS_PATH) return handleProgress(exchange)

  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD')
    send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed')
    return
  }
  const head = request.method === 'HEAD'
  if (path === SHIM_PATH) {
    send(response, 200, 'text/javascript; charset=utf-8', exchange.shim, head)
    return
  }
  const file = resolveStaticFile(exchange.rendererDir, path)
  if (!file) {
    send(response, 404, 'text/plain; charset=utf-8', 'Not found', head)
    return
  }
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    send(response, 404, 'text/plain; charset=utf-8', 'Not found', head)
    return
  }
  if (file === resolve(exchange.rendererDir, 'index.html')) {
    send(response, 200, contentTypeOf(file), withShim(body.toString('utf8')), head)
    return
  }
  send(response, 200, contentTypeOf(file), body, head)
}

/**
 * The file of the renderer folder a request path names, or null for anything else: undecodable
 * paths, backslashes, control characters, `..` segments (encoded or not), or anything resolving
 * outside the folder.
 */
export function resolveStaticFile(rendererDir: string, requestPath: string): string | null {
  let path: string
  try {
    path = decodeURIComponent(requestPath)
  } catch {
    return null
  }
  if (!path.startsWith('/') || path.includes('\\') || /\p{Cc}/u.test(path)) return null
  if (path.split('/').some((segment) => segment === '..')) return null
  const relative = posix.normalize(path).replace(/^\/+/, '')
  const root = resolve(rendererDir)
  const file = resolve(root, relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative)
  if (!file.startsWith(root + sep)) return null
  return file
}

/** The shim must run before the app's module script, which reads `window.rolekeeper` at once. */
export function withShim(html: string): string {
  const tag = `<script src="${SHIM_PATH}"></script>`
  const moduleScript = html.search(/<script\b[^>]*type=["']?module/i)
  if (moduleScript >= 0) return `${html.slice(0, moduleScript)}${tag}\n    ${html.slice(moduleScript)}`
  const headEnd = html.search(/<\/head>/i)
  if (headEnd >= 0) return `${html.slice(0, headEnd)}${tag}\n${html.slice(headEnd)}`
  return `${tag}\n${html}`
}

function secretMatches(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== 'string') return false
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(secret))
}

async function handleCall(exchange: Exchange, name: string): Promise<void> {
  const { request, response, port } = exchange
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST')
    sendResult(response, 405, refusal('internal', 'Calls are POST requests'))
    return
  }
  if (!secretMatches(request.headers[SECRET_HEADER], exchange.secret)) {
    sendResult(response, 403, refusal('internal', 'This request does not carry the host’s secret and was refused.'))
    return
  }
  const origin = request.headers.origin
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
    sendResult(response, 403, refusal('internal', 'This request came from another origin and was refused.'))
    return
  }
  if (!isCallName(name)) {
    sendResult(response, 404, refusal('not_found', `There is no call named ${JSON.stringify(name.slice(0, 100))}`))
    return
  }
  if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
    sendResult(response, 415, refusal('validation', 'Calls send JSON (Content-Type: application/json)'))
    return
  }
  const body = await readBody(request, MAX_BODY_BYTES)
  if (body === null) {
    response.setHeader('Connection', 'close')
    sendResult(response, 413, refusal('limit_exceeded', `A call may send at most ${MAX_BODY_BYTES / 1024 / 1024} MB`))
    return
  }
  let input: unknown
  try {
    input = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'))
  } catch {
    sendResult(response, 400, refusal('validation', 'The request body is not valid JSON'))
    return
  }
  const handler: (input: unknown) => Promise<Result<unknown>> = exchange.handlers[name]
  sendResult(response, 200, await handler(input))
}

/**
 * An export or backup written for the page: only with the secret (a header, so it never sits in
 * a URL), only files this run wrote, streamed, and marked as an attachment.
 */
async function handleDownload(exchange: Exchange, id: string): Promise<void> {
  const { request, response } = exchange
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD')
    send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed')
    return
  }
  if (!secretMatches(request.headers[SECRET_HEADER], exchange.secret)) {
    send(response, 403, 'text/plain; charset=utf-8', 'This request does not carry the host’s secret and was refused.')
    return
  }
  const download = exchange.files.download(id)
  const size = download
    ? await stat(download.path).then(
        (info) => (info.isFile() ? info.size : null),
        () => null
      )
    : null
  if (!download || size === null) {
    send(response, 404, 'text/plain; charset=utf-8', 'Not found')
    return
  }
  response.writeHead(200, {
    ...securityHeaders,
    'Content-Type': download.contentType,
    'Content-Length': size,
    'Content-Disposition': attachment(download.fileName),
    'Cache-Control': 'no-store'
  })
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(download.path)
    stream.once('error', fail)
    response.once('close', () => {
      stream.destroy()
      done()
    })
    stream.pipe(response)
  })
}

/** The running operations' progress, as the desktop sends it in events: polled by the page shim. */
function handleProgress(exchange: Exchange): void {
  const { request, response } = exchange
  if (request.method !== 'GET') {
    response.setHeader('Allow', 'GET')
    send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed')
    return
  }
  if (!secretMatches(request.headers[SECRET_HEADER], exchange.secret)) {
    send(response, 403, 'text/plain; charset=utf-8', 'This request does not carry the host’s secret and was refused.')
    return
  }
  send(response, 200, 'application/json; charset=utf-8', JSON.stringify(exchange.files.running()))
}

/** RFC 6266: an ASCII fallback name and the exact name in UTF-8. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

function isCallName(name: string): name is CallName {
  return (CALL_NAMES as readonly string[]).includes(name)
}

/** The whole body, or null as soon as it is larger than `limit` bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > limit) {
    request.resume()
    return Promise.resolve(null)
  }
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
        resolveBody(null)
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => {
      if (!tooLarge) resolveBody(Buffer.concat(chunks))
    })
    request.on('error', rejectBody)
  })
}

// ---------------------------------------------------------------------------------------------
// The shim: `window.rolekeeper` over HTTP, the same shape as the preload's (page-shim.ts).

function shimScript(): string {
  const built = buildSync({
    entryPoints: [join(import.meta.dirname, 'page-shim.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent'
  })
  const [output] = built.outputFiles
  if (!output) throw new Error('The page shim did not build')
  return `// Rolekeeper browser host: window.rolekeeper over HTTP.\n${output.text}`
}
