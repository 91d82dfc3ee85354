/**
 * A server's own check of Rolekeeper invite links, as the README shows it, holding nothing but
 * the exported JWKS: `node verify-invite.mjs JWKS_FILE ISSUER CURRENT_JTIS_FILE < tokens`, one
 * token per line in, one verdict per line out (`valid <user id>` or `invalid <why>`).
 * CURRENT_JTIS_FILE lists the `jti` of each user's current invite in the latest hand-off file.
 */
import { readFileSync } from 'node:fs'
import { createLocalJWKSet, jwtVerify } from 'jose'

const [jwksFile, issuer, jtisFile] = process.argv.slice(2)
const keys = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')))
const current = new Set(JSON.parse(readFileSync(jtisFile, 'utf8')))

for (const token of readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  try {
    const { payload } = await jwtVerify(token, keys, { issuer, algorithms: ['EdDSA'], typ: 'JWT' })
    if (payload.scope !== 'invite') throw new Error('not an invite')
    // Re-invite and revoke make a new jti: only the latest hand-off file's one counts.
    if (!current.has(payload.jti)) throw new Error('superseded')
    console.log(`valid ${payload.sub}`)
  } catch (error) {
    console.log(`invalid ${error.code ?? error.message}`)
  }
}
