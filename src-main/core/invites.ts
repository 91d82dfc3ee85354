import { randomUUID } from 'node:crypto'
import { recordActivity } from './activity'
import { decodeCursor, encodeCursor } from './cursor'
import { columns, type RowOf } from './db/columns'
import type { RoleRow } from './db/schema'
import { DomainError, notFound } from './errors'
import { verificationKeySet } from './invite-keys'
import { cacheSignatures, inviteIssuer, inviteTokensFor, SEAL_BYTES, signInvites } from './invite-token-cache'
import {
  freshInviteFields,
  inviteLink,
  inviteLinkBuilder,
  newInviteNonce,
  newInviteNonces,
  tokenFromInput,
  verifyInviteToken,
  type InviteTokenSource
} from './invite-tokens'
import { legacyTokenMatches, legacyTokenUserId } from './legacy-invite-tokens'
import {
  INVITE_OUTCOMES,
  type InviteBatch,
  type InviteLink,
  type InviteListPage,
  type InviteListRow,
  type InviteResult,
  type InviteVerification,
  type User
} from './model'
import { runWrite, runWriteYielding, WRITE_SLICE, type WriteControl, type WriteSteps } from './long-write'
import { countBy, parsePasteEntries } from './paste'
import { hashPassword } from './passwords'
import { requireRoleRow } from './roles'
import { roleIndexTrails, TRAILING } from './role-index'
import { inviteSettings, passwordProblem } from './settings'
import type {
  AcceptInviteInput,
  GetInviteLinkInput,
  InviteUsersInput,
  ListInvitesInput,
  ResendInviteInput,
  RevokeInviteInput
} from './inputs'
import type { Store } from './store'
import { getUser } from './user-directory'

const DAY_MS = 24 * 60 * 60 * 1000

function expiryFrom(now: Date, lifetimeDays: number): string {
  return new Date(now.getTime() + lifetimeDays * DAY_MS).toISOString()
}

/** The columns an invite needs, read with prepared statements on the hot paths. */
const INVITE_COLUMNS = columns('users', [
  'id',
  'email',
  'status',
  'role_id',
  'invite_nonce',
  'invite_expires_at',
  'invited_at',
  'invite_token_seal'
])
type InviteRow = RowOf<typeof INVITE_COLUMNS>

function findInviteRow(store: Store, userId: string): InviteRow | undefined {
  return store.prepare<InviteRow>(`SELECT ${INVITE_COLUMNS.sql} FROM users WHERE id = ?`).get(userId)
}

function requireInviteRow(store: Store, userId: string): InviteRow {
  const row = findInviteRow(store, userId)
  if (!row) throw notFound('User', userId)
  return row
}

type PendingRow = InviteRow & InviteTokenSource

/** The row when it holds a current invite, or null when it has none (never invited, revoked, accepted). */
function pendingInvite(row: InviteRow): PendingRow | null {
  const { invite_nonce, invite_expires_at, invited_at } = row
  if (row.status !== 'invited' || invite_nonce === null || invite_expires_at === null || invited_at === null) return null
  return { ...row, invite_nonce, invite_expires_at, invited_at }
}

// ---------------------------------------------------------------------------------------------
// Inviting a paste

// Both write a placeholder seal (EMPTY_SEAL): sealing the new token moments later then rewrites
// each row in place instead of growing it past its page.
// The role twice: the role-ordered indexes file the user under the role at once (core/role-index.ts).
const REINVITE_SQL = `UPDATE users SET role_id = ?, indexed_role_id = ?, invite_nonce = ?, invited_at = ?, invite_expires_at = ?,
  updated_at = ?, last_changed_by = ?, invite_token_seal = zeroblob(${SEAL_BYTES}) WHERE id = ?`
/** Invited users are inserted this many to a statement: one native call per batch, not per row. */
const INSERT_BATCH = 100
const INSERT_COLUMNS = 13
const insertInvitedSql = (rows: number): string =>
  `INSERT INTO users (id, email, email_key, first_name, last_name, role_id, indexed_role_id, invited_at, invite_expires_at,
    invite_nonce, created_at, updated_at, last_changed_by, status, invite_token_seal) VALUES ` +
  Array.from({ length: rows }, () => `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'invited', zeroblob(${SEAL_BYTES}))`).join(', ')
