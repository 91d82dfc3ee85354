import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser'
import validator from 'validator'
import { checkEmail } from '../email'
import type {
  DirectoryRole,
  DirectoryUser,
  HandoffContext,
  HandoffFormat,
  HandoffWriter,
  SourceDirectory,
  SourceProblem,
  SourceRole,
  SourceUser
} from './handoff'
import { jsonMember, jsonString, jsonStrings } from './json-text'

/**
 * SCIM 2.0 (RFC 7643 schemas, RFC 7644 protocol), both directions.
 *
 * Written: one BulkRequest to POST to a service's `/Bulk` endpoint: a `POST /Users` per user, then
 * a `POST /Groups` per role whose members point at the users by `bulkId`, so the file needs none
 * of the ids the service will assign. Groups come last because a role's members are only known
 * once every batch of users has gone by; the writer keeps nothing else, one operation per line.
 * `failOnErrors` is left out on purpose: a bulk request is not a transaction, so stopping at the
 * first refusal would still leave part of the directory applied, while going on creates every
 * resource the service accepts and answers each refusal in its BulkResponse.
 *
 * What core SCIM has no field for (the exact status, profile fields, the invite, role settings)
 * travels in Rolekeeper's own extension schemas. Their URNs sit under
 * `urn:ietf:params:scim:schemas:extension:` with a `rolekeeper` segment, as vendors' extensions
 * do, because SCIM implementations (SCIMMY among them) refuse schema ids outside that namespace.
 *
 * Read: a ListResponse (what `GET /Users`, `GET /Groups` return) or a BulkRequest, ours or
 * another's, each entry with the line it starts on. A resource that cannot be read is one
 * problem and the rest of the file still counts; a file that is not JSON is one problem.
 */

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const SCIM_BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
export const SCIM_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
/** Rolekeeper's User extension: status, profile fields and the invite. */
export const ROLEKEEPER_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:rolekeeper:2.0:User'
/** Rolekeeper's Group extension: the role's settings. */
export const ROLEKEEPER_GROUP_EXTENSION = 'urn:ietf:params:scim:schemas:extension:rolekeeper:2.0:Group'

// ---------------------------------------------------------------------------------------------
// Writing

const userBulkId = (id: string): string => `user-${id}`

const USER_SCHEMAS = [SCIM_USER_SCHEMA, ROLEKEEPER_USER_EXTENSION]
const GROUP_SCHEMAS = [SCIM_GROUP_SCHEMA, ROLEKEEPER_GROUP_EXTENSION]

const USER_OPERATION_START = `{"method":"POST","path":"/Users","bulkId":`
const USER_DATA_START = `,"data":{"schemas":${JSON.stringify(USER_SCHEMAS)},"externalId":`
const USER_EXTENSION_START = `,${JSON.stringify(ROLEKEEPER_USER_EXTENSION)}:{"status":`

/**
 * Rolekeeper's extension of a User, spelled out after its status: the values that are there
 * (SCIM leaves out a value that is not), then the invite.
 */
function userExtensionRest(user: DirectoryUser): string {
  let text = `${jsonMember('location', user.location)}${jsonMember('description', user.description)}`
  if (user.tags.length > 0) text += `,"tags":${jsonStrings(user.tags)}`
  const invite = user.invite
  if (invite !== null) {
    text +=
      `${jsonMember('inviteLink', invite.link)},"inviteToken":${jsonString(invite.token)},"inviteJti":${jsonString(invite.jti)}` +
      `,"invitedAt":${jsonString(invite.invitedAt)},"inviteExpiresAt":${jsonString(invite.expiresAt)},"inviteExpired":${invite.expired}`
  }
  return text
}

/**
 * A user's operation, one line, spelled out: about a quarter faster than `JSON.stringify` of the
 * object it stands for, which is `method`, `path`, `bulkId`, then `data` with `schemas`,
 * `externalId`, `userName`, `name` (when either part is set: `givenName`, `familyName`,
 * `formatted`), `displayName`, `emails`, `title` (when set), `active` and Rolekeeper's
 * extension (`status`, then userExtensionRest). json-text.test.ts holds it to that object.
 */
