/**
 * The hand-off formats by id: what the export writes with and the import reads with. Each is a
 * module of its own (both directions); this list is where the rest of the core finds them, and
 * the check below keeps each module's words the same as the Export dialog's.
 */
import type { ExportFormat } from '../model'
import type { HandoffFormat } from './handoff'
import { directusFormat } from './directus'
import { keycloakFormat } from './keycloak'
import { ldifFormat } from './ldif'
import { scimFormat } from './scim'

const HANDOFF_FORMATS: Partial<Record<ExportFormat, HandoffFormat>> = {
  directus: directusFormat,
  scim: scimFormat,
  keycloak: keycloakFormat,
  ldif: ldifFormat
}

/** The hand-off format of this id; null for Rolekeeper's own lists (CSV, JSON). */
export function handoffFormat(format: ExportFormat): HandoffFormat | null {
  return HANDOFF_FORMATS[format] ?? null
}

/** Every hand-off format, for recognising an import file. */
export const handoffFormats = (): HandoffFormat[] => Object.values(HANDOFF_FORMATS)
