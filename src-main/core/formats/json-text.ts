/**
 * JSON text spelled out by the writers of the JSON formats, one value at a time, where that
 * measured faster than building an object for `JSON.stringify` (a SCIM user operation, a
 * Keycloak user, a row of the JSON list) or holds less (SCIM's group members); where it measured
 * no faster (a Directus item, JSON.stringify's fast case of a flat object) the writer keeps the
 * object. json-text.test.ts holds each spelled-out text to `JSON.stringify` of its object.
 */

/** Text JSON writes as it is, between quotes: no quote, backslash, control or surrogate in it. */
// eslint-disable-next-line no-control-regex -- the controls are what the test looks for
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/

/**
 * A string as a JSON string literal. Most of an export's strings (ids, addresses, tokens, times)
 * need no escape, and quoting those directly is faster than `JSON.stringify`; anything else, a
 * surrogate pair included, is left to the engine, so escaping and lone surrogates stay its own.
 */
export const jsonString = (value: string): string => (PLAIN.test(value) ? `"${value}"` : JSON.stringify(value))

/** A string or null as JSON. */
export const jsonStringOrNull = (value: string | null): string => (value === null ? 'null' : jsonString(value))

/** A list of strings as a JSON array. */
export const jsonStrings = (values: readonly string[]): string => JSON.stringify(values)

/** `,"key":value` for a string that is there, nothing for one that is not (JSON leaves undefined members out). */
export const jsonMember = (key: string, value: string | null | undefined): string =>
  value === null || value === undefined ? '' : `,"${key}":${jsonString(value)}`
