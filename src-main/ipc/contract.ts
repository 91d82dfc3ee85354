/**
 * The one contract between the renderer and the main process. Every call is declared here once,
 * with the schema its input is validated against in the main process and the type of its result.
 * The handler map, the Electron registration, the preload object, the browser host and the
 * renderer's `api` type are all derived from `contract`: a new call or a renamed field is a
 * compile error everywhere it matters.
 *
 * The renderer imports this file for types only.
 */
import { z } from 'zod'
import {
  ACTIVITY_COLLECTIONS,
  LIMITS,
  PASSWORD_POLICY_KINDS,
  THEMES,
  USER_SORT_FIELDS,
  USER_STATUSES,
  type ActivityPage,
  type AppInfo,
  type InviteBatch,
  type InviteLink,
  type InviteListPage,
  type PastePreview,
  type RoleChangeSetResult,
  type RoleDetail,
  type RolesOverview,
  type Settings,
  type User,
  type UserCounts,
  type UserPage
} from '../core/model'
import {
  EXPORT_FORMATS,
  IMPORT_MAX_BYTES,
  type BackupOutcome,
  type ExportOptions,
  type ExportOutcome,
  type ImportFilePreview,
  type ImportOptions,
  type ImportResult,
  type OpenDatabaseOutcome
} from '../core/transfer-model'

export * from '../core/model'
export * from '../core/transfer-model'

// ---------------------------------------------------------------------------------------------
// Errors and results

export const ERROR_CODES = [
  /** The input does not match the schema or a field rule; `fields` says which. */
  'validation',
  /** A record named in the input does not exist. */
  'not_found',
  /** A uniqueness rule: an email or role name already taken (also inside one batch). */
  'conflict',
  /** The operation would leave no active administrator. */
  'last_admin',
  /** A password does not satisfy the password policy. */
  'password_policy',
  /** Accepting an invite failed; deliberately says nothing more. */
  'invite_invalid',
  /** An explicit limit (entries in a paste, rows in a batch, string sizes) was exceeded. */
  'limit_exceeded',
  /** The database file cannot be used (damaged, newer version, not a Rolekeeper database). */
  'database',
  /** The operation was cancelled by the user. */
  'cancelled',
  /** Anything unexpected; details are logged in the main process, never sent. */
  'internal'
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ApiError {
  code: ErrorCode
  message: string
  /** Field paths (`email`, `create.2.email`, `role.ipAccess.1`) to what is wrong with each. */
  fields?: Record<string, string>
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A call: its input schema, and its result type carried as a phantom. */
export interface Call<I extends z.ZodType, O> {
  input: I
  readonly __output?: O
}
export const call =
  <O>() =>
  <I extends z.ZodType>(input: I): Call<I, O> => ({ input })

const id = z.uuid({ error: 'Not a valid id' })
const cursor = z.string().max(2000)
const limit = z.int().min(1).max(LIMITS.pageSize).default(100)
const empty = z.strictObject({})

const optionalText = (max: number) => z.string().max(max).nullish()

const ipOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
  error: 'Not an IPv4/IPv6 address or CIDR range'
})

export const roleFieldsSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, { error: 'A role needs a name' })
    .max(LIMITS.roleName, { error: `At most ${LIMITS.roleName} characters` }),
  icon: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/, { error: 'Not a Material Symbols icon name' })
    .optional(),
  description: optionalText(LIMITS.roleDescription),
  adminAccess: z.boolean().optional(),
  appAccess: z.boolean().optional(),
  ipAccess: z.array(z.string().trim().pipe(ipOrCidr)).max(LIMITS.ipAccessEntries).optional(),
  enforceTfa: z.boolean().optional()
})
export const rolePatchSchema = roleFieldsSchema.partial()

const tags = z.array(z.string().trim().min(1).max(LIMITS.tagLength)).max(LIMITS.tags, { error: `At most ${LIMITS.tags} tags` })

