import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A throwaway OpenLDAP for the LDIF hand-off tests: Debian's slapd with the stock schemas (core,
 * cosine, inetorgperson) and one mdb database, configured in a temp folder, listening on
 * 127.0.0.1 only on a free port, run in the foreground so that we hold its PID and stop it by
 * that alone. A missing slapd is an error, not a skip: CI installs it (`slapd`, `ldap-utils`).
 */

const SLAPD = '/usr/sbin/slapd'
const SLAPADD = '/usr/sbin/slapadd'
const SLAPCAT = '/usr/sbin/slapcat'
/** Where Debian's slapd package puts the stock schemas and the mdb backend module. */
const SCHEMA_DIR = '/etc/ldap/schema'
const MODULE_DIR = '/usr/lib/ldap'

/** The client tools read no ldap.conf or ~/.ldaprc: only what we pass counts. */
const CLIENT_ENV = { ...process.env, LDAPNOINIT: '1' }

export interface ToolResult {
  code: number
  stdout: string
  stderr: string
}

export interface Slapd {
  url: string
  baseDn: string
  rootDn: string
  /** `ldapadd` of the given LDIF text as the root DN; `-c` carries on past refused entries. */
  ldapadd(ldif: string, options?: { continueOnError?: boolean }): Promise<ToolResult>
  /** `ldapsearch -x -LLL` with the given arguments after the connection ones; fails on a non-zero exit. */
  ldapsearch(...args: string[]): Promise<string>
  /** `slapcat` of the whole database (read straight from the mdb files, beside the running server). */
  slapcat(): Promise<string>
  stop(): Promise<void>
}

function run(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: CLIENT_ENV, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error)
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin?.end(input)
  })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A slapd.conf value in double quotes: slapd.conf undoes one level of backslashes there. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

/** The base entry, named by its first RDN: `dc=` (dcObject) or `o=` (organization). */
function baseEntry(baseDn: string, firstValue: string): string {
  if (/^dc=/i.test(baseDn)) {
    return `dn:: ${b64(baseDn)}\nobjectClass: dcObject\nobjectClass: organization\ndc:: ${b64(firstValue)}\no:: ${b64(firstValue)}\n`
  }
  return `dn:: ${b64(baseDn)}\nobjectClass: organization\no:: ${b64(firstValue)}\n`
}

/**
 * Start a server whose database holds only the base entry `baseDn`. `baseValue` is the value of
 * its first RDN, unescaped (`Bücher, Gruber & Co` for `o=Bücher\, Gruber & Co,c=AT`).
 */
export async function startSlapd(baseDn: string, baseValue: string): Promise<Slapd> {
  for (const tool of [SLAPD, SLAPADD, SLAPCAT]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: install OpenLDAP (apt-get install -y slapd ldap-utils)`)
  }
  const folder = mkdtempSync(join(tmpdir(), 'rolekeeper-slapd-'))
  const rootDn = `cn=admin,${baseDn}`
  const password = 'rolekeeper-test'
  const conf = join(folder, 'slapd.conf')
  mkdirSync(join(folder, 'db'))
  writeFileSync(
    conf,
    [
      `include ${SCHEMA_DIR}/core.schema`,
      `include ${SCHEMA_DIR}/cosine.schema`,
      `include ${SCHEMA_DIR}/inetorgperson.schema`,
      `modulepath ${MODULE_DIR}`,
      'moduleload back_mdb',
      'database mdb',
      `suffix ${quoted(baseDn)}`,
      `rootdn ${quoted(rootDn)}`,
      `rootpw ${password}`,
      `directory ${quoted(join(folder, 'db'))}`,
      // 256 MiB of address space, not of disk: the map file grows as it is written.
      'maxsize 268435456',
      ''
    ].join('\n')
  )
  const base = join(folder, 'base.ldif')
  writeFileSync(base, baseEntry(baseDn, baseValue))
  const loaded = await run(SLAPADD, ['-f', conf, '-l', base])
  if (loaded.code !== 0) {
    rmSync(folder, { recursive: true, force: true })
    throw new Error(`slapadd of the base entry failed: ${loaded.stderr}`)
  }

  const port = await freePort()
  const url = `ldap://127.0.0.1:${port}/`
  const log = openSync(join(folder, 'slapd.log'), 'w')
  // `-d 0`: stay in the foreground (our child, our PID) without debug output; the log takes stderr.
  const server: ChildProcess = spawn(SLAPD, ['-f', conf, '-h', url, '-d', '0'], { stdio: ['ignore', log, log] })
  closeSync(log)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    server.once('exit', () => {
      exited = true
      resolve()
    })
  })
  const logText = (): string => readFileSync(join(folder, 'slapd.log'), 'utf8')

  const stop = async (): Promise<void> => {
    if (!exited && server.pid !== undefined) {
      process.kill(server.pid, 'SIGTERM')
      const timeout = setTimeout(() => {
        if (!exited && server.pid !== undefined) process.kill(server.pid, 'SIGKILL')
      }, 5000)
      await exit
      clearTimeout(timeout)
    }
    rmSync(folder, { recursive: true, force: true })
  }

  const connection = ['-x', '-H', url, '-D', rootDn, '-w', password]
  const started = Date.now()
  for (;;) {
    if (exited) {
      const text = logText()
      await stop()
      throw new Error(`slapd exited at start: ${text}`)
    }
    const probe = await run('ldapsearch', [...connection, '-LLL', '-s', 'base', '-b', baseDn, 'dn'])
    if (probe.code === 0) break
    if (Date.now() - started > 15_000) {
      await stop()
      throw new Error(`slapd did not answer on ${url} within 15 s: ${probe.stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  return {
    url,
    baseDn,
    rootDn,
    async ldapadd(ldif, options = {}) {
      const file = join(folder, `add-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`)
      writeFileSync(file, ldif)
      return run('ldapadd', [...connection, ...(options.continueOnError ? ['-c'] : []), '-f', file])
    },
    async ldapsearch(...args) {
      const result = await run('ldapsearch', [...connection, '-LLL', ...args])
      if (result.code !== 0) throw new Error(`ldapsearch ${args.join(' ')} failed (${result.code}): ${result.stderr}`)
      return result.stdout
    },
    async slapcat() {
      const result = await run(SLAPCAT, ['-f', conf])
      if (result.code !== 0) throw new Error(`slapcat failed: ${result.stderr}`)
      return result.stdout
    },
    stop
  }
}
