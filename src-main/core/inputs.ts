/**
 * What the core accepts: one zod schema per call input (`listUsersInput`, `inviteUsersInput`, …)
 * and the type it yields (`ListUsersInput`). The main process validates every message from the
 * renderer against these before a service sees it; the services are typed on the same types, so
 * the domain owns its shapes and the IPC contract only names the calls.
 *
 * Field rules the renderer also applies while the admin types come from rules.ts, so both sides
 * say the same thing.
 */
import { z } from 'zod'
import {
  ACTIVITY_COLLECTIONS,
  EXPIRED_INVITE_CHOICES,
  EXPORT_FORMATS,
  IMPORT_FORMATS,
  IMPORT_MAX_BYTES,
  KEYCLOAK_IF_EXISTS,
  LIMITS,
  MULTIPLE_ROLE_RULES,
  PASSWORD_POLICY_KINDS,
  THEMES,
  USER_SORT_FIELDS,
  USER_STATUSES
} from './model'
import { directusUrlProblem, inviteUrlTemplateProblem, ipEntryProblem, passwordPatternProblem, textProblem } from './rules'

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A zod check from a rule that answers with its problem (or null). */
const rule =
  (problem: (value: string) => string | null) =>
  (ctx: z.core.ParsePayload<string>): void => {
    const message = problem(ctx.value)
    if (message !== null) ctx.issues.push({ code: 'custom', input: ctx.value, message })
  }

/**
 * Every string a call takes: no NUL and no lone UTF-16 surrogate (rules.ts `textProblem`), so
 * such text is a validation error on its field instead of reaching SQLite or a validator.
 */
const text = () => z.string().check(rule(textProblem))

const id = z.uuid({ error: 'Not a valid id' })
const cursor = text().max(2000)
const limit = z.int().min(1).max(LIMITS.pageSize).default(100)
/** Free text a person types to search. */
const searchText = text().max(200)
const empty = z.strictObject({})

const optionalText = (max: number) => text().max(max).nullish()

// ---------------------------------------------------------------------------------------------
// Roles

export const roleFields = z.strictObject({
  name: text()
    .trim()
    .min(1, { error: 'A role needs a name' })
    .max(LIMITS.roleName, { error: `At most ${LIMITS.roleName} characters` }),
  icon: text()
    .regex(/^[a-z0-9_]{1,64}$/, { error: 'Not a Material Symbols icon name' })
    .optional(),
  description: optionalText(LIMITS.roleDescription),
  adminAccess: z.boolean().optional(),
  appAccess: z.boolean().optional(),
  ipAccess: z
    .array(text().trim().check(rule(ipEntryProblem)))
    .max(LIMITS.ipAccessEntries)
    .optional(),
  enforceTfa: z.boolean().optional()
})
export type RoleFields = z.output<typeof roleFields>

export const rolePatch = roleFields.partial()
export type RolePatch = z.output<typeof rolePatch>

// ---------------------------------------------------------------------------------------------
// Users

const tags = z.array(text().trim().min(1).max(LIMITS.tagLength)).max(LIMITS.tags, { error: `At most ${LIMITS.tags} tags` })

/** A user as the admin fills it in. The email's syntax is checked by the store's validator. */
export const userFields = z.strictObject({
  email: text()
    .trim()
    .min(1, { error: 'An email address is required' })
    .max(LIMITS.email, { error: `At most ${LIMITS.email} characters` }),
  firstName: optionalText(LIMITS.personName),
  lastName: optionalText(LIMITS.personName),
  password: text().max(LIMITS.password).nullish(),
  status: z.enum(USER_STATUSES).default('active'),
  title: optionalText(LIMITS.profileText),
  location: optionalText(LIMITS.profileText),
  description: optionalText(LIMITS.userDescription),
  tags: tags.optional()
})
/** A new user before it is written: what the Create user drawer sends, in a change set or alone. */
export type NewUserFields = z.output<typeof userFields>

export const userPatch = z.strictObject({
  email: userFields.shape.email.optional(),
  firstName: optionalText(LIMITS.personName),
  lastName: optionalText(LIMITS.personName),
  /** A new password; null removes it; absent leaves it as it is. */
  password: text().max(LIMITS.password).nullish(),
  status: z.enum(USER_STATUSES).optional(),
  roleId: id.nullish(),
  title: optionalText(LIMITS.profileText),
  location: optionalText(LIMITS.profileText),
  description: optionalText(LIMITS.userDescription),
  tags: tags.optional()
})
export type UserPatch = z.output<typeof userPatch>

