/**
 * Keycloak, both directions: out as the body of `POST /admin/realms/{realm}/partialImport`
 * (a PartialImportRepresentation: `ifResourceExists`, `roles.realm[]`, `users[]`), in from that
 * same file or a realm export (`kc.sh export`, one file or `--users different_files` joined).
 *
 * Keycloak has no role icon, access flags, user statuses beyond `enabled`, or profile fields, so
 * they travel as Keycloak attributes (string lists), all named `rolekeeper…` so that they never
 * meet an attribute a realm's user profile defines. Keycloak stores usernames and addresses in
 * lower case; `rolekeeperEmail` keeps the casing the admin typed when it differs. Note for the
 * target realm: since Keycloak 24 a realm keeps attributes its user profile does not declare only
 * with "Unmanaged attributes" enabled (Realm settings → General), so turn that on before importing.
 *
 * Reading: a user's realm roles are listed all, in the file's order; Keycloak's own roles
 * (`offline_access`, `uma_authorization`, `default-roles-<realm>`, the realm's `defaultRole`) are
 * no Rolekeeper roles and are left out. Without our status attribute, `enabled: true` is `active`
 * and anything else `suspended` (Keycloak creates a user without `enabled` disabled). Fields of a
 * user or role Rolekeeper wrote (it has `rolekeeperId`) that are absent are empty; for anyone
 * else an absent field means the file does not say.
 */
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
import { isRecord, parseLocatedJson } from './located-json'

/** Keycloak attributes: every value is a list of strings. */
export type KeycloakAttributes = Record<string, string[]>

export interface KeycloakRole {
  name: string
  description: string | undefined
  composite: false
  clientRole: false
  attributes: KeycloakAttributes
}

export interface KeycloakUser {
  username: string
  email: string
  firstName: string | undefined
  lastName: string | undefined
  enabled: boolean
  emailVerified: boolean
  createdTimestamp: number
  realmRoles: string[]
  requiredActions: string[]
  attributes: KeycloakAttributes
}

export const KEYCLOAK_ATTRIBUTES = {
  id: 'rolekeeperId',
  icon: 'rolekeeperIcon',
  adminAccess: 'rolekeeperAdminAccess',
  appAccess: 'rolekeeperAppAccess',
  ipAccess: 'rolekeeperIpAccess',
  enforceTfa: 'rolekeeperEnforceTfa',
  email: 'rolekeeperEmail',
  status: 'rolekeeperStatus',
  title: 'rolekeeperTitle',
  location: 'rolekeeperLocation',
  description: 'rolekeeperDescription',
  tags: 'rolekeeperTags',
  inviteLink: 'rolekeeperInviteLink',
  inviteToken: 'rolekeeperInviteToken',
  inviteExpiresAt: 'rolekeeperInviteExpiresAt',
  inviteExpired: 'rolekeeperInviteExpired'
} as const

/** What an invited user must do on first sign-in: choose a password and confirm the address. */
export const INVITE_REQUIRED_ACTIONS = ['UPDATE_PASSWORD', 'VERIFY_EMAIL'] as const

/** Roles every Keycloak realm has; never Rolekeeper roles. */
const BUILT_IN_ROLES = new Set(['offline_access', 'uma_authorization'])
const isBuiltInRole = (name: string, defaultRole: string | null): boolean =>
  BUILT_IN_ROLES.has(name) || name.startsWith('default-roles-') || name === defaultRole

// ---------------------------------------------------------------------------------------------
// Writing

export function keycloakRole(role: DirectoryRole): KeycloakRole {
  const attributes: KeycloakAttributes = {
    rolekeeperId: [role.id],
    rolekeeperIcon: [role.icon],
    rolekeeperAdminAccess: [String(role.adminAccess)],
    rolekeeperAppAccess: [String(role.appAccess)],
    rolekeeperEnforceTfa: [String(role.enforceTfa)]
  }
  if (role.ipAccess.length > 0) attributes['rolekeeperIpAccess'] = [...role.ipAccess]
  // JSON leaves out undefined members: an absent description, not an empty one.
  return { name: role.name, description: role.description ?? undefined, composite: false, clientRole: false, attributes }
}

