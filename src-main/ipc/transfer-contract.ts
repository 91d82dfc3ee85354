/**
 * The calls for invite lists (export) and CSV import, declared like those in contract.ts, to be
 * merged into `contract`. Export and import touch files, so the renderer never names a path:
 * the main process opens the save or open dialog and keeps a chosen import file under an id.
 */
import { z } from 'zod'
import {
  EXPORT_FORMATS,
  IMPORT_MAX_BYTES,
  type ExportOptions,
  type ExportOutcome,
  type ImportFilePreview,
  type ImportOptions,
  type ImportResult
} from '../core/transfer-model'
import { call, userSelectionSchema } from './contract'

const id = z.uuid({ error: 'Not a valid id' })

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

export const transferCalls = {
  /**
   * Export through the save dialog; `exportId` tags the progress events and lets
   * `cancelExport` stop it (the temporary file is removed, the chosen file left as it was).
   */
  exportInvites: call<ExportOutcome>()(exportOptionsSchema.extend({ exportId: id })),
  cancelExport: call<{ cancelled: boolean }>()(z.strictObject({ exportId: id })),
  /** Without `file` the main process opens the open dialog first. Nothing is written. */
  previewImport: call<ImportFilePreview>()(importOptionsSchema.extend({ file: importFileSchema.optional() })),
  /** Re-reads the same file, recomputes the preview and writes it in one transaction. */
  applyImport: call<ImportResult>()(importOptionsSchema.extend({ file: importFileSchema }))
}