function userOperation(user: DirectoryUser): string {
  const { firstName, lastName } = user
  const formatted = firstName && lastName ? `${firstName} ${lastName}` : firstName || lastName || ''
  const email = jsonString(user.email)
  const name =
    firstName === null && lastName === null
      ? ''
      : `,"name":{${firstName === null ? '' : `"givenName":${jsonString(firstName)},`}` +
        `${lastName === null ? '' : `"familyName":${jsonString(lastName)},`}"formatted":${jsonString(formatted)}}`
  return (
    `${USER_OPERATION_START}${jsonString(userBulkId(user.id))}${USER_DATA_START}${jsonString(user.id)},"userName":${email}${name}` +
    // Services show displayName in their lists: the address stands in for a user with no name.
    `,"displayName":${formatted === '' ? email : jsonString(formatted)},"emails":[{"value":${email},"type":"work","primary":true}]` +
    // Only an active user may sign in: an invite not yet accepted, a draft, a suspended or an
    // archived account must not open a session at the target; the exact status is in the extension.
    `${jsonMember('title', user.title)},"active":${user.status === 'active'}` +
    `${USER_EXTENSION_START}${jsonString(user.status)}${userExtensionRest(user)}}}}`
  )
}

/** A member of a group, as the JSON text of `{ value: 'bulkId:user-<id>', type: 'User' }`. */
const memberText = (userId: string): string => `{"value":${jsonString(`bulkId:${userBulkId(userId)}`)},"type":"User"}`

const GROUP_DATA_START = `,"data":{"schemas":${JSON.stringify(GROUP_SCHEMAS)},"externalId":`
const GROUP_EXTENSION_START = `,${JSON.stringify(ROLEKEEPER_GROUP_EXTENSION)}:{"icon":`

/**
 * A role's operation, spelled out around its members' text (held as text, see `scimWriter`):
 * the object `JSON.stringify` would be given is `method`, `path`, `bulkId`, then `data` with
 * `schemas`, `externalId`, `displayName`, `members` (when it has any) and Rolekeeper's extension
 * (`icon`, `description` when set, the access flags, `ipAccess` when set, `enforceTfa`).
 * json-text.test.ts holds the whole BulkRequest to `JSON.stringify` of each operation.
 */
function groupOperation(role: DirectoryRole, members: string): string {
  const id = jsonString(role.id)
  return (
    `{"method":"POST","path":"/Groups","bulkId":"role-${id.slice(1)}${GROUP_DATA_START}${id},"displayName":${jsonString(role.name)}` +
    `${members === '' ? '' : `,"members":[${members}]`}${GROUP_EXTENSION_START}${jsonString(role.icon)}` +
    `${jsonMember('description', role.description)},"adminAccess":${role.adminAccess},"appAccess":${role.appAccess}` +
    `${role.ipAccess.length === 0 ? '' : `,"ipAccess":${jsonStrings(role.ipAccess)}`},"enforceTfa":${role.enforceTfa}}}}`
  )
}

