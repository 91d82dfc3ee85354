const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

function isIpv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return false
  try {
    // The URL parser implements the IPv6 grammar; a bracketed host parses only when it is valid.
    new URL(`http://[${text}]/`)
    return true
  } catch {
    return false
  }
}

/** A quick check as the admin types; the main process validates again and has the last word. */
export function checkIpEntry(entry: string): string | null {
  const [address = '', prefix, ...extra] = entry.split('/')
  if (extra.length > 0) return 'Not an IPv4/IPv6 address or CIDR range'
  const v4 = IPV4.test(address)
  const v6 = !v4 && isIpv6(address)
  if (!v4 && !v6) return 'Not an IPv4/IPv6 address or CIDR range'
  if (prefix === undefined) return null
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN
  if (!(bits >= 0 && bits <= (v4 ? 32 : 128))) return `The range size after “/” must be 0–${v4 ? 32 : 128}`
  return null
}