// Literal keys and no spreads: this runs once per user of a 100,000-user export.
export function keycloakUser(user: DirectoryUser, roleNames: ReadonlyMap<string, string>): KeycloakUser {
  const attributes: KeycloakAttributes = { rolekeeperId: [user.id], rolekeeperStatus: [user.status] }
  if (user.email !== user.email.toLowerCase()) attributes['rolekeeperEmail'] = [user.email]
  if (user.title !== null) attributes['rolekeeperTitle'] = [user.title]
  if (user.location !== null) attributes['rolekeeperLocation'] = [user.location]
  if (user.description !== null) attributes['rolekeeperDescription'] = [user.description]
  if (user.tags.length > 0) attributes['rolekeeperTags'] = user.tags
  const invite = user.status === 'invited' ? user.invite : null
  if (invite !== null) {
    if (invite.link !== null) attributes['rolekeeperInviteLink'] = [invite.link]
    else attributes['rolekeeperInviteToken'] = [invite.token]
    attributes['rolekeeperInviteExpiresAt'] = [invite.expiresAt]
    if (invite.expired) attributes['rolekeeperInviteExpired'] = ['true']
  }
  const role = user.roleId === null ? undefined : roleNames.get(user.roleId)
  const invited = user.status === 'invited'
  return {
    username: user.email,
    email: user.email,
    firstName: user.firstName ?? undefined,
    lastName: user.lastName ?? undefined,
    // Invited users must be enabled to carry out their required actions.
    enabled: user.status === 'active' || invited,
    emailVerified: !invited && user.status !== 'draft',
    createdTimestamp: Date.parse(user.createdAt),
    realmRoles: role === undefined ? [] : [role],
    requiredActions: invited ? [...INVITE_REQUIRED_ACTIONS] : [],
    attributes
  }
}

const INVITE_REQUIRED_ACTIONS_TEXT = JSON.stringify(INVITE_REQUIRED_ACTIONS)

/** `,"name":["value"]`: one attribute of one value, when there is a value. */
const attributeMember = (name: string, value: string | null): string => (value === null ? '' : `,"${name}":[${jsonString(value)}]`)

/**
 * `JSON.stringify(keycloakUser(user, roleNames))`, spelled out from the user's fields without the
 * object: keys in the same order, members that would be undefined left out. keycloak.test.ts
 * holds the two to the same text.
 */
export function keycloakUserText(user: DirectoryUser, roleNames: ReadonlyMap<string, string>): string {
  const email = jsonString(user.email)
  const invited = user.status === 'invited'
  const invite = invited ? user.invite : null
  const role = user.roleId === null ? undefined : roleNames.get(user.roleId)
  const created = Date.parse(user.createdAt)
  const inviteAttributes =
    invite === null
      ? ''
      : (invite.link !== null
          ? attributeMember('rolekeeperInviteLink', invite.link)
          : attributeMember('rolekeeperInviteToken', invite.token)) +
        `${attributeMember('rolekeeperInviteExpiresAt', invite.expiresAt)}${invite.expired ? ',"rolekeeperInviteExpired":["true"]' : ''}`
  return (
    `{"username":${email},"email":${email}${jsonMember('firstName', user.firstName)}${jsonMember('lastName', user.lastName)}` +
    // Invited users must be enabled to carry out their required actions.
    `,"enabled":${user.status === 'active' || invited},"emailVerified":${!invited && user.status !== 'draft'}` +
    // JSON writes a time it cannot read (NaN) as null.
    `,"createdTimestamp":${Number.isFinite(created) ? String(created) : 'null'}` +
    `,"realmRoles":[${role === undefined ? '' : jsonString(role)}],"requiredActions":${invited ? INVITE_REQUIRED_ACTIONS_TEXT : '[]'}` +
    `,"attributes":{"rolekeeperId":[${jsonString(user.id)}],"rolekeeperStatus":[${jsonString(user.status)}]` +
    `${user.email !== user.email.toLowerCase() ? `,"rolekeeperEmail":[${email}]` : ''}${attributeMember('rolekeeperTitle', user.title)}` +
    `${attributeMember('rolekeeperLocation', user.location)}${attributeMember('rolekeeperDescription', user.description)}` +
    `${user.tags.length > 0 ? `,"rolekeeperTags":${jsonStrings(user.tags)}` : ''}${inviteAttributes}}}`
  )
}