function scimWriter(context: HandoffContext): HandoffWriter {
  // Between batches only each role's members are kept: their text, `,`-led, as UTF-8 bytes a
  // batch at a time, outside the JavaScript heap, where 100,000 members held to the end would
  // otherwise survive every young-generation collection and make V8 grow its heap.
  const members = new Map<string, Buffer[]>(context.roles.map((role) => [role.id, []]))
  let written = 0
  const separator = (): string => (written++ === 0 ? '\n' : ',\n')
  return {
    start: () => `{"schemas":[${JSON.stringify(SCIM_BULK_REQUEST)}],"Operations":[`,
    users(batch) {
      let text = ''
      const joined = new Map<string, string>()
      for (const user of batch) {
        if (user.roleId !== null && members.has(user.roleId))
          joined.set(user.roleId, `${joined.get(user.roleId) ?? ''},${memberText(user.id)}`)
        text += separator() + userOperation(user)
      }
      for (const [roleId, texts] of joined) members.get(roleId)?.push(Buffer.from(texts))
      return text
    },
    end() {
      let text = ''
      for (const role of context.roles) {
        const held = members.get(role.id) ?? []
        // Without the first member's leading comma.
        text += separator() + groupOperation(role, held.length === 0 ? '' : Buffer.concat(held).toString('utf8', 1))
      }
      members.clear()
      return `${text}\n]}\n`
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** An attribute of a SCIM resource: names are case-insensitive (RFC 7643 §2.1). */
function attribute(resource: JsonObject, name: string): Json | undefined {
  if (name in resource) return resource[name]
  const lower = name.toLowerCase()
  for (const key of Object.keys(resource)) if (key.toLowerCase() === lower) return resource[key]
  return undefined
}

const stringAttribute = (resource: JsonObject, name: string): string | undefined => {
  const value = attribute(resource, name)
  return typeof value === 'string' ? value : undefined
}

const booleanAttribute = (resource: JsonObject, name: string): boolean | undefined => {
  const value = attribute(resource, name)
  return typeof value === 'boolean' ? value : undefined
}

const stringsAttribute = (resource: JsonObject, name: string): string[] | undefined => {
  const value = attribute(resource, name)
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined
}

/** The schema URNs a resource or message declares, lower-cased: SCIM compares names ignoring case. */
function schemasOf(resource: JsonObject): string[] {
  return (stringsAttribute(resource, 'schemas') ?? []).map((urn) => urn.toLowerCase())
}

const ourId = (value: string | undefined): string | null => (value !== undefined && validator.isUUID(value) ? value : null)

const QUOTE = '"'.charCodeAt(0)
const BACKSLASH = '\\'.charCodeAt(0)
const NEWLINE = '\n'.charCodeAt(0)
const COMMA = ','.charCodeAt(0)
const OPEN_BRACE = '{'.charCodeAt(0)
const CLOSE_BRACE = '}'.charCodeAt(0)
const OPEN_BRACKET = '['.charCodeAt(0)
const CLOSE_BRACKET = ']'.charCodeAt(0)
const BLANKS = new Set([' ', '\t', '\r'].map((blank) => blank.charCodeAt(0)))

/**
 * The line (1-based) each element of a top-level array starts on, by the array's key lower-cased
 * (`resources`, `operations`). One pass over text that `JSON.parse` accepted, jumping over
 * strings: jsonc-parser's visitor, which reports positions, took eight times as long on a
 * 100,000-user file, so it only says where a broken file breaks.
 */
function entryLines(text: string): Map<string, number[]> {
  const lines = new Map<string, number[]>()
  let depth = 0
  let line = 1
  let key = ''
  let list: number[] | null = null
  // Inside a top-level array, at its start or after a comma: the next token begins an element.
  let awaiting = false
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code === NEWLINE) {
      line++
      continue
    }
    if (BLANKS.has(code)) continue
    if (awaiting && code !== CLOSE_BRACKET) list?.push(line)
    awaiting = false
    if (code === QUOTE) {
      let end = at
      for (;;) {
        end = text.indexOf('"', end + 1)
        if (end === -1) return lines
        let slashes = 0
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++
        if (slashes % 2 === 0) break
      }
      // At depth 1 the last string before an array is that array's key.
      if (depth === 1) key = text.slice(at + 1, end)
      at = end
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (depth === 1 && code === OPEN_BRACKET) {
        list = []
        lines.set(key.toLowerCase(), list)
        awaiting = true
      }
      depth++
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--
      if (depth === 1) list = null
    } else if (code === COMMA && depth === 2 && list !== null) {
      awaiting = true
    }
  }
  return lines
}

/** jsonc-parser's error codes in words an administrator can act on. */
const JSON_ERRORS: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected text',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name is missing',
  ValueExpected: 'a value is missing',
  ColonExpected: 'a colon is missing',
  CommaExpected: 'a comma is missing',
  CloseBraceExpected: 'a closing } is missing',
  CloseBracketExpected: 'a closing ] is missing',
  EndOfFileExpected: 'more text after the end of the JSON',
  InvalidCommentToken: 'a comment, which JSON does not allow',
  UnexpectedEndOfString: 'a string that is never closed',
  InvalidUnicode: 'a malformed \\u escape',
  InvalidEscapeCharacter: 'a malformed escape',
  InvalidCharacter: 'a control character inside a string'
}

/** Why text is not JSON, with where: the first error jsonc-parser finds, else JSON.parse's words. */
function notJson(text: string, failure: unknown): string {
  let first: string | null = null
  visit(
    text,
    {
      onError(code: ParseErrorCode, offset, length, startLine, startCharacter) {
        const name = printParseErrorCode(code)
        const found = name === 'InvalidSymbol' ? ` ${JSON.stringify(text.slice(offset, offset + Math.min(length, 20)))}` : ''
        first ??= `${JSON_ERRORS[name] ?? name}${found} at line ${startLine + 1}, column ${startCharacter + 1}`
      }
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false }
  )
  return `The file is not JSON: ${first ?? (failure instanceof Error ? failure.message : String(failure))}`
}

