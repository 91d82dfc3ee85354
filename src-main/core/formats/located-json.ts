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
  /** The line each element of an array from `values` starts on, strings and numbers too. */
  elementLines(array: readonly unknown[]): readonly number[]
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

// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings: this finds them.
const CONTROL = /[\u0000-\u001f]/g

/** One pass over the text; a class so that the hot methods stay monomorphic. */
class Parser {
  at: number
  line = 1
  readonly lines = new WeakMap<object, number>()
  readonly elementLines = new WeakMap<readonly unknown[], number[]>()
  readonly incomplete = new WeakSet<object>()
  // Where the next backslash and control character are: strings without either are sliced as they are.
  private nextBackslash = -1
  private nextControl = -1

  constructor(readonly text: string) {
    this.at = text.charCodeAt(0) === 0xfeff ? 1 : 0
  }

  fail(message: string): never {
    throw new JsonSyntaxError(this.line, message)
  }

  skipSpace(): void {
    const text = this.text
    let at = this.at
    for (;;) {
      const code = text.charCodeAt(at)
      if (code === 0x0a) this.line++
      else if (code !== 0x20 && code !== 0x09 && code !== 0x0d) break
      at++
    }
    this.at = at
  }

  readString(): string {
    const text = this.text
    const start = this.at + 1
    const end = text.indexOf('"', start)
    if (end < 0) this.fail('A string that never ends')
    if (this.nextBackslash < start && this.nextBackslash !== Infinity) {
      const found = text.indexOf('\\', start)
      this.nextBackslash = found < 0 ? Infinity : found
    }
    if (this.nextControl < start && this.nextControl !== Infinity) {
      CONTROL.lastIndex = start
      const found = CONTROL.exec(text)
      this.nextControl = found === null ? Infinity : found.index
    }
    if (this.nextBackslash > end) {
      if (this.nextControl < end) this.fail('A line break or control character inside a string')
      this.at = end + 1
      return text.slice(start, end)
    }
    // Escapes: find the closing quote that no backslash escapes, then let JSON.parse decode.
    let at = start
    for (; at < text.length; at++) {
      const code = text.charCodeAt(at)
      if (code === 0x22) break
      if (code === 0x5c) at++
      else if (code < 0x20) this.fail('A line break or control character inside a string')
    }
    if (at >= text.length) this.fail('A string that never ends')
    this.at = at + 1
    return JSON.parse(text.slice(start - 1, at + 1)) as string
  }

  readLiteral(word: string, value: boolean | null): boolean | null {
    if (!this.text.startsWith(word, this.at)) this.fail(`Unexpected "${this.text.slice(this.at, this.at + 12)}"`)
    this.at += word.length
    return value
  }

  readNumber(): number {
    NUMBER.lastIndex = this.at
    const match = NUMBER.exec(this.text)
    if (match === null)
      this.fail(this.at >= this.text.length ? 'The file ends too early' : `Unexpected "${this.text.slice(this.at, this.at + 12)}"`)
    this.at += match[0].length
    return Number(match[0])
  }

  // A container is attached to its parent before it is filled, so a cut leaves what was read.
  readInto(parent: unknown[] | Record<string, unknown>, key: string | null): void {
    this.skipSpace()
    const code = this.text.charCodeAt(this.at)
    let value: unknown
    if (code === 0x7b) {
      const object: Record<string, unknown> = {}
      attach(parent, key, object)
      this.readObject(object)
      return
    }
    if (code === 0x5b) {
      const array: unknown[] = []
      attach(parent, key, array)
      this.readArray(array)
      return
    }
    if (code === 0x22) value = this.readString()
    else if (code === 0x74) value = this.readLiteral('true', true)
    else if (code === 0x66) value = this.readLiteral('false', false)
    else if (code === 0x6e) value = this.readLiteral('null', null)
    else value = this.readNumber()
    attach(parent, key, value)
  }

  readObject(object: Record<string, unknown>): void {
    this.lines.set(object, this.line)
    this.incomplete.add(object)
    this.at++
    this.skipSpace()
    if (this.text.charCodeAt(this.at) === 0x7d) this.at++
    else {
      for (;;) {
        this.skipSpace()
        if (this.text.charCodeAt(this.at) !== 0x22) this.fail('Expected a quoted member name')
        const key = this.readString()
        this.skipSpace()
        if (this.text.charCodeAt(this.at) !== 0x3a) this.fail(`Expected ":" after "${key}"`)
        this.at++
        this.readInto(object, key)
        this.skipSpace()
        const next = this.text.charCodeAt(this.at++)
        if (next === 0x7d) break
        if (next !== 0x2c) this.fail('Expected "," or "}"')
      }
    }
    this.incomplete.delete(object)
  }

