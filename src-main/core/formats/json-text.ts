/**
 * JSON text spelled out by the writers of the JSON formats, one value at a time. Building an
 * object per user only to hand it to `JSON.stringify` made most of a 100,000-user export's time
 * and garbage; a writer that joins literal keys with these values writes the same bytes (each
 * format's test holds it to the object it stands for) with one string per value. Strings are
 * still escaped by `JSON.stringify`, so escaping and lone surrogates stay the engine's.
 */

/** A string as a JSON string literal. */
export const jsonString = (value: string): string => JSON.stringify(value)

/** A string or null as JSON. */
export const jsonStringOrNull = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value))

/** A list of strings as a JSON array. */
export const jsonStrings = (values: readonly string[]): string => JSON.stringify(values)

/** `,"key":value` for a string that is there, nothing for one that is not (JSON leaves undefined members out). */
export const jsonMember = (key: string, value: string | null | undefined): string =>
  value === null || value === undefined ? '' : `,"${key}":${JSON.stringify(value)}`