/** One resource of the file, with what the reader needs to link users and groups. */
interface Entry {
  kind: Kind
  resource: JsonObject
  line: number
  /** The bulkId of a BulkRequest POST: members of groups in the same request point at it. */
  bulkId: string | null
  /** The service's id (a ListResponse, a PUT's path): what `members` and `groups` values carry. */
  serviceId: string | null
}

type Kind = 'user' | 'group' | null

/** A resource's kind from its schemas, else its meta, else (in a bulk operation) its path. */
function kindOf(resource: JsonObject, path: string | undefined): Kind {
  const schemas = schemasOf(resource)
  if (schemas.includes(SCIM_USER_SCHEMA.toLowerCase())) return 'user'
  if (schemas.includes(SCIM_GROUP_SCHEMA.toLowerCase())) return 'group'
  const meta = attribute(resource, 'meta')
  const resourceType = isObject(meta) ? stringAttribute(meta, 'resourceType') : undefined
  const endpoint = (path ?? '').split('/')[1]?.toLowerCase()
  if (resourceType === 'User' || endpoint === 'users') return 'user'
  if (resourceType === 'Group' || endpoint === 'groups') return 'group'
  return null
}

/** A member or group value that points at a resource in the same file. */
const BULK_REFERENCE = /^bulkId:/i

function readUser(entry: Entry): SourceUser | SourceProblem {
  const { resource, line } = entry
  const userName = stringAttribute(resource, 'userName')?.trim()
  const emails = attribute(resource, 'emails')
  const addresses = (Array.isArray(emails) ? emails : []).filter(isObject).filter((email) => typeof attribute(email, 'value') === 'string')
  const chosen = addresses.find((email) => attribute(email, 'primary') === true) ?? addresses[0]
  const fromEmails = chosen === undefined ? '' : String(attribute(chosen, 'value')).trim()
  const email = fromEmails !== '' ? fromEmails : userName !== undefined && checkEmail(userName).ok ? userName : ''
  if (email === '') {
    const who = userName === undefined || userName === '' ? 'A User' : `User "${userName}"`
    return { line, reason: `${who} has no email address: neither emails nor a userName that is an address` }
  }

  const extensionValue = attribute(resource, ROLEKEEPER_USER_EXTENSION)
  const extension = isObject(extensionValue) ? extensionValue : null
  // Our own files state every field, so a value left out there means "none", not "not said".
  const absent = extension === null ? undefined : null
  const user: SourceUser = { line, id: ourId(stringAttribute(resource, 'externalId')), email, roles: [] }

  const name = attribute(resource, 'name')
  if (isObject(name)) {
    user.firstName = stringAttribute(name, 'givenName') ?? null
    user.lastName = stringAttribute(name, 'familyName') ?? null
  } else if (absent === null) {
    user.firstName = null
    user.lastName = null
  }
  const title = stringAttribute(resource, 'title') ?? absent
  if (title !== undefined) user.title = title

  const status = extension === null ? undefined : stringAttribute(extension, 'status')
  const active = booleanAttribute(resource, 'active')
  if (status !== undefined) user.status = status
  else if (active !== undefined) user.status = active ? 'active' : 'suspended'

  if (extension !== null) {
    user.location = stringAttribute(extension, 'location') ?? null
    user.description = stringAttribute(extension, 'description') ?? null
    user.tags = stringsAttribute(extension, 'tags') ?? []
  }
  return user
}

interface ReadGroup {
  role: SourceRole
  /** The values of its User members, as the file writes them. */
  members: string[]
}

