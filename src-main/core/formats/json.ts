/**
 * Rolekeeper's JSON lists, both directions: an array of objects with the same keys as the CSV
 * columns (formats/columns.ts), `null` for empty values and `tags` as a list. Written one object
 * per line so a 100,000-row export streams page by page and stays readable in a diff; read
 * back by the import, each object being one row.
 */
import { roleNames, type ListKind } from './columns'
import type { DirectoryRole, DirectoryUser, HandoffWriter, SourceDirectory, SourceUser } from './handoff'
import { jsonString, jsonStringOrNull, jsonStrings } from './json-text'

export interface JsonWriterOptions {
  kind: ListKind
  roles: readonly DirectoryRole[]
}

export function jsonWriter(options: JsonWriterOptions): HandoffWriter {
  const names = roleNames(options.roles)
  const row = options.kind === 'invites' ? inviteRow : userRow
  let first = true
  return {
    start: () => '[',
    users: (batch: readonly DirectoryUser[]) => {
      let text = ''
      for (const user of batch) {
        text += (first ? '\n' : ',\n') + row(user, names)
        first = false
      }
      return text
    },
    end: () => (first ? ']\n' : '\n]\n')
  }
}

/**
 * The invite columns of a user as JSON text, keys in the order of the columns (`columnsOf`)
 * and each value as `listRecord` gives it; json.test.ts holds it to `JSON.stringify` of that record.
 */
function inviteColumns(user: DirectoryUser, names: ReadonlyMap<string, string>): string {
  const { invite } = user
  const role = user.roleId === null ? null : (names.get(user.roleId) ?? null)
  return (
    `{"email":${jsonString(user.email)},"first_name":${jsonStringOrNull(user.firstName)},` +
    `"last_name":${jsonStringOrNull(user.lastName)},"role":${jsonStringOrNull(role)},"status":${jsonString(user.status)},` +
    (invite === null
      ? '"invited_at":null,"invite_expires_at":null,"expired":null,"invite_link":null'
      : `"invited_at":${jsonString(invite.invitedAt)},"invite_expires_at":${jsonString(invite.expiresAt)},` +
        `"expired":${invite.expired},"invite_link":${jsonString(invite.link ?? invite.token)}`)
  )
}

const inviteRow = (user: DirectoryUser, names: ReadonlyMap<string, string>): string => `${inviteColumns(user, names)}}`

const userRow = (user: DirectoryUser, names: ReadonlyMap<string, string>): string =>
  `${inviteColumns(user, names)},"title":${jsonStringOrNull(user.title)},"location":${jsonStringOrNull(user.location)},` +
  `"description":${jsonStringOrNull(user.description)},"tags":${jsonStrings(user.tags)},"created_at":${jsonString(user.createdAt)}}`

/** Whether the text looks like one of these lists: a JSON array (of objects). */
export function recogniseJsonList(head: string): boolean {
  return /^\uFEFF?\s*\[\s*(\{|\])/.test(head)
}

const text = (value: unknown): string | null | undefined =>
  value === undefined ? undefined : value === null ? null : typeof value === 'string' ? value.trim() || null : String(value)

/**
 * A list back into users: the keys the writer uses; roles by name (the `role` key), as the CSV.
 * An entry that is not an object, or has no email, is one problem on the line it starts on.
 */
export function readJsonList(source: string): SourceDirectory {
  const body = source.replace(/^\uFEFF/, '')
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (error) {
    return {
      roles: [],
      users: [],
      problems: [{ line: 1, reason: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` }]
    }
  }
  if (!Array.isArray(value)) return { roles: [], users: [], problems: [{ line: 1, reason: 'Not a list of users (a JSON array)' }] }
  const lines = entryLines(body, value.length)
  const users: SourceUser[] = []
  const problems: SourceDirectory['problems'] = []
  value.forEach((entry: unknown, index) => {
    const line = lines[index] ?? 1
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ line, reason: 'Not a user (an object)' })
      return
    }
    const record: Record<string, unknown> = Object.fromEntries(Object.entries(entry))
    const email = text(record.email)
    if (!email) {
      problems.push({ line, reason: 'No email address' })
      return
    }
    const role = text(record.role)
    const status = text(record.status)
    const user: SourceUser = {
      line,
      id: null,
      email,
      roles: role ? [role] : [],
      firstName: text(record.first_name),
      lastName: text(record.last_name),
      title: text(record.title),
      location: text(record.location),
      description: text(record.description),
      ...(status && { status }),
      ...(Array.isArray(record.tags) && { tags: record.tags.filter((tag): tag is string => typeof tag === 'string') })
    }
    users.push(user)
  })
  return { roles: [], users, problems }
}

/**
 * The line each top-level entry of a JSON array starts on, found by one scan that skips
 * strings: JSON.parse keeps no positions, and a preview must point at the line of a bad entry.
 */
function entryLines(body: string, count: number): number[] {
  const lines: number[] = []
  let line = 1
  let depth = 0
  let inString = false
  let expectEntry = false
  for (let index = 0; index < body.length && lines.length < count; index++) {
    const character = body[index]
    if (character === '\n') line++
    if (inString) {
      if (character === '\\') index++
      else if (character === '"') inString = false
      continue
    }
    if (depth === 1 && expectEntry && character !== undefined && !/\s/.test(character) && character !== ',') {
      lines.push(line)
      expectEntry = false
    }
    if (character === '"') inString = true
    else if (character === '[' || character === '{') {
      depth++
      if (depth === 1) expectEntry = true
    } else if (character === ']' || character === '}') depth--
    else if (character === ',' && depth === 1) expectEntry = true
  }
  return lines
}