const INSERT_INVITED_BATCH_SQL = insertInvitedSql(INSERT_BATCH)
const EXISTING_COLUMNS = columns('users', ['id', 'email', 'email_key', 'status', 'role_id'])
type ExistingUser = RowOf<typeof EXISTING_COLUMNS>
const EXISTING_BY_KEY_SQL = `SELECT ${EXISTING_COLUMNS.sql} FROM json_each(?) AS wanted JOIN users ON users.email_key = wanted.value`

/**
 * Invite every valid address of a paste into one role (null: Public), in one transaction:
 * unknown addresses become invited users, invited users are re-invited (new token, new expiry,
 * moved to the role), anyone else is reported and left alone; invalid entries and repeats are
 * reported and not written. The tokens are signed once the rows are written, all at once on the
 * thread pool, and kept (sealed) for later exports.
 */
export async function inviteUsers(store: Store, input: InviteUsersInput): Promise<InviteBatch> {
  const written = runWrite(store, inviteSteps(store, input))
  return withLinks(store, written)
}

/**
 * `inviteUsers` for pastes of many thousand addresses: the same single transaction, handing the
 * event loop back between slices with progress (addresses handled / entries in the paste);
 * cancelled through `control.signal`, it writes nothing. Each slice's tokens start signing at
 * the slice's end, so the thread pool signs while the next slice is written.
 */
export async function inviteUsersYielding(store: Store, input: InviteUsersInput, control: WriteControl): Promise<InviteBatch> {
  const written = await runWriteYielding(store, inviteSteps(store, input), control, 'The invite was cancelled: nobody was invited')
  return withLinks(store, written)
}

/** A batch written, whose links wait for their tokens. */
interface WrittenBatch {
  batch: InviteBatch
  /** Per invited or re-invited entry: where its result is, and what its token says. */
  invites: Array<{ index: number; source: InviteTokenSource }>
  /** Signing of `invites`, started slice by slice while the rows were written. */
  signing: Promise<Array<{ token: string; signature: Buffer }>>
  linkFor(token: string, email: string): string
}

async function withLinks(store: Store, written: WrittenBatch): Promise<InviteBatch> {
  const signed = await written.signing
  const { results } = written.batch
  written.invites.forEach(({ index, source }, entry) => {
    const result = results[index]
    const token = signed[entry]?.token
    if (result && token !== undefined) result.inviteLink = written.linkFor(token, source.email)
  })
  cacheSignatures(
    store,
    written.invites.flatMap(({ source }, entry) => {
      const signature = signed[entry]?.signature
      return signature ? [{ row: source, signature }] : []
    })
  )
  return written.batch
}

