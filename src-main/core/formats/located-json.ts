/**
 * JSON that remembers where each object and array began. Hand-off readers must give every entry
 * its 1-based line and turn a broken file into one problem rather than a failed import, and
 * `JSON.parse` does neither: it knows no positions and throws away everything on the first
 * syntax error. This parser builds the same values as `JSON.parse`, records the line each
 * container starts on, attaches containers to their parent as soon as they open (so the entries
 * read before a syntax error survive, marked incomplete where they were cut), and accepts several
 * top-level values one after another, so files joined end to end read as one.
 */
import type { SourceProblem } from './handoff'

export interface LocatedJson {
  /** The top-level values, in order (several when files were joined). */
  values: unknown[]
  /** The syntax error that ended reading, or null; everything before it is in `values`. */
  problem: SourceProblem | null
  /** The line an object or array from `values` starts on (1-based); 0 for anything else. */
  lineOf(value: unknown): number
  /** False for a container that a syntax error cut short. */
  isComplete(value: unknown): boolean
}

class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string
  ) {
    super(message)
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

export function parseLocatedJson(text: string): LocatedJson {
  const lines = new WeakMap<object, number>()
  const incomplete = new WeakSet<object>()
  const values: unknown[] = []
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1

  const fail = (message: string): never => {
    throw new JsonSyntaxError(line, message)
  }

  const skipSpace = (): void => {
    for (;;) {
      const code = text.charCodeAt(at)
      if (code === 0x0a) line++
      else if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return
      at++
    }
  }

  const readString = (): string => {
    const start = at
    let escaped = false
    for (at++; at < text.length; at++) {
      const code = text.charCodeAt(at)
      if (code === 0x22) {
        at++
        return escaped ? (JSON.parse(text.slice(start, at)) as string) : text.slice(start + 1, at - 1)
      }
      if (code === 0x5c) {
        escaped = true
        at++
      } else if (code < 0x20) fail('A line break or control character inside a string')
    }
    return fail('A string that never ends')
  }

  const readLiteral = (word: string, value: boolean | null): boolean | null => {
    if (!text.startsWith(word, at)) fail(`Unexpected "${text.slice(at, at + 12)}"`)
    at += word.length
    return value
  }

  // Containers are attached by the caller before they are filled, so a cut leaves what was read.
  const readValue = (attach: (value: unknown) => void): void => {
    skipSpace()
    const code = text.charCodeAt(at)
    if (code === 0x7b) {
      const object: Record<string, unknown> = {}
      lines.set(object, line)
      incomplete.add(object)
      attach(object)
      at++
      skipSpace()
      if (text.charCodeAt(at) === 0x7d) at++
      else {
        for (;;) {
          skipSpace()
          if (text.charCodeAt(at) !== 0x22) fail('Expected a quoted member name')
          const key = readString()
          skipSpace()
          if (text.charCodeAt(at) !== 0x3a) fail(`Expected ":" after "${key}"`)
          at++
          readValue((member) => {
            // A plain assignment to "__proto__" would change the object's prototype.
            if (key === '__proto__')
              Object.defineProperty(object, key, { value: member, enumerable: true, writable: true, configurable: true })
            else object[key] = member
          })
          skipSpace()
          const next = text.charCodeAt(at++)
          if (next === 0x7d) break
          if (next !== 0x2c) fail('Expected "," or "}"')
        }
      }
      incomplete.delete(object)
    } else if (code === 0x5b) {
      const array: unknown[] = []
      lines.set(array, line)
      incomplete.add(array)
      attach(array)
      at++
      skipSpace()
      if (text.charCodeAt(at) === 0x5d) at++
      else {
        for (;;) {
          readValue((element) => array.push(element))
          skipSpace()
          const next = text.charCodeAt(at++)
          if (next === 0x5d) break
          if (next !== 0x2c) fail('Expected "," or "]"')
        }
      }
      incomplete.delete(array)
    } else if (code === 0x22) attach(readString())
    else if (code === 0x74) attach(readLiteral('true', true))
    else if (code === 0x66) attach(readLiteral('false', false))
    else if (code === 0x6e) attach(readLiteral('null', null))
    else {
      NUMBER.lastIndex = at
      const match = NUMBER.exec(text)
      if (match === null) fail(at >= text.length ? 'The file ends too early' : `Unexpected "${text.slice(at, at + 12)}"`)
      else {
        at += match[0].length
        attach(Number(match[0]))
      }
    }
  }

  let problem: SourceProblem | null = null
  try {
    skipSpace()
    while (at < text.length) {
      readValue((value) => values.push(value))
      skipSpace()
    }
  } catch (error) {
    if (error instanceof JsonSyntaxError) problem = { line: error.line, reason: `Not valid JSON: ${error.message}` }
    else if (error instanceof RangeError) problem = { line, reason: 'Not valid JSON: nested too deeply' }
    else if (error instanceof SyntaxError) problem = { line, reason: `Not valid JSON: ${error.message}` }
    else throw error
  }

  return {
    values,
    problem,
    lineOf: (value) => (typeof value === 'object' && value !== null ? (lines.get(value) ?? 0) : 0),
    isComplete: (value) => typeof value !== 'object' || value === null || !incomplete.has(value)
  }
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