function readGroup(entry: Entry, ref: string): ReadGroup | SourceProblem {
  const { resource, line } = entry
  const name = stringAttribute(resource, 'displayName') ?? ''
  if (name.trim() === '') return { line, reason: 'A Group has no displayName' }
  const role: SourceRole = { ref, id: ourId(stringAttribute(resource, 'externalId')), name, line }
  const extensionValue = attribute(resource, ROLEKEEPER_GROUP_EXTENSION)
  if (isObject(extensionValue)) {
    const icon = stringAttribute(extensionValue, 'icon')
    if (icon !== undefined) role.icon = icon
    role.description = stringAttribute(extensionValue, 'description') ?? null
    const adminAccess = booleanAttribute(extensionValue, 'adminAccess')
    if (adminAccess !== undefined) role.adminAccess = adminAccess
    const appAccess = booleanAttribute(extensionValue, 'appAccess')
    if (appAccess !== undefined) role.appAccess = appAccess
    role.ipAccess = stringsAttribute(extensionValue, 'ipAccess') ?? []
    const enforceTfa = booleanAttribute(extensionValue, 'enforceTfa')
    if (enforceTfa !== undefined) role.enforceTfa = enforceTfa
  }
  const membersValue = attribute(resource, 'members')
  const members: string[] = []
  for (const member of Array.isArray(membersValue) ? membersValue : []) {
    if (!isObject(member)) continue
    const value = stringAttribute(member, 'value')
    const type = stringAttribute(member, 'type')
    // Nested groups have no counterpart in Rolekeeper: only users hold roles.
    if (value !== undefined && (type === undefined || type.toLowerCase() === 'user')) members.push(value)
  }
  return { role, members }
}

interface Entries {
  entries: Entry[]
  problems: SourceProblem[]
}

function listEntries(resources: Json[], starts: number[]): Entries {
  const found: Entries = { entries: [], problems: [] }
  resources.forEach((resource, index) => {
    const line = starts[index] ?? 1
    if (!isObject(resource)) {
      found.problems.push({ line, reason: 'A resource of the ListResponse is not an object' })
      return
    }
    const serviceId = stringAttribute(resource, 'id') ?? null
    found.entries.push({ kind: kindOf(resource, undefined), resource, line, bulkId: null, serviceId })
  })
  return found
}

function bulkEntries(operations: Json[], starts: number[]): Entries {
  const found: Entries = { entries: [], problems: [] }
  operations.forEach((operation, index) => {
    const line = starts[index] ?? 1
    if (!isObject(operation)) {
      found.problems.push({ line, reason: 'An operation of the BulkRequest is not an object' })
      return
    }
    const method = (stringAttribute(operation, 'method') ?? '').toUpperCase()
    const path = stringAttribute(operation, 'path') ?? ''
    const data = attribute(operation, 'data')
    if (method !== 'POST' && method !== 'PUT') {
      const what = method === '' ? 'An operation with no method' : `A ${method} operation`
      found.problems.push({ line, reason: `${what} (${path}) does not describe a whole resource: not read` })
    } else if (!isObject(data)) {
      found.problems.push({ line, reason: `The ${method} ${path} operation has no data` })
    } else {
      const pathId = path.split('/')[2] ?? ''
      const bulkId = method === 'POST' ? (stringAttribute(operation, 'bulkId') ?? null) : null
      const serviceId = pathId !== '' ? pathId : (stringAttribute(data, 'id') ?? null)
      found.entries.push({ kind: kindOf(data, path), resource: data, line, bulkId, serviceId })
    }
  })
  return found
}

/** The entries of a ListResponse or BulkRequest, or why the file is neither. */
function entriesOf(message: Json, lines: Map<string, number[]>): Entries | string {
  if (!isObject(message)) return 'The file is JSON but not a SCIM message: expected an object with Resources or Operations'
  const schemas = schemasOf(message)
  const resources = attribute(message, 'Resources')
  const operations = attribute(message, 'Operations')
  if (schemas.includes(SCIM_LIST_RESPONSE.toLowerCase()) || (schemas.length === 0 && Array.isArray(resources))) {
    return listEntries(Array.isArray(resources) ? resources : [], lines.get('resources') ?? [])
  }
  if (schemas.includes(SCIM_BULK_REQUEST.toLowerCase()) || (schemas.length === 0 && Array.isArray(operations))) {
    return bulkEntries(Array.isArray(operations) ? operations : [], lines.get('operations') ?? [])
  }
  return 'The file is JSON but not a SCIM ListResponse or BulkRequest'
}