/** A user as the admin fills it in. The email's syntax is checked by the store's validator. */
export const userFieldsSchema = z.strictObject({
  email: z
    .string()
    .trim()
    .min(1, { error: 'An email address is required' })
    .max(LIMITS.email, { error: `At most ${LIMITS.email} characters` }),
  firstName: optionalText(LIMITS.personName),
  lastName: optionalText(LIMITS.personName),
  password: z.string().max(LIMITS.password).nullish(),
  status: z.enum(USER_STATUSES).default('active'),
  title: optionalText(LIMITS.profileText),
  location: optionalText(LIMITS.profileText),
  description: optionalText(LIMITS.userDescription),
  tags: tags.optional()
})

export const newUserSchema = userFieldsSchema.extend({ roleId: id.nullish() })

export const userPatchSchema = z.strictObject({
  email: userFieldsSchema.shape.email.optional(),
  firstName: optionalText(LIMITS.personName),
  lastName: optionalText(LIMITS.personName),
  /** A new password; null removes it; absent leaves it as it is. */
  password: z.string().max(LIMITS.password).nullish(),
  status: z.enum(USER_STATUSES).optional(),
  roleId: id.nullish(),
  title: optionalText(LIMITS.profileText),
  location: optionalText(LIMITS.profileText),
  description: optionalText(LIMITS.userDescription),
  tags: tags.optional()
})

/** Which users a list, count, bulk change or export is about. `roleId: null` means no role. */
export const userFilterSchema = z.strictObject({
  search: z.string().max(200).optional(),
  roleId: id.nullable().optional(),
  /** Leave out members of this role (the Add existing drawer). */
  notInRoleId: id.optional(),
  status: z.array(z.enum(USER_STATUSES)).max(USER_STATUSES.length).optional()
})

export const userSelectionSchema = z.union([
  z.strictObject({ ids: z.array(id).min(1).max(LIMITS.bulkIds) }),
  z.strictObject({ filter: userFilterSchema })
])

const passwordPolicySchema = z
  .strictObject({
    kind: z.enum(PASSWORD_POLICY_KINDS),
    pattern: z.string().max(500).nullable().default(null)
  })
  .check((ctx) => {
    const { kind, pattern } = ctx.value
    if (kind !== 'custom') return
    if (!pattern) {
      ctx.issues.push({ code: 'custom', input: pattern, path: ['pattern'], message: 'A custom policy needs a pattern' })
      return
    }
    try {
      new RegExp(pattern, 'u')
    } catch {
      ctx.issues.push({ code: 'custom', input: pattern, path: ['pattern'], message: 'Not a valid regular expression' })
    }
  })

export const inviteUrlTemplateSchema = z
  .string()
  .trim()
  .max(2000)
  .check((ctx) => {
    const template = ctx.value
    if (!template.includes('{token}')) {
      ctx.issues.push({ code: 'custom', input: template, message: 'The template must contain {token}' })
      return
    }
    let url: URL
    try {
      url = new URL(template.replaceAll('{token}', 'TOKEN').replaceAll('{email}', 'EMAIL'))
    } catch {
      ctx.issues.push({ code: 'custom', input: template, message: 'Not a valid URL' })
      return
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.issues.push({ code: 'custom', input: template, message: 'Only http and https links are allowed' })
    }
  })

// Export and import touch files, so the renderer never names a path: the main process opens the
// save or open dialog and keeps a chosen import file under an id.

export const exportScopeSchema = z.discriminatedUnion('kind', [
  /** `roleId` null: the pending invites of Public (users without a role). */
  z.strictObject({ kind: z.literal('roleInvites'), roleId: id.nullable() }),
  z.strictObject({ kind: z.literal('allInvites') }),
  /** The directory's selection or current filter: a user export. */
  z.strictObject({ kind: z.literal('users'), selection: userSelectionSchema })
])

export const exportOptionsSchema = z.strictObject({
  scope: exportScopeSchema,
  format: z.enum(EXPORT_FORMATS),
  bom: z.boolean().default(true)
}) satisfies z.ZodType<ExportOptions>

