/**
 * JSON text spelled out by some writers of the JSON formats, one value at a time, where that
 * measured faster than building an object for `JSON.stringify` (a Keycloak user, a row of the
 * JSON list) or holds less (SCIM's group members); where it measured slower (a SCIM user
 * operation, a Directus item, both JSON.stringify's fast case of flat objects) the writers keep
 * the object. json-text.test.ts holds each spelled-out text to `JSON.stringify` of its object.
 * Strings are still escaped by `JSON.stringify`, so escaping and lone surrogates stay the engine's.
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
