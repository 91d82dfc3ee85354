import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join, resolve } from 'node:path'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CALL_NAMES } from '../../src-main/ipc/calls'
import type { Result, RolesOverview } from '../../src-main/ipc/contract'
import { MAX_BODY_BYTES, SHIM_PATH, startHost, type RunningHost } from '../../src-main/host/server'
import { sendRaw } from '../helpers/http'
import { tempDir } from '../helpers/store'

const ROOT = resolve(import.meta.dirname, '../..')

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A raw request whose body is read as text. */
async function send(port: number, options: Parameters<typeof sendRaw>[1]): Promise<Reply> {
  const reply = await sendRaw(port, options)
  return { ...reply, body: reply.body.toString('utf8') }
}

describe('the browser host', () => {
  const temp = tempDir('rolekeeper-host-')
  const rendererDir = temp.file('renderer')
  const dbFile = temp.file('rolekeeper.db')
  let host: RunningHost

  const call = (name: string, input: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    send(host.port, {
      method: 'POST',
      path: `/__rolekeeper/call/${name}`,
      headers: { 'Content-Type': 'application/json', 'X-Rolekeeper-Secret': host.secret, ...headers },
      body: JSON.stringify(input)
    })

  const roleNames = async (): Promise<string[]> => {
    const reply = await call('listRoles', {})
    const result = JSON.parse(reply.body) as Result<RolesOverview> // the host answers with the call's Result
    if (!result.ok) throw new Error(result.error.message)
    return result.value.roles.map((role) => role.name)
  }

  beforeAll(async () => {
    // A tiny renderer build of our own: what matters here is how the host serves it.
    mkdirSync(join(rendererDir, 'assets'), { recursive: true })
    writeFileSync(
      join(rendererDir, 'index.html'),
      '<!doctype html><html><head><title>Rolekeeper</title>\n<script type="module" src="./assets/app.js"></script></head><body><div id="root"></div></body></html>'
    )
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'document.title = "ready"\n')
    writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body { margin: 0 }\n')
    writeFileSync(temp.file('secret.txt'), 'not for the browser\n')
    host = await startHost({ dbFile, port: 0, rendererDir })
  })

  afterAll(async () => {
    await host?.close()
    temp.cleanup()
  })

  it('listens on 127.0.0.1 only, and prints a URL carrying a long random secret', async () => {
    const address = host.server.address()
    expect(address).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: host.port })
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?secret=${host.secret}`)
    expect(Buffer.from(host.secret, 'base64url').length).toBeGreaterThanOrEqual(16)

    const otherAddresses = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
      .map((entry) => entry?.address ?? '')
    for (const other of otherAddresses) {
      const outcome = await new Promise<string>((done) => {
        const socket = connect({ host: other, port: host.port })
        socket.once('connect', () => {
          socket.destroy()
          done('connected')
        })
        socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'))
      })
      expect(outcome, `a connection to ${other}`).not.toBe('connected')
    }
  })

  it('refuses a call without the secret, and writes nothing', async () => {
    const reply = await call('createRole', { name: 'Intruders' }, { 'X-Rolekeeper-Secret': '' })
    expect(reply.status).toBe(403)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'internal' } })

    const noHeader = await send(host.port, {
      method: 'POST',
      path: '/__rolekeeper/call/createRole',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Intruders' })
    })
    expect(noHeader.status).toBe(403)
    expect(await roleNames()).not.toContain('Intruders')
  })

  it('refuses a call with a wrong secret, of the same length or not', async () => {
    const sameLength = host.secret.replace(/^./, (first) => (first === 'A' ? 'B' : 'A'))
    for (const wrong of [sameLength, `${host.secret}x`, 'secret']) {
      const reply = await call('createRole', { name: 'Guessers' }, { 'X-Rolekeeper-Secret': wrong })
      expect(reply.status).toBe(403)
    }
    expect(await roleNames()).not.toContain('Guessers')
  })

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    for (const hostHeader of [`rebind.example:${host.port}`, `127.0.0.1:${host.port + 1}`, '127.0.0.1']) {
      const page = await send(host.port, { path: '/', headers: { Host: hostHeader } })
      expect(page.status, hostHeader).toBe(403)
      const reply = await call('createRole', { name: 'Rebound' }, { Host: hostHeader })
      expect(reply.status, hostHeader).toBe(403)
    }
    expect(await roleNames()).not.toContain('Rebound')
    expect((await send(host.port, { path: '/', headers: { Host: `localhost:${host.port}` } })).status).toBe(200)
  })

  it('refuses a call from another origin even with the secret', async () => {
    const reply = await call('createRole', { name: 'Cross site' }, { Origin: 'https://elsewhere.example' })
    expect(reply.status).toBe(403)
    expect(await roleNames()).not.toContain('Cross site')
  })

  it('runs calls through the same handlers as the desktop app', async () => {
    const created = await call('createRole', { name: 'Editors', description: 'Write and publish' })
    expect(created.status).toBe(200)
    expect(created.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(created.body)).toMatchObject({ ok: true, value: { name: 'Editors', memberCount: 0 } })
    expect(await roleNames()).toContain('Editors')

    const info = JSON.parse((await call('getAppInfo', {})).body) as Result<{ runtime: string; databasePath: string }>
    expect(info).toMatchObject({ ok: true, value: { runtime: 'host', databasePath: dbFile } })

    const invalid = JSON.parse((await call('createRole', { name: '', admin: true })).body) as Result<unknown>
    expect(invalid).toMatchObject({ ok: false, error: { code: 'validation' } })
  })

  it('refuses malformed calls: unknown names, other methods, other content types, bad JSON, huge bodies', async () => {
    expect((await call('dropDatabase', {})).status).toBe(404)
    expect((await call('__proto__', {})).status).toBe(404)
    const get = await send(host.port, {
      path: '/__rolekeeper/call/listRoles',
      headers: { 'X-Rolekeeper-Secret': host.secret }
    })
    expect(get.status).toBe(405)
    expect((await call('listRoles', {}, { 'Content-Type': 'text/plain' })).status).toBe(415)

    const badJson = await send(host.port, {
      method: 'POST',
      path: '/__rolekeeper/call/createRole',
      headers: { 'Content-Type': 'application/json', 'X-Rolekeeper-Secret': host.secret },
      body: '{"name": "Half'
    })
    expect(badJson.status).toBe(400)
    expect(JSON.parse(badJson.body)).toMatchObject({ ok: false, error: { code: 'validation' } })

    const huge = await send(host.port, {
      method: 'POST',
      path: '/__rolekeeper/call/previewInvites',
      headers: { 'Content-Type': 'application/json', 'X-Rolekeeper-Secret': host.secret },
      body: JSON.stringify({ text: 'a'.repeat(MAX_BODY_BYTES) })
    })
    expect(huge.status).toBe(413)
    expect(JSON.parse(huge.body)).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } })
  })

  it('serves index.html with the shim before the app script, and the desktop CSP', async () => {
    const page = await send(host.port, { path: '/' })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    const shim = page.body.indexOf(`<script src="${SHIM_PATH}"></script>`)
    expect(shim).toBeGreaterThan(0)
    expect(shim).toBeLessThan(page.body.indexOf('<script type="module"'))
    const csp = page.headers['content-security-policy']
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(page.headers['x-content-type-options']).toBe('nosniff')

    expect((await send(host.port, { path: '/index.html' })).body).toBe(page.body)
    const script = await send(host.port, { path: '/assets/app.js' })
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.body).toContain('document.title')
    expect((await send(host.port, { path: '/assets/app.css' })).headers['content-type']).toBe('text/css; charset=utf-8')
    expect((await send(host.port, { path: '/assets/missing.js' })).status).toBe(404)
    expect((await send(host.port, { method: 'DELETE', path: '/index.html' })).status).toBe(405)
  })

  it('refuses paths that leave the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%E0%A4%A.html'
    ]) {
      const reply = await send(host.port, { path })
      expect(reply.status, path).toBe(404)
      expect(reply.body, path).not.toContain('not for the browser')
    }
  })

  it('gives the page window.rolekeeper from the secret in its URL, then hides the secret', async () => {
    const shim = await send(host.port, { path: SHIM_PATH })
    expect(shim.status).toBe(200)
    const storage = new Map<string, string>()
    let shownUrl = `http://127.0.0.1:${host.port}/?secret=${host.secret}#/roles`
    const window: Record<string, unknown> = {
      location: {
        get href() {
          return shownUrl
        }
      },
      sessionStorage: {
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => storage.set(key, value)
      },
      history: {
        state: null,
        replaceState: (_state: unknown, _title: string, url: string) => {
          shownUrl = new URL(url, shownUrl).toString()
        }
      }
    }
    // The page's fetch resolves paths against its own origin.
    const pageFetch = (path: string, init: RequestInit): Promise<Response> => fetch(`http://127.0.0.1:${host.port}${path}`, init)
    runInNewContext(shim.body, { window, fetch: pageFetch, URL, Object, JSON })

    expect(shownUrl).toBe(`http://127.0.0.1:${host.port}/#/roles`)
    expect([...storage.values()]).toEqual([host.secret])
    const api = window.rolekeeper as Record<string, (input?: unknown) => Promise<Result<unknown>>>
    expect(Object.keys(api).sort()).toEqual([...CALL_NAMES].sort())

    const created = await api.createRole?.({ name: 'Support' })
    expect(created).toMatchObject({ ok: true, value: { name: 'Support' } })
    const overview = await api.listRoles?.()
    expect(overview).toMatchObject({ ok: true })
    expect(await roleNames()).toContain('Support')
  })

  it('says to build first when there is no renderer build', async () => {
    await expect(startHost({ dbFile: temp.file('other.db'), rendererDir: temp.file('nowhere') })).rejects.toThrow(/npm run build/)
  })

  it('prints exactly its URL as the first line, and stops cleanly when told to', async () => {
    const cliDb = temp.file('cli.db')
    // Its own process group, so the signal reaches the host itself and not only npx.
    const child = spawn('npx', ['tsx', 'src-main/host/cli.ts', '--db', cliDb, '--renderer', rendererDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    })
    const group = child.pid ?? 0
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    try {
      const firstLine = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          const end = stdout.indexOf('\n')
          if (end >= 0) done(stdout.slice(0, end))
        })
        child.once('exit', (code) => fail(new Error(`the host exited (${code}) before printing: ${stderr}`)))
      })
      expect(firstLine).toMatch(/^Rolekeeper host listening on http:\/\/127\.0\.0\.1:\d+\/\?secret=[A-Za-z0-9_-]{22,}$/)

      const url = new URL(firstLine.slice('Rolekeeper host listening on '.length))
      expect((await fetch(url)).status).toBe(200)
      expect(existsSync(`${cliDb}-wal`)).toBe(true)

      process.kill(-group, 'SIGTERM')
      // Closed cleanly: the store checkpointed and removed its write-ahead log, the port is shut.
      await expect.poll(() => existsSync(`${cliDb}-wal`), { timeout: 20_000 }).toBe(false)
      await expect(fetch(url)).rejects.toThrow()
    } finally {
      try {
        process.kill(-group, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }, 90_000)
})