/** Which users a list, count, bulk change or export is about. `roleId: null` means no role. */
export const userFilter = z.strictObject({
  search: searchText.optional(),
  roleId: id.nullable().optional(),
  /** Leave out members of this role (the Add existing drawer). */
  notInRoleId: id.optional(),
  status: z.array(z.enum(USER_STATUSES)).max(USER_STATUSES.length).optional()
})
export type UserFilter = z.output<typeof userFilter>

/** Explicitly chosen users, or every user matching a filter. */
export const userSelection = z.union([
  z.strictObject({ ids: z.array(id).min(1).max(LIMITS.bulkIds) }),
  z.strictObject({ filter: userFilter })
])
export type UserSelection = z.output<typeof userSelection>

// ---------------------------------------------------------------------------------------------
// Settings

export const passwordPolicyInput = z
  .strictObject({
    kind: z.enum(PASSWORD_POLICY_KINDS),
    pattern: text().max(500).nullable().default(null)
  })
  .check((ctx) => {
    if (ctx.value.kind !== 'custom') return
    const message = passwordPatternProblem(ctx.value.pattern)
    if (message !== null) ctx.issues.push({ code: 'custom', input: ctx.value.pattern, path: ['pattern'], message })
  })

export const inviteUrlTemplate = text().trim().max(2000).check(rule(inviteUrlTemplateProblem))

// ---------------------------------------------------------------------------------------------
// Export and import
//
// They touch files, so the renderer never names a path: the main process opens the save or open
// dialog and keeps a chosen import file under an id.

export const exportScope = z.discriminatedUnion('kind', [
  /** `roleId` null: the pending invites of Public (users without a role). */
  z.strictObject({ kind: z.literal('roleInvites'), roleId: id.nullable() }),
  z.strictObject({ kind: z.literal('allInvites') }),
  /** The users one invite call wrote (invited or re-invited), in the batch's order. */
  z.strictObject({ kind: z.literal('inviteBatch'), userIds: z.array(id).min(1).max(LIMITS.pasteEntries) }),
  /** The directory's selection or current filter: a user export. */
  z.strictObject({ kind: z.literal('users'), selection: userSelection })
])
/**
 * What an export holds:
 * - `roleInvites`: the pending invites of one role (`roleId` null: Public);
 * - `allInvites`: every pending invite;
 * - `inviteBatch`: the invites of one Invite dialog's result, in its order, leaving out users who
 *   are no longer invited (accepted, revoked or deleted since);
 * - `users`: the directory's selection or filter, in any status: a user export, with profile
 *   columns, whose invite link is filled for invited users only.
 */
export type ExportScope = z.output<typeof exportScope>

const exportChoices = z.strictObject({
  scope: exportScope,
  format: z.enum(EXPORT_FORMATS),
  /** CSV only: start with a UTF-8 byte order mark so Excel reads the file as UTF-8. */
  bom: z.boolean().default(true),
  /** LDIF only: the base DN the entries go under, e.g. `dc=example,dc=org`. */
  ldifBaseDn: z.string().trim().max(1000).optional(),
  /** Keycloak only: what the server does with users and roles it already has. */
  keycloakIfExists: z.enum(KEYCLOAK_IF_EXISTS).default('SKIP'),
  /** Leave out the users and roles the chosen target will refuse (the admin agreed to). */
  leaveOutRefused: z.boolean().default(false),
  /** Invite exports: what happens to expired invites (they never go out as if pending). */
  expiredInvites: z.enum(EXPIRED_INVITE_CHOICES).default('leave_out')
})

export const exportOptions = exportChoices
export type ExportOptions = z.output<typeof exportOptions>

export const importOptions = z.strictObject({
  /** What to do with rows whose address is already a user. */
  existing: z.enum(['skip', 'update']).default('skip'),
  /** The status of new users whose row has no status. */
  newUsersAs: z.enum(['invited', 'draft']).default('invited'),
  /** The file's format: recognised from its content, unless the admin says otherwise. */
  format: z.enum(['auto', ...IMPORT_FORMATS]).default('auto'),
  /**
   * A user with several roles in the source keeps one: the first listed, the first in
   * `roleOrder` (role names, most wanted first), or none — the user is skipped.
   */
  multipleRoles: z.enum(MULTIPLE_ROLE_RULES).default('first'),
  roleOrder: z.array(z.string().max(LIMITS.roleName)).max(1000).default([])
})
export type ImportOptions = z.output<typeof importOptions>

const fileText = z.string().max(IMPORT_MAX_BYTES, { error: 'The file is larger than 64 MB' })

/**
 * Files chosen in the main process's open dialog, or (browser host) the files' text itself: one
 * file, or several read together (a Directus export comes one collection per file).
 */
