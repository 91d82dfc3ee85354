import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'

export interface RawReply {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** A raw request to 127.0.0.1: the path is sent exactly as given and any Host header can be set. */
export function sendRaw(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }
): Promise<RawReply> {
  return new Promise((resolveReply, rejectReply) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolveReply({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }))
      }
    )
    outgoing.on('error', rejectReply)
    outgoing.end(options.body)
  })
}
