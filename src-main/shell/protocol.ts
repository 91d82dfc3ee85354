/**
 * The `app://rolekeeper/` protocol the renderer is served from: files of the built renderer
 * folder only, each with its content type and the Content-Security-Policy.
 */
import { readFile } from 'node:fs/promises'
import { extname, posix, resolve, sep } from 'node:path'
import { APP_ORIGIN } from '../ipc/register'

export const APP_SCHEME = 'app'
export const APP_HOST = 'rolekeeper'
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Inline style attributes only (as the page's own policy allows); never <style> elements.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm'
}

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** The part of Electron's `protocol` module the app uses. */
export interface ProtocolLike {
  registerSchemesAsPrivileged(
    schemes: Array<{ scheme: string; privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean } }>
  ): void
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void
}

/** Before the app is ready: `app:` behaves like https (origin, storage, relative URLs). */
export function registerAppScheme(protocol: ProtocolLike): void {
  protocol.registerSchemesAsPrivileged([
    // No corsEnabled: nothing outside the app's own origin may read from it.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

/**
 * The file inside `rendererDir` an `app://rolekeeper/…` URL names, or null when it names
 * anything else: another host, an undecodable path, backslashes, NUL bytes, `..` segments
 * (decoded or not), or anything that resolves outside the folder.
 */
export function resolveAppFile(rendererDir: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (path.includes('\\') || /\p{Cc}/u.test(path)) return null
  if (path.split('/').some((segment) => segment === '..')) return null
  const relative = posix.normalize(`/${path}`).replace(/^\/+/, '')
  const root = resolve(rendererDir)
  const file = resolve(root, relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative)
  if (file !== root && !file.startsWith(root + sep)) return null
  return file
}

export interface ServeOptions {
  rendererDir: string
  /** Reads a file; tests may pass their own. */
  read?: (file: string) => Promise<Uint8Array>
}

const baseHeaders = (): Record<string, string> => ({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer'
})

const notFound = (): Response =>
  new Response('Not found', { status: 404, headers: { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } })

/** The `protocol.handle('app', …)` handler. */
export function appProtocolHandler(options: ServeOptions): (request: Request) => Promise<Response> {
  const read = options.read ?? ((file: string) => readFile(file))
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: baseHeaders() })
    }
    const file = resolveAppFile(options.rendererDir, request.url)
    if (!file) return notFound()
    let body: Uint8Array
    try {
      body = await read(file)
    } catch {
      return notFound()
    }
    const headers = { ...baseHeaders(), 'Content-Type': contentTypeOf(file) }
    // A copy into a fresh ArrayBuffer: Response wants an ArrayBuffer-backed view.
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
  }
}

/** After the app is ready: serve the renderer folder on `app:`. */
export function serveApp(protocol: ProtocolLike, options: ServeOptions): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(options))
}