export const importFile = z.union([
  z.strictObject({ fileId: id }),
  z.strictObject({ text: fileText }),
  z.strictObject({
    files: z
      .array(z.strictObject({ name: z.string().max(255), text: fileText }))
      .min(1)
      .max(10)
      .refine((files) => files.reduce((sum, file) => sum + file.text.length, 0) <= IMPORT_MAX_BYTES, {
        error: 'The files are larger than 64 MB together'
      })
  })
])
export type ImportFile = z.output<typeof importFile>

// ---------------------------------------------------------------------------------------------
// One schema per call

export const getAppInfoInput = empty

export const listRolesInput = z.strictObject({ search: searchText.optional() })
export type ListRolesInput = z.output<typeof listRolesInput>
export const getRoleInput = z.strictObject({ id })
export type GetRoleInput = z.output<typeof getRoleInput>
export const createRoleInput = roleFields
export type CreateRoleInput = z.output<typeof createRoleInput>
export const updateRoleInput = z.strictObject({ id, patch: rolePatch })
export type UpdateRoleInput = z.output<typeof updateRoleInput>
/** Members move to `moveMembersTo`, or (null) become Public and suspended. */
export const deleteRoleInput = z.strictObject({ id, moveMembersTo: id.nullable() })
export type DeleteRoleInput = z.output<typeof deleteRoleInput>
/** Role fields, users to create, users to add and users to remove: one transaction. */
export const saveRoleChangesInput = z.strictObject({
  roleId: id,
  role: rolePatch.optional(),
  create: z.array(userFields).max(LIMITS.changeSetMembers).default([]),
  add: z.array(id).max(LIMITS.changeSetMembers).default([]),
  remove: z.array(id).max(LIMITS.changeSetMembers).default([])
})
export type SaveRoleChangesInput = z.output<typeof saveRoleChangesInput>

export const listUsersInput = z.strictObject({
  filter: userFilter.default({}),
  sort: z
    .strictObject({ field: z.enum(USER_SORT_FIELDS), direction: z.enum(['asc', 'desc']).default('asc') })
    .default({ field: 'name', direction: 'asc' }),
  after: cursor.optional(),
  limit
})
export type ListUsersInput = z.output<typeof listUsersInput>
export const countUsersInput = empty
export const getUserInput = z.strictObject({ id })
export type GetUserInput = z.output<typeof getUserInput>
export const createUserInput = userFields.extend({ roleId: id.nullish() })
export type CreateUserInput = z.output<typeof createUserInput>
export const updateUserInput = z.strictObject({ id, patch: userPatch })
export type UpdateUserInput = z.output<typeof updateUserInput>
export const bulkUpdateUsersInput = z.strictObject({
  selection: userSelection,
  patch: z.union([z.strictObject({ roleId: id.nullable() }), z.strictObject({ status: z.enum(USER_STATUSES) })])
})
export type BulkUpdateUsersInput = z.output<typeof bulkUpdateUsersInput>
export const deleteUsersInput = z.strictObject({ selection: userSelection })
export type DeleteUsersInput = z.output<typeof deleteUsersInput>

/** Parse a paste without writing anything: the Invite dialog's live counts. */
export const previewInvitesInput = z.strictObject({ text: z.string().max(LIMITS.pasteCharacters) })
export type PreviewInvitesInput = z.output<typeof previewInvitesInput>
/**
 * With `operationId` (made by the renderer, for large pastes) the invite reports progress
 * tagged with it and `cancelOperation` stops it: then nobody is invited and it answers `cancelled`.
 */
export const inviteUsersInput = z.strictObject({
  text: z.string().max(LIMITS.pasteCharacters),
  roleId: id.nullable(),
  operationId: id.optional()
})
export type InviteUsersInput = z.output<typeof inviteUsersInput>
export const resendInviteInput = z.strictObject({ userId: id })
export type ResendInviteInput = z.output<typeof resendInviteInput>
export const revokeInviteInput = z.strictObject({ userId: id })
export type RevokeInviteInput = z.output<typeof revokeInviteInput>
export const getInviteLinkInput = z.strictObject({ userId: id })
export type GetInviteLinkInput = z.output<typeof getInviteLinkInput>
/** Pending invites (status `invited`), export-ready; `roleId` null: Public; absent: all. */
export const listInvitesInput = z.strictObject({ roleId: id.nullable().optional(), after: cursor.optional(), limit })
export type ListInvitesInput = z.output<typeof listInvitesInput>
/** Accept with a bare token or a whole invite link. */
export const acceptInviteInput = z.strictObject({
  token: text().trim().min(1).max(4000),
  password: text().max(LIMITS.password),
  firstName: optionalText(LIMITS.personName),
  lastName: optionalText(LIMITS.personName)
})
export type AcceptInviteInput = z.output<typeof acceptInviteInput>