export const importOptionsSchema = z.strictObject({
  existing: z.enum(['skip', 'update']).default('skip'),
  newUsersAs: z.enum(['invited', 'draft']).default('invited')
}) satisfies z.ZodType<ImportOptions>

/** A file chosen in the main process's open dialog, or (browser host) the file's text itself. */
export const importFileSchema = z.union([
  z.strictObject({ fileId: id }),
  z.strictObject({ text: z.string().max(IMPORT_MAX_BYTES, { error: 'The file is larger than 64 MB' }) })
])

// ---------------------------------------------------------------------------------------------
// The calls

export const contract = {
  // App
  getAppInfo: call<AppInfo>()(empty),

  // Roles
  listRoles: call<RolesOverview>()(z.strictObject({ search: z.string().max(200).optional() })),
  getRole: call<RoleDetail>()(z.strictObject({ id })),
  createRole: call<RoleDetail>()(roleFieldsSchema),
  updateRole: call<RoleDetail>()(z.strictObject({ id, patch: rolePatchSchema })),
  /** Members move to `moveMembersTo`, or (null) become Public and suspended. */
  deleteRole: call<{ affected: number }>()(z.strictObject({ id, moveMembersTo: id.nullable() })),
  /** Role fields, users to create, users to add and users to remove: one transaction. */
  saveRoleChanges: call<RoleChangeSetResult>()(
    z.strictObject({
      roleId: id,
      role: rolePatchSchema.optional(),
      create: z.array(userFieldsSchema).max(LIMITS.changeSetMembers).default([]),
      add: z.array(id).max(LIMITS.changeSetMembers).default([]),
      remove: z.array(id).max(LIMITS.changeSetMembers).default([])
    })
  ),

  // Users
  listUsers: call<UserPage>()(
    z.strictObject({
      filter: userFilterSchema.default({}),
      sort: z
        .strictObject({ field: z.enum(USER_SORT_FIELDS), direction: z.enum(['asc', 'desc']).default('asc') })
        .default({ field: 'name', direction: 'asc' }),
      after: cursor.optional(),
      limit
    })
  ),
  countUsers: call<UserCounts>()(empty),
  getUser: call<User>()(z.strictObject({ id })),
  createUser: call<User>()(newUserSchema),
  updateUser: call<User>()(z.strictObject({ id, patch: userPatchSchema })),
  bulkUpdateUsers: call<{ updated: number }>()(
    z.strictObject({
      selection: userSelectionSchema,
      patch: z.union([z.strictObject({ roleId: id.nullable() }), z.strictObject({ status: z.enum(USER_STATUSES) })])
    })
  ),
  deleteUsers: call<{ deleted: number }>()(z.strictObject({ selection: userSelectionSchema })),

  // Invites
  /** Parse a paste without writing anything: the Invite dialog's live counts. */
  previewInvites: call<PastePreview>()(z.strictObject({ text: z.string().max(LIMITS.pasteCharacters) })),
  /**
   * With `operationId` (made by the renderer, for large pastes) the invite reports progress
   * tagged with it and `cancelOperation` stops it: then nobody is invited and it answers `cancelled`.
   */
  inviteUsers: call<InviteBatch>()(
    z.strictObject({ text: z.string().max(LIMITS.pasteCharacters), roleId: id.nullable(), operationId: id.optional() })
  ),
  resendInvite: call<InviteLink>()(z.strictObject({ userId: id })),
  revokeInvite: call<User>()(z.strictObject({ userId: id })),
  getInviteLink: call<InviteLink>()(z.strictObject({ userId: id })),
  /** Pending invites (status `invited`), export-ready; `roleId` null: Public; absent: all. */
  listInvites: call<InviteListPage>()(z.strictObject({ roleId: id.nullable().optional(), after: cursor.optional(), limit })),
  /** Accept with a bare token or a whole invite link. */
  acceptInvite: call<{ accepted: true }>()(
    z.strictObject({
      token: z.string().trim().min(1).max(4000),
      password: z.string().max(LIMITS.password),
      firstName: optionalText(LIMITS.personName),
      lastName: optionalText(LIMITS.personName)
    })
  ),

  // Settings
  getSettings: call<Settings>()(empty),
  updateSettings: call<Settings>()(
    z.strictObject({
      inviteUrlTemplate: inviteUrlTemplateSchema.nullable().optional(),
      inviteLifetimeDays: z.int().min(1).max(365).optional(),
      passwordPolicy: passwordPolicySchema.optional(),
      theme: z.enum(THEMES).optional()
    })
  ),
  /** Check a password against the policy as the admin types (nothing is stored). */
  checkPassword: call<{ ok: boolean; message: string | null }>()(z.strictObject({ password: z.string().max(LIMITS.password) })),

  // Invite lists out and in
  /**
   * Export through the save dialog; `exportId` (made by the renderer) is its operation id: it
   * tags the progress events and lets `cancelOperation` stop it: the temporary file is removed,
   * the chosen file left as it was, and the call answers `cancelled`. A dismissed dialog answers
   * `{ saved: false }`.
   */
  exportInvites: call<ExportOutcome>()(exportOptionsSchema.extend({ exportId: id })),
  /**
   * Stop a running export, import or invite by its operation id; an import or invite is rolled
   * back whole. `cancelled: false` when nothing with this id is running (any more). Never queued
   * behind the operation it stops.
   */
  cancelOperation: call<{ cancelled: boolean }>()(z.strictObject({ operationId: id })),
  /**
   * Without `file` the main process opens the open dialog first (`{ chosen: false }` when it is
   * dismissed); the preview's `fileId` names the same file again. Nothing is written.
   */
  previewImport: call<ImportFilePreview>()(importOptionsSchema.extend({ file: importFileSchema.optional() })),
  /**
   * Re-reads the same file, recomputes the preview and writes it in one transaction. With
   * `operationId` it reports progress tagged with it and `cancelOperation` stops it: then
   * nothing is written and it answers `cancelled`.
   */
  applyImport: call<ImportResult>()(importOptionsSchema.extend({ file: importFileSchema, operationId: id.optional() })),

  // The database file
  /** A copy made with SQLite's backup API, saved through the save dialog. */
  backupDatabase: call<BackupOutcome>()(empty),
  /**
   * Switch to another database file chosen in the open dialog, after checking it: a damaged
   * file, one from a newer version or another application's is refused with `database` and
   * the current database stays in use.
   */
  openDatabase: call<OpenDatabaseOutcome>()(empty),

  // Activity
  listActivity: call<ActivityPage>()(
    z.strictObject({
      collection: z.enum(ACTIVITY_COLLECTIONS).optional(),
      action: z.string().max(100).optional(),
      recordId: z.string().max(100).optional(),
      after: cursor.optional(),
      limit
    })
  )
}

// ---------------------------------------------------------------------------------------------
// Types derived from the contract

export type Contract = typeof contract
export type CallName = keyof Contract

/** What a caller sends (defaults may be left out). */
export type CallInput<K extends CallName> = z.input<Contract[K]['input']>
/** What a handler receives, after validation and defaults. */
export type ParsedInput<K extends CallName> = z.output<Contract[K]['input']>
export type CallOutput<K extends CallName> = Contract[K] extends Call<z.ZodType, infer O> ? O : never

/** The API the renderer sees as `window.rolekeeper`: one named function per call. */
export type RolekeeperApi = {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends X` asks "is every field of X optional?"
  [K in CallName]: {} extends CallInput<K>
    ? (input?: CallInput<K>) => Promise<Result<CallOutput<K>>>
    : (input: CallInput<K>) => Promise<Result<CallOutput<K>>>
}

// The names and channels live in a module light enough for the sandboxed preload to bundle;
// it is checked against `contract` at compile time.
export { CALL_NAMES, channelOf } from './calls'