/** What may run before the transaction (parsing, settings), then the transaction's steps. */
function inviteSteps(store: Store, input: InviteUsersInput): () => WriteSteps<WrittenBatch> {
  const { entries } = parsePasteEntries(input.text)
  const { inviteUrlTemplate, inviteLifetimeDays } = inviteSettings(store)
  const linkFor = inviteLinkBuilder(inviteUrlTemplate)
  const actor = store.actor

  return function* () {
    const roleName = input.roleId === null ? null : requireRoleRow(store, input.roleId, 'roleId').name
    const now = store.now()
    const nowText = now.toISOString()
    const expiresAt = expiryFrom(now, inviteLifetimeDays)

    const keys: string[] = []
    for (const entry of entries) if (entry.key !== null) keys.push(entry.key)
    const existingByKey = new Map<string, ExistingUser>()
    if (keys.length > 0) {
      // One set-based lookup through the unique email_key index instead of one query per address.
      const existing = store.prepare<ExistingUser>(EXISTING_BY_KEY_SQL).all(JSON.stringify(keys))
      for (const user of existing) existingByKey.set(user.email_key, user)
    }

    const nonces = newInviteNonces(keys.length)
    let nonceIndex = 0
    const reinvite = store.prepare(REINVITE_SQL)
    const written: string[] = []
    const reinvited: Array<{ id: string; roleId: string | null }> = []
    const results = new Array<InviteResult>(entries.length)
    const invites: WrittenBatch['invites'] = []
    const signing: Array<Promise<Array<{ token: string; signature: Buffer }>>> = []
    let signedUpTo = 0
    // Hand the invites of the slice just written to the thread pool; they sign while the next one is written.
    const startSigning = (): void => {
      if (signedUpTo === invites.length) return
      const started = signInvites(
        store,
        invites.slice(signedUpTo).map((invite) => invite.source)
      )
      // Awaited after the commit; a rolled-back write never awaits it, and must not leave it unhandled.
      started.catch(() => undefined)
      signing.push(started)
      signedUpTo = invites.length
    }
    let pending: Array<string | null> = []
    const flush = (): void => {
      const rows = pending.length / INSERT_COLUMNS
      if (rows === 0) return
      const sql = rows === INSERT_BATCH ? INSERT_INVITED_BATCH_SQL : insertInvitedSql(rows)
      store.prepare(sql).run(pending)
      pending = []
    }

    for (let index = 0; index < entries.length; index++) {
      if (index > 0 && index % WRITE_SLICE === 0) {
        startSigning()
        yield { done: index, total: entries.length }
      }
      const entry = entries[index]
      if (entry === undefined) continue
      if (entry.key === null || entry.email === null) {
        results[index] = {
          raw: entry.raw,
          email: entry.email,
          outcome: entry.status === 'duplicate' ? 'duplicate' : 'invalid',
          reason: entry.reason,
          userId: null,
          existingStatus: null,
          inviteLink: null,
          inviteExpiresAt: null
        }
        continue
      }
      const existing = existingByKey.get(entry.key)
      if (existing !== undefined && existing.status !== 'invited') {
        results[index] = {
          raw: entry.raw,
          email: entry.email,
          outcome: 'already_user',
          reason: `already a user (${existing.status})`,
          userId: existing.id,
          existingStatus: existing.status,
          inviteLink: null,
          inviteExpiresAt: null
        }
        continue
      }
      const nonce = nonces[nonceIndex++] ?? newInviteNonce()
      let userId: string
      let email = entry.email
      if (existing === undefined) {
        userId = randomUUID()
        pending.push(userId, entry.email, entry.key, entry.firstName, entry.lastName, input.roleId, input.roleId)
        pending.push(nowText, expiresAt, nonce, nowText, nowText, actor)
        if (pending.length === INSERT_BATCH * INSERT_COLUMNS) flush()
      } else {
        userId = existing.id
        // A re-invite keeps the address as it is stored: that is what the token says.
        email = existing.email
        reinvite.run(input.roleId, input.roleId, nonce, nowText, expiresAt, nowText, actor, userId)
        reinvited.push({ id: userId, roleId: existing.role_id })
      }
      written.push(userId)
      invites.push({
        index,
        source: { id: userId, email, role_id: input.roleId, invite_nonce: nonce, invited_at: nowText, invite_expires_at: expiresAt }
      })
      results[index] = {
        raw: entry.raw,
        email: entry.email,
        outcome: existing === undefined ? 'invited' : 'reinvited',
        reason: null,
        userId,
        existingStatus: null,
        inviteLink: null,
        inviteExpiresAt: expiresAt
      }
    }
    flush()
    startSigning()

    const counts = countBy(INVITE_OUTCOMES, results, (result) => result.outcome)
    if (written.length > 0) {
      const into = roleName === null ? 'Public' : roleName
      recordActivity(store, {
        action: 'user.invite',
        collection: 'users',
        recordIds: written,
        summary: inviteSummary(counts.invited, counts.reinvited, into),
        before: reinvited.length > 0 ? { reinvited } : undefined,
        after: { roleId: input.roleId, roleName, invited: counts.invited, reinvited: counts.reinvited, inviteExpiresAt: expiresAt }
      })
    }
    return {
      batch: { results, counts } satisfies InviteBatch,
      invites,
      signing: Promise.all(signing).then((parts) => parts.flat()),
      linkFor
    }
  }
}