function partialImportWriter(context: HandoffContext): HandoffWriter {
  const roleNames = new Map(context.roles.map((role) => [role.id, role.name]))
  let count = 0
  return {
    start() {
      const roles = context.roles.map((role) => JSON.stringify(keycloakRole(role))).join(',\n')
      return `{\n"ifResourceExists":${JSON.stringify(context.options.ifResourceExists)},\n"roles":{"realm":[${roles ? `\n${roles}\n` : ''}]},\n"users":[`
    },
    users(batch) {
      if (batch.length === 0) return ''
      const text = `${count > 0 ? ',' : ''}\n${batch.map((user) => keycloakUserText(user, roleNames)).join(',\n')}`
      count += batch.length
      return text
    },
    end: () => `${count > 0 ? '\n' : ''}]\n}\n`
  }
}

// ---------------------------------------------------------------------------------------------
// What Keycloak refuses

/** Keycloak's address check (`org.keycloak.utils.EmailValidationUtil`) allows 64 characters before the @. */
const KEYCLOAK_LOCAL_PART = 64

function refuseUser(user: DirectoryUser): string | null {
  const local = user.email.slice(0, user.email.lastIndexOf('@'))
  if (local.length > KEYCLOAK_LOCAL_PART) return `Keycloak refuses addresses with more than ${KEYCLOAK_LOCAL_PART} characters before the @`
  return null
}

function refuseRole(role: DirectoryRole): string | null {
  if (isBuiltInRole(role.name, null)) return `"${role.name}" is one of Keycloak's own realm roles`
  return null
}

// ---------------------------------------------------------------------------------------------
// Reading

/** An attribute's values; Keycloak before the user profile also wrote single strings. */
function attribute(attributes: unknown, name: string): string[] | undefined {
  if (!isRecord(attributes)) return undefined
  const value = attributes[name]
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string')
  return undefined
}

const first = (attributes: unknown, name: string): string | undefined => attribute(attributes, name)?.[0]

const flag = (attributes: unknown, name: string): boolean | undefined => {
  const value = first(attributes, name)
  return value === undefined ? undefined : value === 'true'
}

function readRole(value: unknown, line: number, defaultRole: string | null, problems: SourceProblem[]): SourceRole | null {
  if (!isRecord(value)) {
    problems.push({ line, reason: 'A realm role that is not an object' })
    return null
  }
  const name = typeof value['name'] === 'string' ? value['name'] : ''
  if (name.trim() === '') {
    problems.push({ line, reason: 'A realm role without a name' })
    return null
  }
  if (isBuiltInRole(name, defaultRole)) return null
  const attributes = value['attributes']
  const ours = first(attributes, KEYCLOAK_ATTRIBUTES.id)
  const id = ours ?? (typeof value['id'] === 'string' ? value['id'] : null)
  const role: SourceRole = { ref: name, id, name: name.trim(), line }
  if (typeof value['description'] === 'string') role.description = value['description']
  else if (ours !== undefined) role.description = null
  const icon = first(attributes, KEYCLOAK_ATTRIBUTES.icon)
  if (icon !== undefined) role.icon = icon
  const adminAccess = flag(attributes, KEYCLOAK_ATTRIBUTES.adminAccess)
  if (adminAccess !== undefined) role.adminAccess = adminAccess
  const appAccess = flag(attributes, KEYCLOAK_ATTRIBUTES.appAccess)
  if (appAccess !== undefined) role.appAccess = appAccess
  const enforceTfa = flag(attributes, KEYCLOAK_ATTRIBUTES.enforceTfa)
  if (enforceTfa !== undefined) role.enforceTfa = enforceTfa
  const ipAccess = attribute(attributes, KEYCLOAK_ATTRIBUTES.ipAccess)
  if (ipAccess !== undefined) role.ipAccess = ipAccess
  else if (ours !== undefined) role.ipAccess = []
  return role
}

