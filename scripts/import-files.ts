/** Import files the benchmark reads: plain CSV text shaped as an admin's spreadsheet export. */

/** A CSV of `count` rows: the first half new addresses, the second half `existing` users (updates), or new ones past them. */
export function importFileOf(count: number, existing: readonly string[], prefix = 'imported'): string {
  const lines = ['email,first_name,last_name,role,status']
  for (let index = 0; index < count; index++) {
    const email = (index < count / 2 ? undefined : existing[index - count / 2]) ?? `${prefix}.${index}@example.org`
    lines.push(`${email},Imported,Person ${index},Support,${index % 3 === 0 ? 'active' : ''}`)
  }
  return `${lines.join('\r\n')}\r\n`
}