function inviteSummary(invited: number, reinvited: number, into: string): string {
  const users = (count: number): string => `${count} ${count === 1 ? 'user' : 'users'}`
  const parts = [invited > 0 ? `invited ${users(invited)}` : null, reinvited > 0 ? `re-invited ${users(reinvited)}` : null]
  const text = `${parts.filter((part) => part !== null).join(' and ')} into ${into}`
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// ---------------------------------------------------------------------------------------------
// One invite

async function linkOf(store: Store, row: InviteRow, template: string | null): Promise<InviteLink> {
  const invite = pendingInvite(row)
  if (!invite) throw new Error(`User ${row.id} has no pending invite`)
  const [token = ''] = await inviteTokensFor(store, [invite])
  return {
    userId: row.id,
    email: row.email,
    token,
    inviteLink: inviteLink(template, token, row.email),
    inviteExpiresAt: invite.invite_expires_at
  }
}

/** Send an invited user a new invite: new token (the old one dies), new expiry. */
export async function resendInvite(store: Store, input: ResendInviteInput): Promise<InviteLink> {
  const { inviteUrlTemplate } = inviteSettings(store)
  const renewed = store.transaction(() => {
    const row = requireInviteRow(store, input.userId)
    if (row.status !== 'invited') {
      throw new DomainError('validation', 'Only invited users can be re-invited', {
        userId: `This user is ${row.status}, not invited`
      })
    }
    const fresh = freshInviteFields(store)
    store
      .prepare(REINVITE_SQL)
      .run(row.role_id, row.role_id, fresh.invite_nonce, fresh.invited_at, fresh.invite_expires_at, fresh.invited_at, store.actor, row.id)
    recordActivity(store, {
      action: 'user.invite.resend',
      collection: 'users',
      recordIds: [row.id],
      summary: `Re-invited ${row.email}`,
      before: { invitedAt: row.invited_at, inviteExpiresAt: row.invite_expires_at },
      after: { invitedAt: fresh.invited_at, inviteExpiresAt: fresh.invite_expires_at }
    })
    // The trigger cleared the old seal with the old nonce; the new token is signed below.
    return { ...row, ...fresh, invite_token_seal: null } satisfies InviteRow
  })
  return linkOf(store, renewed, inviteUrlTemplate)
}

/** Withdraw an invite: the user goes back to draft and every token for them dies. */
export function revokeInvite(store: Store, input: RevokeInviteInput): User {
  return store.transaction(() => {
    const row = requireInviteRow(store, input.userId)
    if (row.status !== 'invited') {
      throw new DomainError('validation', 'Only invited users have an invite to revoke', {
        userId: `This user is ${row.status}, not invited`
      })
    }
    store
      .prepare(
        `UPDATE users SET status = 'draft', invite_nonce = NULL, invited_at = NULL, invite_expires_at = NULL,
          updated_at = ?, last_changed_by = ? WHERE id = ?`
      )
      .run(store.now().toISOString(), store.actor, row.id)
    recordActivity(store, {
      action: 'user.invite.revoke',
      collection: 'users',
      recordIds: [row.id],
      summary: `Revoked the invite of ${row.email}`,
      before: { status: row.status, invitedAt: row.invited_at, inviteExpiresAt: row.invite_expires_at },
      after: { status: 'draft', invitedAt: null, inviteExpiresAt: null }
    })
    return getUser(store, { id: row.id })
  })
}

/** The current invite link of an invited user: from the token cache, or signed now. */
export async function getInviteLink(store: Store, input: GetInviteLinkInput): Promise<InviteLink> {
  const row = requireInviteRow(store, input.userId)
  if (row.status !== 'invited') {
    throw new DomainError('validation', 'Only invited users have an invite link', {
      userId: `This user is ${row.status}, not invited`
    })
  }
  if (pendingInvite(row) === null) {
    throw new DomainError('validation', 'This invite has no link yet: resend it to create one', {
      userId: 'Resend the invite to create a link'
    })
  }
  return linkOf(store, row, inviteSettings(store).inviteUrlTemplate)
}

// ---------------------------------------------------------------------------------------------
// Invite lists (export)

const LIST_USER_COLUMNS = columns('users', [
  'rowid',
  'id',
  'email',
  'first_name',
  'last_name',
  'status',
  'invited_at',
  'invite_expires_at',
  'invite_nonce',
  'role_id',
  'invite_token_seal'
])
/** A pending invite's row: its nonce and dates are set (the PENDING condition below). */
type InviteListSqlRow = RowOf<typeof LIST_USER_COLUMNS> & {
  role_name: RoleRow['name'] | null
  invited_at: string
  invite_expires_at: string
  invite_nonce: string
}

const LIST_COLUMNS = `${LIST_USER_COLUMNS.sql}, roles.name AS role_name`
const LIST_FROM = 'FROM users LEFT JOIN roles ON roles.id = users.role_id'
// Without ANALYZE statistics the planner prefers the status index and sorts every invite per page.
const LIST_FROM_BY_EXPIRY = 'FROM users INDEXED BY users_invite_expiry LEFT JOIN roles ON roles.id = users.role_id'
const PENDING = `users.status = 'invited' AND users.invite_nonce IS NOT NULL AND users.invite_expires_at IS NOT NULL
  AND users.invited_at IS NOT NULL`

/**
 * Pages walk an index, never sort: all pending invites in expiry order through the partial
 * expiry index; one role's (or Public's) in rowid order through the partial index
 * users_role_invites. While the role index trails (role-index.ts), a role's page is its settled
 * invites less the trailing users, with the trailing users now in the role beside them.
 */
export const INVITE_LIST_SQL = {
  all: `SELECT ${LIST_COLUMNS} ${LIST_FROM_BY_EXPIRY} WHERE ${PENDING}
    ORDER BY users.invite_expires_at, users.id LIMIT ?`,
  allAfter: `SELECT ${LIST_COLUMNS} ${LIST_FROM_BY_EXPIRY} WHERE ${PENDING}
    AND (users.invite_expires_at, users.id) > (?, ?) ORDER BY users.invite_expires_at, users.id LIMIT ?`,
  role: `SELECT ${LIST_COLUMNS} ${LIST_FROM} WHERE users.indexed_role_id = ? AND ${PENDING} AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`,
  publicRole: `SELECT ${LIST_COLUMNS} ${LIST_FROM} WHERE users.indexed_role_id IS NULL AND ${PENDING} AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`,
  roleTrailing: `SELECT ${LIST_COLUMNS} ${LIST_FROM} WHERE users.rowid IN (
      SELECT rowid FROM (SELECT users.rowid FROM users INDEXED BY users_role_invites
        WHERE users.indexed_role_id IS @role AND ${PENDING} AND users.rowid > @after
          AND users.rowid NOT IN (SELECT users.rowid FROM users INDEXED BY users_role_lag WHERE ${TRAILING})
        ORDER BY users.rowid LIMIT @take)
      UNION ALL
      SELECT rowid FROM (SELECT users.rowid FROM users INDEXED BY users_role_lag
        WHERE users.role_id IS @role AND ${TRAILING} AND ${PENDING} AND users.rowid > @after ORDER BY users.rowid LIMIT @take))
    ORDER BY users.rowid LIMIT @take`
} as const

/** Pending invites (status `invited`), export-ready with their links; one role, Public, or all. */
export async function listInvites(store: Store, input: ListInvitesInput): Promise<InviteListPage> {
  const take = input.limit + 1
  let rows: InviteListSqlRow[]
  if (input.roleId === undefined) {
    if (input.after === undefined) {
      rows = store.prepare<InviteListSqlRow>(INVITE_LIST_SQL.all).all(take)
    } else {
      const [expiresAt, id] = decodeCursor(input.after, 'string', 'string')
      rows = store.prepare<InviteListSqlRow>(INVITE_LIST_SQL.allAfter).all(expiresAt, id, take)
    }
  } else {
    const afterRowid = input.after === undefined ? 0 : decodeCursor(input.after, 'number')[0]
    rows = roleIndexTrails(store)
      ? store.prepare<InviteListSqlRow>(INVITE_LIST_SQL.roleTrailing).all({ role: input.roleId, after: afterRowid, take })
      : input.roleId === null
        ? store.prepare<InviteListSqlRow>(INVITE_LIST_SQL.publicRole).all(afterRowid, take)
        : store.prepare<InviteListSqlRow>(INVITE_LIST_SQL.role).all(input.roleId, afterRowid, take)
  }

  const linkFor = inviteLinkBuilder(inviteSettings(store).inviteUrlTemplate)
  const count = Math.min(rows.length, input.limit)
  const tokens = await inviteTokensFor(store, rows.slice(0, count))
  const page = new Array<InviteListRow>(count)
  for (let index = 0; index < count; index++) {
    const row = rows[index]
    const token = tokens[index]
    if (row === undefined || token === undefined) continue
    page[index] = {
      userId: row.id,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      role: row.role_name,
      status: row.status,
      invitedAt: row.invited_at,
      inviteExpiresAt: row.invite_expires_at,
      inviteLink: linkFor(token, row.email)
    }
  }
  const last = rows[count - 1]
  const nextCursor =
    rows.length > input.limit && last
      ? input.roleId === undefined
        ? encodeCursor(last.invite_expires_at, last.id)
        : encodeCursor(last.rowid)
      : null
  return { rows: page, nextCursor } satisfies InviteListPage
}

// ---------------------------------------------------------------------------------------------
// Accepting

/** The only thing a failed accept says: nothing about whether the address or the user exists. */
export const INVITE_INVALID_MESSAGE = 'This invite is no longer valid'

const inviteInvalid = (): DomainError => new DomainError('invite_invalid', INVITE_INVALID_MESSAGE)

/** The invite a token (or link) claims, once checked by signature (or legacy MAC); null otherwise. */
async function claimedInvite(store: Store, token: string): Promise<{ userId: string; jti: string } | null> {
  const legacyUserId = legacyTokenUserId(token)
  if (legacyUserId !== null) {
    const key = store.inviteKeys.legacy
    const row = key === null ? undefined : findInviteRow(store, legacyUserId)
    const invite = row ? pendingInvite(row) : null
    if (key === null || !invite) return null
    const state = { userId: invite.id, nonce: invite.invite_nonce, expiresAt: invite.invite_expires_at }
    return legacyTokenMatches(key, token, state) ? { userId: invite.id, jti: invite.invite_nonce } : null
  }
  return verifyInviteToken(store.inviteKeys, inviteIssuer(store), token, store.now())
}

/** The user's row while `claim` is still their current, unexpired invite; null otherwise. */
function currentInvite(store: Store, claim: { userId: string; jti: string } | null): PendingRow | null {
  if (claim === null) return null
  const row = findInviteRow(store, claim.userId)
  const invite = row ? pendingInvite(row) : null
  if (!invite || invite.invite_nonce !== claim.jti) return null
  return Date.parse(invite.invite_expires_at) > store.now().getTime() ? invite : null
}

/**
 * Accept an invite with a token or link and a password that satisfies the policy: the user
 * becomes active and the token dies. Any failure other than the password says only that the
 * invite is no longer valid.
 */
export async function acceptInvite(store: Store, input: AcceptInviteInput): Promise<{ accepted: true }> {
  const claim = await claimedInvite(store, tokenFromInput(input.token))
  if (!currentInvite(store, claim)) throw inviteInvalid()
  const problem = passwordProblem(store, input.password)
  if (problem !== null) throw new DomainError('password_policy', problem, { password: problem })
  // Hashing is deliberately slow: do it before taking the write lock.
  const passwordHash = hashPassword(input.password)
  const firstName = input.firstName?.trim() || null
  const lastName = input.lastName?.trim() || null

  return store.transaction(() => {
    // Checked again inside the transaction: the invite may have been revoked or resent meanwhile.
    const row = currentInvite(store, claim)
    if (!row) throw inviteInvalid()
    const nowText = store.now().toISOString()
    store
      .prepare(
        `UPDATE users SET status = 'active', password_hash = ?,
          first_name = coalesce(?, first_name), last_name = coalesce(?, last_name),
          invite_nonce = NULL, invited_at = NULL, invite_expires_at = NULL,
          updated_at = ?, last_changed_by = ? WHERE id = ? AND status = 'invited'`
      )
      .run(passwordHash, firstName, lastName, nowText, store.actor, row.id)
    recordActivity(store, {
      action: 'user.invite.accept',
      collection: 'users',
      recordIds: [row.id],
      summary: `${row.email} accepted the invite`,
      before: { status: 'invited', inviteExpiresAt: row.invite_expires_at },
      after: { status: 'active', ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) }
    })
    return { accepted: true as const }
  })
}

// ---------------------------------------------------------------------------------------------
// Verifying elsewhere

/** What a server verifying invite links checks besides the signature. */
export function getInviteVerification(store: Store): InviteVerification {
  return { issuer: inviteIssuer(store), keyId: store.inviteKeys.signing.kid }
}

/** The public key as a JSON Web Key Set file's text. */
export function verificationKeyFileText(store: Store): string {
  return `${JSON.stringify(verificationKeySet(store.inviteKeys), null, 2)}\n`
}
