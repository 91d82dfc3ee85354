/**
 * The one contract between the renderer and the main process: it names every call, with the
 * core's schema its input is validated against and the core's type of its result. The handler
 * map, the Electron registration, the preload object, the browser host and the renderer's `api`
 * type are all derived from `contract`: a new call or a renamed field is a compile error
 * everywhere it matters. The shapes themselves belong to the core (inputs.ts, model.ts).
 *
 * The renderer imports this file for types only.
 */
import type { z } from 'zod'
import type { Result } from '../core/errors'
import * as input from '../core/inputs'
import type {
  ActivityPage,
  AppInfo,
  BackupOutcome,
  DirectusTargetInfo,
  ExportOutcome,
  ExportPreview,
  ImportFilePreview,
  ImportResult,
  InviteBatch,
  InviteLink,
  InviteListPage,
  InviteVerification,
  OpenDatabaseOutcome,
  PastePreview,
  RoleChangeSetResult,
  RoleDetail,
  RolesOverview,
  Settings,
  User,
  UserCounts,
  UserPage,
  VerificationKeyOutcome
} from '../core/model'

// The vocabulary, for the renderer's types: one road to it.
export type * from '../core/model'
export type * from '../core/inputs'
export type { ApiError, ErrorCode, Result } from '../core/errors'
export type { MenuCommand, RolekeeperShellApi } from './calls'

/** A call: its input schema, and its result type carried as a phantom. */
export interface Call<I extends z.ZodType, O> {
  input: I
  readonly __output?: O
}
export const call =
  <O>() =>
  <I extends z.ZodType>(schema: I): Call<I, O> => ({ input: schema })

export const contract = {
  getAppInfo: call<AppInfo>()(input.getAppInfoInput),

  listRoles: call<RolesOverview>()(input.listRolesInput),
  getRole: call<RoleDetail>()(input.getRoleInput),
  createRole: call<RoleDetail>()(input.createRoleInput),
  updateRole: call<RoleDetail>()(input.updateRoleInput),
  deleteRole: call<{ affected: number }>()(input.deleteRoleInput),
  saveRoleChanges: call<RoleChangeSetResult>()(input.saveRoleChangesInput),

  listUsers: call<UserPage>()(input.listUsersInput),
  countUsers: call<UserCounts>()(input.countUsersInput),
  getUser: call<User>()(input.getUserInput),
  createUser: call<User>()(input.createUserInput),
  updateUser: call<User>()(input.updateUserInput),
  bulkUpdateUsers: call<{ updated: number }>()(input.bulkUpdateUsersInput),
  deleteUsers: call<{ deleted: number }>()(input.deleteUsersInput),

  previewInvites: call<PastePreview>()(input.previewInvitesInput),
  inviteUsers: call<InviteBatch>()(input.inviteUsersInput),
  resendInvite: call<InviteLink>()(input.resendInviteInput),
  revokeInvite: call<User>()(input.revokeInviteInput),
  getInviteLink: call<InviteLink>()(input.getInviteLinkInput),
  listInvites: call<InviteListPage>()(input.listInvitesInput),
  acceptInvite: call<{ accepted: true }>()(input.acceptInviteInput),
  getInviteVerification: call<InviteVerification>()(input.getInviteVerificationInput),
  exportVerificationKey: call<VerificationKeyOutcome>()(input.exportVerificationKeyInput),

  getSettings: call<Settings>()(input.getSettingsInput),
  updateSettings: call<Settings>()(input.updateSettingsInput),
  checkPassword: call<{ ok: boolean; message: string | null }>()(input.checkPasswordInput),
  getDirectusTarget: call<DirectusTargetInfo>()(input.getDirectusTargetInput),
  saveDirectusTarget: call<DirectusTargetInfo>()(input.saveDirectusTargetInput),
  clearDirectusTarget: call<DirectusTargetInfo>()(input.clearDirectusTargetInput),

  previewExport: call<ExportPreview>()(input.previewExportInput),
  exportInvites: call<ExportOutcome>()(input.exportInvitesInput),
  cancelOperation: call<{ cancelled: boolean }>()(input.cancelOperationInput),
  previewImport: call<ImportFilePreview>()(input.previewImportInput),
  applyImport: call<ImportResult>()(input.applyImportInput),

  backupDatabase: call<BackupOutcome>()(input.backupDatabaseInput),
  openDatabase: call<OpenDatabaseOutcome>()(input.openDatabaseInput),
  showSavedFile: call<{ shown: true }>()(input.showSavedFileInput),

  listActivity: call<ActivityPage>()(input.listActivityInput)
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
