/**
 * Raw statements on the hot paths (bulk invites, change sets, exports, imports) skip kysely's
 * per-row cost, but must not lose its typing. A select list is built here from column names the
 * table types check, and the row type is `Pick`ed from the same names, so renaming a column in
 * schema.ts breaks the build at every statement that reads it instead of returning undefined.
 */
import type { Selectable } from 'kysely'
import type { Database } from './schema'

type Table = keyof Database

export interface ColumnList<T extends Table, K extends keyof Database[T] & string> {
  /** `users.id, users.email, …`, qualified by the table so it can be joined. */
  readonly sql: string
  readonly names: readonly K[]
  /** Never set: carries the row type (`RowOf<typeof list>`). */
  readonly row?: Pick<Selectable<Database[T]>, K & keyof Selectable<Database[T]>>
}

/** A select list of `table`'s columns, checked against the table's type. */
export function columns<T extends Table, const K extends keyof Database[T] & string>(table: T, names: readonly K[]): ColumnList<T, K> {
  return { sql: names.map((name) => `${table}.${name}`).join(', '), names }
}

/** The row a select list reads. */
export type RowOf<L> = L extends { readonly row?: infer R } ? NonNullable<R> : never