function readScim(input: string): SourceDirectory {
  const text = input.replace(/^\uFEFF/, '')
  let message: Json
  try {
    message = JSON.parse(text) as Json // JSON.parse yields JSON values only
  } catch (failure) {
    return { roles: [], users: [], problems: [{ line: 1, reason: notJson(text, failure) }] }
  }
  const found = entriesOf(message, entryLines(text))
  if (typeof found === 'string') return { roles: [], users: [], problems: [{ line: 1, reason: found }] }

  const problems = found.problems
  const users: SourceUser[] = []
  const groups: ReadGroup[] = []
  /** Users by the values a member or a role reference can carry: `bulkId:<id>` or the service id. */
  const userByReference = new Map<string, SourceUser>()
  /** The `groups` of each ListResponse User: values of the service's Group ids, with their names. */
  const userGroups: { user: SourceUser; value: string; display: string | undefined }[] = []
  const refs = new Set<string>()

  for (const entry of found.entries) {
    if (entry.kind === 'user') {
      const user = readUser(entry)
      if (!('email' in user)) {
        problems.push(user)
        continue
      }
      users.push(user)
      if (entry.bulkId !== null) userByReference.set(`bulkid:${entry.bulkId}`, user)
      if (entry.serviceId !== null) userByReference.set(entry.serviceId, user)
      const memberOf = attribute(entry.resource, 'groups')
      for (const group of Array.isArray(memberOf) ? memberOf : []) {
        const value = isObject(group) ? stringAttribute(group, 'value') : undefined
        if (isObject(group) && value !== undefined) userGroups.push({ user, value, display: stringAttribute(group, 'display') })
      }
    } else if (entry.kind === 'group') {
      // How users point at the group: its bulkId in a request, its service id in a list.
      const ref = entry.bulkId ?? entry.serviceId ?? stringAttribute(entry.resource, 'externalId') ?? `line ${entry.line}`
      if (refs.has(ref)) {
        problems.push({ line: entry.line, reason: `Another Group in this file has the same id (${ref})` })
        continue
      }
      const group = readGroup(entry, ref)
      if (!('role' in group)) {
        problems.push(group)
        continue
      }
      refs.add(ref)
      groups.push(group)
    } else {
      problems.push({ line: entry.line, reason: 'A resource that is neither a User nor a Group: not read' })
    }
  }

  const roles = groups.map((group) => group.role)
  const memberships = new Map<SourceUser, Set<string>>()
  const hold = (user: SourceUser, ref: string): void => {
    const held = memberships.get(user) ?? new Set<string>()
    held.add(ref)
    memberships.set(user, held)
  }
  for (const { role, members } of groups) {
    for (const value of members) {
      const user = userByReference.get(BULK_REFERENCE.test(value) ? `bulkid:${value.slice('bulkId:'.length)}` : value)
      // A member who is not in this file is not imported: there is no address to give them.
      if (user !== undefined) hold(user, role.ref)
    }
  }
  for (const { user, value, display } of userGroups) {
    // A /Users list names groups the file may not carry: their display name still makes a role.
    if (!refs.has(value)) {
      if (display === undefined || display.trim() === '') continue
      refs.add(value)
      roles.push({ ref: value, id: null, name: display, line: user.line })
    }
    hold(user, value)
  }
  const order = new Map(roles.map((role, index) => [role.ref, index]))
  for (const [user, held] of memberships) user.roles = [...held].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))

  problems.sort((a, b) => a.line - b.line)
  return { roles, users, problems }
}

// ---------------------------------------------------------------------------------------------
// The format

export const scimFormat: HandoffFormat = {
  id: 'scim',
  label: 'SCIM 2.0',
  destination: 'An identity provider or app that speaks SCIM 2.0: POST it to its /Bulk endpoint',
  extension: 'json',
  mimeType: 'application/scim+json',
  writer: scimWriter,
  // userName is the address, unique ignoring case here as SCIM wants it; every field has a place.
  refuseUser: () => null,
  // A Group needs only a displayName, which every role has; a Group with no members is valid.
  refuseRole: () => null,
  recognise(head) {
    const start = head.replace(/^\uFEFF/, '').trimStart()
    if (!start.startsWith('{')) return false
    if (/"schemas"\s*:\s*\[[^\]]*"urn:ietf:params:scim:api:messages:2\.0:(ListResponse|BulkRequest)"/i.test(start)) return true
    // Some services put `schemas` after a long list: its resources' core schemas still say SCIM.
    return /"(Resources|Operations)"\s*:/.test(start) && /urn:ietf:params:scim:schemas:core:2\.0:(User|Group)/i.test(start)
  },
  read: readScim
}