export const getSettingsInput = empty
export const updateSettingsInput = z.strictObject({
  inviteUrlTemplate: inviteUrlTemplate.nullable().optional(),
  inviteLifetimeDays: z.int().min(1).max(365).optional(),
  passwordPolicy: passwordPolicyInput.optional(),
  theme: z.enum(THEMES).optional()
})
export type UpdateSettingsInput = z.output<typeof updateSettingsInput>
/** Where invite tokens come from: the issuer and key id a verifying server checks. */
export const getInviteVerificationInput = empty
/**
 * Save the public key invite tokens are checked with, as a JWKS file, through the save dialog
 * (the browser host: as a download). A dismissed dialog answers `cancelled`.
 */
export const exportVerificationKeyInput = empty

export const getDirectusTargetInput = empty
/** The Directus server's public URL and SECRET; without `secret` the stored one is kept. */
export const saveDirectusTargetInput = z.strictObject({
  publicUrl: z.string().max(2000).check(rule(directusUrlProblem)),
  secret: z.string().min(1, { error: 'Enter the SECRET' }).max(1000).optional()
})
export type SaveDirectusTargetInput = z.output<typeof saveDirectusTargetInput>
export const clearDirectusTargetInput = empty

/** Check a password against the policy as the admin types (nothing is stored). */
export const checkPasswordInput = z.strictObject({ password: text().max(LIMITS.password) })
export type CheckPasswordInput = z.output<typeof checkPasswordInput>

/**
 * Export through the save dialog; `exportId` (made by the renderer) is its operation id: it
 * tags the progress events and lets `cancelOperation` stop it: the temporary file is removed,
 * the chosen file left as it was, and the call answers `cancelled`. A dismissed dialog answers
 * `cancelled` too.
 */
export const exportInvitesInput = exportChoices.extend({ exportId: id })
export type ExportInvitesInput = z.output<typeof exportInvitesInput>
/**
 * Stop a running export, import or invite by its operation id; an import or invite is rolled
 * back whole. `cancelled: false` when nothing with this id is running (any more). Never queued
 * behind the operation it stops.
 */
/** What an export would hold and what its target would refuse; nothing is written. */
export const previewExportInput = exportOptions
export type PreviewExportInput = z.output<typeof previewExportInput>
export const cancelOperationInput = z.strictObject({ operationId: id })
export type CancelOperationInput = z.output<typeof cancelOperationInput>
/**
 * Without `file` the main process opens the open dialog first; the preview's `fileId` names the
 * same file again. With `operationId` it reports progress tagged with it and `cancelOperation`
 * stops it. Nothing is written.
 */
export const previewImportInput = importOptions.extend({ file: importFile.optional(), operationId: id.optional() })
export type PreviewImportInput = z.output<typeof previewImportInput>
/**
 * Re-reads the same file, recomputes the preview and writes it in one transaction. With
 * `operationId` it reports progress tagged with it and `cancelOperation` stops it: then
 * nothing is written and it answers `cancelled`.
 */
export const applyImportInput = importOptions.extend({ file: importFile, operationId: id.optional() })
export type ApplyImportInput = z.output<typeof applyImportInput>

/** A copy made with SQLite's backup API, saved through the save dialog. */
/** With `operationId` the backup reports progress tagged with it, and `cancelOperation` stops it. */
export const backupDatabaseInput = z.strictObject({ operationId: id.optional() })
/**
 * Switch to another database file chosen in the open dialog, after checking it: a damaged or
 * read-only file, one from a newer version or another application's is refused with `database`
 * and the current database stays in use. With `operationId` the check of the file reports
 * progress tagged with it and `cancelOperation` stops it (answering `cancelled`, the current
 * database still in use). `requested`: open the file the desktop was asked to open (File → Open
 * Recent, a file given on the command line or to a second launch) instead of asking in the
 * open dialog; the page never names it.
 */
export const openDatabaseInput = z.strictObject({ operationId: id.optional(), requested: z.boolean().default(false) })
export type OpenDatabaseInput = z.output<typeof openDatabaseInput>
/**
 * Show a file this run of the app saved (an export or a backup) in the system's file manager,
 * by the `savedFileId` its outcome carried: never a path of the page's choosing.
 */
export const showSavedFileInput = z.strictObject({ savedFileId: id })
export type ShowSavedFileInput = z.output<typeof showSavedFileInput>

export const listActivityInput = z.strictObject({
  collection: z.enum(ACTIVITY_COLLECTIONS).optional(),
  action: text().max(100).optional(),
  recordId: text().max(100).optional(),
  after: cursor.optional(),
  limit
})
export type ListActivityInput = z.output<typeof listActivityInput>