function readUser(value: unknown, line: number, defaultRole: string | null, problems: SourceProblem[]): SourceUser | null {
  if (!isRecord(value)) {
    problems.push({ line, reason: 'A user that is not an object' })
    return null
  }
  const attributes = value['attributes']
  if (attributes !== undefined && attributes !== null && !isRecord(attributes)) {
    problems.push({ line, reason: 'User attributes that are not an object' })
    return null
  }
  const username = typeof value['username'] === 'string' ? value['username'] : ''
  const email = (first(attributes, KEYCLOAK_ATTRIBUTES.email) ?? (typeof value['email'] === 'string' ? value['email'] : '')).trim()
  const address = email !== '' ? email : username.includes('@') ? username.trim() : ''
  if (address === '') {
    problems.push({ line, reason: `The user ${username || '(no username)'} has no email address` })
    return null
  }
  const ours = first(attributes, KEYCLOAK_ATTRIBUTES.id)
  const id = ours ?? (typeof value['id'] === 'string' ? value['id'] : null)
  const realmRoles = Array.isArray(value['realmRoles']) ? value['realmRoles'] : []
  const user: SourceUser = {
    line,
    id,
    email: address,
    status: first(attributes, KEYCLOAK_ATTRIBUTES.status) ?? (value['enabled'] === true ? 'active' : 'suspended'),
    roles: realmRoles.filter((role): role is string => typeof role === 'string' && !isBuiltInRole(role, defaultRole))
  }
  const known = ours !== undefined
  for (const name of ['firstName', 'lastName'] as const) {
    const text = value[name]
    if (typeof text === 'string') user[name] = text
    else if (known) user[name] = null
  }
  for (const name of ['title', 'location', 'description'] as const) {
    const text = first(attributes, KEYCLOAK_ATTRIBUTES[name])
    if (text !== undefined) user[name] = text
    else if (known) user[name] = null
  }
  const tags = attribute(attributes, KEYCLOAK_ATTRIBUTES.tags)
  if (tags !== undefined) user.tags = tags
  else if (known) user.tags = []
  return user
}

function read(text: string): SourceDirectory {
  const json = parseLocatedJson(text)
  const problems: SourceProblem[] = json.problem === null ? [] : [json.problem]
  if (json.values.length === 0 && json.problem === null) problems.push({ line: 1, reason: 'The file is empty' })
  const roleEntries: { value: unknown; line: number }[] = []
  const userEntries: { value: unknown; line: number }[] = []
  // A loop, not push(...list): spreading 100,000 entries into one call overflows the stack.
  const collect = (into: { value: unknown; line: number }[], list: unknown[]): void => {
    const lines = json.elementLines(list)
    list.forEach((value, index) => {
      if (json.isComplete(value)) into.push({ value, line: lines[index] ?? 0 })
    })
  }
  let defaultRole: string | null = null
  for (const value of json.values) {
    if (!isRecord(value)) {
      problems.push({ line: json.lineOf(value), reason: 'Not a Keycloak realm export or partial import: expected an object' })
      continue
    }
    if (isRecord(value['defaultRole']) && typeof value['defaultRole']['name'] === 'string') defaultRole = value['defaultRole']['name']
    const roles = value['roles']
    if (isRecord(roles) && Array.isArray(roles['realm'])) collect(roleEntries, roles['realm'])
    if (Array.isArray(value['users'])) collect(userEntries, value['users'])
    if (!isRecord(roles) && !Array.isArray(value['users'])) {
      problems.push({ line: json.lineOf(value), reason: 'Not a Keycloak realm export or partial import: no roles or users' })
    }
  }
  const roles: SourceRole[] = []
  const seen = new Set<string>()
  for (const { value, line } of roleEntries) {
    const role = readRole(value, line, defaultRole, problems)
    if (role === null) continue
    if (seen.has(role.ref)) problems.push({ line: role.line, reason: `The realm role ${role.ref} appears twice` })
    else {
      seen.add(role.ref)
      roles.push(role)
    }
  }
  const users: SourceUser[] = []
  for (const { value, line } of userEntries) {
    const user = readUser(value, line, defaultRole, problems)
    if (user !== null) users.push(user)
  }
  problems.sort((a, b) => a.line - b.line)
  return { roles, users, problems }
}

function recognise(head: string): boolean {
  if (/"ifResourceExists"\s*:/.test(head) || /"realmRoles"\s*:/.test(head)) return true
  return /"realm"\s*:\s*"/.test(head) && /"(users|roles|defaultRole|notBefore|sslRequired|enabled)"\s*:/.test(head)
}

export const keycloakFormat: HandoffFormat = {
  id: 'keycloak',
  label: 'Keycloak',
  destination:
    'Keycloak: Realm settings → Action → Partial import, or POST /admin/realms/{realm}/partialImport (turn on Unmanaged attributes first)',
  extension: 'json',
  mimeType: 'application/json',
  writer: partialImportWriter,
  refuseUser,
  refuseRole: (role) => refuseRole(role),
  recognise,
  read
}
