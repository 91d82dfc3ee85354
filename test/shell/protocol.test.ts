import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appProtocolHandler, CONTENT_SECURITY_POLICY, contentTypeOf, resolveAppFile } from '../../src-main/shell/protocol'

const root = resolve('/srv/app/renderer')

describe('resolving app: URLs', () => {
  it('maps the app’s own paths into the renderer folder', () => {
    expect(resolveAppFile(root, 'app://rolekeeper/index.html')).toBe(join(root, 'index.html'))
    expect(resolveAppFile(root, 'app://rolekeeper/')).toBe(join(root, 'index.html'))
    expect(resolveAppFile(root, 'app://rolekeeper/assets/index-abc.js?v=1#x')).toBe(join(root, 'assets', 'index-abc.js'))
    expect(resolveAppFile(root, 'app://rolekeeper/fonts/Material%20Symbols.woff2')).toBe(join(root, 'fonts', 'Material Symbols.woff2'))
  })

  it('refuses anything that could leave the folder or is not the app', () => {
    for (const url of [
      'app://rolekeeper/..%2f..%2fetc%2fpasswd',
      'app://rolekeeper/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://rolekeeper/assets/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc/passwd',
      'app://rolekeeper/..\\..\\etc\\passwd',
      'app://rolekeeper/assets%5c..%5c..%5cetc%5cpasswd',
      'app://rolekeeper/index.html%00.png',
      'app://rolekeeper/%0aindex.html',
      'app://rolekeeper/%E0%A4%A',
      'app://evil/index.html',
      'app://rolekeeper.evil/index.html',
      'file:///etc/passwd',
      'https://rolekeeper/index.html',
      'not a url'
    ]) {
      expect(resolveAppFile(root, url), url).toBeNull()
    }
  })

  it('keeps dot segments that URL parsing already resolved inside the folder', () => {
    // The URL parser turns /../../etc/passwd into /etc/passwd: a path inside the folder (a 404).
    expect(resolveAppFile(root, 'app://rolekeeper/../../etc/passwd')).toBe(join(root, 'etc', 'passwd'))
  })

  it('names the content types the renderer needs', () => {
    expect(contentTypeOf('a.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeOf('a.JS')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeOf('a.woff2')).toBe('font/woff2')
    expect(contentTypeOf('a.svg')).toBe('image/svg+xml')
    expect(contentTypeOf('a.unknown')).toBe('application/octet-stream')
  })
})

describe('the protocol handler', () => {
  it('never reads outside the folder, whatever it is asked', async () => {
    const reads: string[] = []
    const handler = appProtocolHandler({
      rendererDir: root,
      read: async (file) => {
        reads.push(file)
        return new TextEncoder().encode('content')
      }
    })
    const urls = ['app://rolekeeper/index.html', 'app://rolekeeper/..%2fsecret', 'app://rolekeeper/..\\secret', 'app://x/index.html']
    const statuses = await Promise.all(urls.map(async (url) => (await handler(new Request(url))).status))
    expect(statuses).toEqual([200, 404, 404, 404])
    expect(reads).toEqual([join(root, 'index.html')])
  })

  it('sends the CSP, nosniff and the content type on every answer', async () => {
    const handler = appProtocolHandler({ rendererDir: root, read: async () => new Uint8Array([1, 2, 3]) })
    for (const url of ['app://rolekeeper/logo.png', 'app://rolekeeper/..%2fnothing']) {
      const response = await handler(new Request(url))
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY)
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff')
    }
    const image = await handler(new Request('app://rolekeeper/logo.png'))
    expect(image.headers.get('content-type')).toBe('image/png')
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('has a policy that allows only the app’s own scripts and nothing embedded', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((directive) => [directive.split(' ')[0], directive]))
    expect(directives.get('default-src')).toBe("default-src 'self'")
    expect(directives.get('script-src')).toBe("script-src 'self'")
    expect(directives.get('style-src')).toBe("style-src 'self'")
    expect(directives.get('object-src')).toBe("object-src 'none'")
    expect(directives.get('base-uri')).toBe("base-uri 'none'")
    expect(directives.get('frame-ancestors')).toBe("frame-ancestors 'none'")
    expect(directives.get('form-action')).toBe("form-action 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/)
  })
})