  readArray(array: unknown[]): void {
    const starts: number[] = []
    this.lines.set(array, this.line)
    this.elementLines.set(array, starts)
    this.incomplete.add(array)
    this.at++
    this.skipSpace()
    if (this.text.charCodeAt(this.at) === 0x5d) this.at++
    else {
      for (;;) {
        this.skipSpace()
        starts.push(this.line)
        this.readInto(array, null)
        this.skipSpace()
        const next = this.text.charCodeAt(this.at++)
        if (next === 0x5d) break
        if (next !== 0x2c) this.fail('Expected "," or "]"')
      }
    }
    this.incomplete.delete(array)
  }
}

function attach(parent: unknown[] | Record<string, unknown>, key: string | null, value: unknown): void {
  if (Array.isArray(parent)) parent.push(value)
  // A plain assignment to "__proto__" would change the object's prototype.
  else if (key === '__proto__') Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true })
  else if (key !== null) parent[key] = value
}

/**
 * The fast path for well-formed files: the engine's own `JSON.parse` builds the values, and one
 * scan of the text finds the line of every container and array element, which a walk of the
 * values in document order then pairs up. Anything the pairing cannot trust (a syntax error,
 * a top-level value that is no container, integer-like keys, which `JSON.parse` reorders,
 * duplicate keys) returns null and the recovering parser reads the file instead.
 */
function parseWellFormed(text: string): LocatedJson | null {
  const containers: number[] = []
  const elements: number[] = []
  const tops: [number, number][] = []
  const inArray: boolean[] = []
  let line = 1
  let topStart = -1
  let expectElement = false
  for (let at = text.charCodeAt(0) === 0xfeff ? 1 : 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code === 0x0a) {
      line++
      continue
    }
    if (code === 0x20 || code === 0x09 || code === 0x0d) continue
    if (expectElement && code !== 0x5d) elements.push(line)
    expectElement = false
    if (inArray.length === 0) {
      if (code !== 0x7b && code !== 0x5b) return null
      topStart = at
    }
    if (code === 0x22) {
      for (at++; at < text.length; at++) {
        const inner = text.charCodeAt(at)
        if (inner === 0x22) break
        if (inner === 0x5c) at++
        else if (inner === 0x0a) return null
      }
    } else if (code === 0x7b || code === 0x5b) {
      containers.push(line)
      inArray.push(code === 0x5b)
      expectElement = code === 0x5b
    } else if (code === 0x7d || code === 0x5d) {
      inArray.pop()
      if (inArray.length === 0) tops.push([topStart, at + 1])
    } else if (code === 0x2c) expectElement = inArray[inArray.length - 1] === true
  }
  if (inArray.length > 0) return null
  let values: unknown[]
  try {
    values = tops.map(([start, end]) => JSON.parse(text.slice(start, end)) as unknown)
  } catch {
    return null
  }
  const lines = new WeakMap<object, number>()
  const elementLines = new WeakMap<readonly unknown[], number[]>()
  let container = 0
  let element = 0
  const visit = (value: unknown): boolean => {
    if (typeof value !== 'object' || value === null) return true
    lines.set(value, containers[container++] ?? 0)
    if (Array.isArray(value)) {
      const starts: number[] = []
      elementLines.set(value, starts)
      for (const item of value) {
        starts.push(elements[element++] ?? 0)
        if (!visit(item)) return false
      }
      return true
    }
    for (const key in value) {
      if (INTEGER_KEY.test(key)) return false
      if (!visit((value as Record<string, unknown>)[key])) return false
    }
    return true
  }
  if (!values.every(visit) || container !== containers.length || element !== elements.length) return null
  return {
    values,
    problem: null,
    lineOf: (value) => (typeof value === 'object' && value !== null ? (lines.get(value) ?? 0) : 0),
    elementLines: (array) => elementLines.get(array) ?? [],
    isComplete: () => true
  }
}

const INTEGER_KEY = /^(?:0|[1-9]\d*)$/

export function parseLocatedJson(text: string): LocatedJson {
  const fast = parseWellFormed(text)
  if (fast !== null) return fast
  const parser = new Parser(text)
  const values: unknown[] = []
  let problem: SourceProblem | null = null
  try {
    parser.skipSpace()
    while (parser.at < text.length) {
      parser.readInto(values, null)
      parser.skipSpace()
    }
  } catch (error) {
    if (error instanceof JsonSyntaxError) problem = { line: error.line, reason: `Not valid JSON: ${error.message}` }
    else if (error instanceof RangeError) problem = { line: parser.line, reason: 'Not valid JSON: nested too deeply' }
    else if (error instanceof SyntaxError) problem = { line: parser.line, reason: `Not valid JSON: ${error.message}` }
    else throw error
  }
  const { lines, elementLines, incomplete } = parser
  return {
    values,
    problem,
    lineOf: (value) => (typeof value === 'object' && value !== null ? (lines.get(value) ?? 0) : 0),
    elementLines: (array) => elementLines.get(array) ?? [],
    isComplete: (value) => typeof value !== 'object' || value === null || !incomplete.has(value)
  }
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
