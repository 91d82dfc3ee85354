import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { InviteBatch, InviteOutcome, InviteResult, PastePreview, RoleSummary } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { copyToClipboard } from '../clipboard'
import { describeError } from '../errors'
import { notify } from '../state/notifications'
import { useRoles } from '../state/roles'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, FieldError, fieldProps, useDrawerClose, useDrawerDirty } from './Drawer'
import { ExportDialog } from './ExportDialog'
import { OperationProgress, useOperation } from './OperationProgress'
import { MOD_KEY_LABEL } from '../platform'

export interface InviteDialogProps {
  open: boolean
  onOpenChange(open: boolean): void
  /** The role invites go to, fixed (null = Public); undefined lets the admin choose. */
  fixedRoleId: string | null | undefined
  onInvited(batch: InviteBatch): void
}

const PREVIEW_DELAY_MS = 150
/** Invalid entries listed by name; the count above says how many there are in all. */
const MARKED_ENTRIES = 200
const RESULT_ROW_HEIGHT = 52
/** Above this many valid addresses an invite shows progress and can be cancelled; below, it is instant. */
const LONG_INVITE = 2000
const PUBLIC = ''

const OUTCOME_LABELS: Record<InviteOutcome, string> = {
  invited: 'Invited',
  reinvited: 'Re-invited',
  already_user: 'Already a user',
  invalid: 'Invalid',
  duplicate: 'Duplicate'
}
const OUTCOME_ORDER: InviteOutcome[] = ['invited', 'reinvited', 'already_user', 'invalid', 'duplicate']

const ID = 'invite-users'

export function InviteDialog({ open, onOpenChange, ...props }: InviteDialogProps) {
  return (
    <Drawer open={open} onOpenChange={onOpenChange} placement="center" className="invite-dialog">
      <InviteForm {...props} />
    </Drawer>
  )
}

function InviteForm({ fixedRoleId, onInvited }: Omit<InviteDialogProps, 'open' | 'onOpenChange'>) {
  const { requestClose, close } = useDrawerClose()
  const [text, setText] = useState('')
  const [roleId, setRoleId] = useState<string>(fixedRoleId ?? PUBLIC)
  const [roles, setRoles] = useState<RoleSummary[] | null>(null)
  const [preview, setPreview] = useState<{ text: string; value: PastePreview } | null>(null)
  const [submitting, setSubmitting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [batch, setBatch] = useState<InviteBatch | null>(null)
  /** Valid entries in the latest answer about the paste (0 when it was refused, e.g. over the entry limit). */
  const [validInLatest, setValidInLatest] = useState(0)
  const previewRequest = useRef(0)
  const operation = useOperation()

  useEffect(() => {
    let current = true
    void useRoles
      .getState()
      .load()
      .then((overview) => {
        if (!current) return
        const { error: failure } = useRoles.getState()
        if (overview) setRoles(overview.roles)
        else if (failure) setError(describeError(failure))
      })
    return () => {
      current = false
    }
  }, [])

  const runPreview = async (value: string): Promise<PastePreview | null> => {
    const ticket = ++previewRequest.current
    if (value.trim().length === 0) {
      setPreview(null)
      setValidInLatest(0)
      return null
    }
    const result = await api.previewInvites({ text: value })
    if (ticket !== previewRequest.current) return null
    if (!result.ok) {
      setError(describeError(result.error))
      setPreview(null)
      setValidInLatest(0)
      return null
    }
    setError(null)
    setPreview({ text: value, value: result.value })
    setValidInLatest(result.value.counts.valid)
    return result.value
  }

  useEffect(() => {
    if (batch) return
    const timer = setTimeout(() => void runPreview(text), PREVIEW_DELAY_MS)
    return () => clearTimeout(timer)
  }, [text, batch])

  const current = preview && preview.text === text ? preview.value : null
  const shown = preview?.value ?? null
  // Until the paste is checked, and after it was refused, nothing valid would be sent.
  const canInvite = !submitting && text.trim().length > 0 && validInLatest > 0

  const submit = async (): Promise<void> => {
    if (submitting || text.trim().length === 0) return
    setSubmitting(true)
    try {
      // A shortcut pressed right after typing must not act on an older preview.
      const checked = current ?? (await runPreview(text))
      if (!checked || checked.counts.valid === 0) return
      const long = checked.counts.valid > LONG_INVITE ? { operationId: operation.start() } : {}
      const result = await api.inviteUsers({ text, roleId: roleId === PUBLIC ? null : roleId, ...long })
      if (!result.ok) {
        if (result.error.code === 'cancelled') notify({ tone: 'info', message: 'Invite cancelled: nobody was invited' })
        else setError(describeError(result.error))
        return
      }
      setBatch(result.value)
      onInvited(result.value)
    } finally {
      operation.finish()
      setSubmitting(false)
    }
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !batch) {
      event.preventDefault()
      void submit()
    }
  }

  const roleFixed = fixedRoleId !== undefined
  const roleName = (id: string): string => (id === PUBLIC ? 'Public' : (roles?.find((role) => role.id === id)?.name ?? 'the role'))

  useDrawerDirty(!batch && text.trim().length > 0)

  return (
    <>
      <DrawerHeader
        title="Invite users"
        description={
          batch
            ? `Invitations for ${roleName(roleId)}. Send each person their link: Rolekeeper does not email anyone.`
            : 'Paste addresses from anywhere: a spreadsheet column, a mail header, a list.'
        }
        closeButton={!batch}
      />
      <DrawerBody>
        {batch ? (
          <InviteResults batch={batch} />
        ) : (
          <div className="drawer-fields" onKeyDown={onKeyDown}>
            <div className="drawer-field">
              <label htmlFor={`${ID}-emails`}>Emails</label>
              <p id={`${ID}-emails-hint`} className="drawer-hint">
                Separate addresses with commas, semicolons, spaces or new lines. <code>Name &lt;address&gt;</code> fills in the name.
              </p>
              <textarea
                {...fieldProps(`${ID}-emails`, error ?? undefined, `${ID}-emails-hint ${ID}-counts`)}
                data-autofocus
                className="invite-emails"
                value={text}
                rows={8}
                spellCheck={false}
                onChange={(event) => setText(event.target.value)}
              />
              <FieldError id={`${ID}-emails`} error={error ?? undefined} />
            </div>

            <div className="drawer-field">
              <label htmlFor={`${ID}-role`}>Role</label>
              <select id={`${ID}-role`} value={roleId} disabled={roleFixed} onChange={(event) => setRoleId(event.target.value)}>
                <option value={PUBLIC}>Public (no role)</option>
                {roleFixed && fixedRoleId && !roles?.some((role) => role.id === fixedRoleId) ? (
                  <option value={fixedRoleId}>This role</option>
                ) : null}
                {roles?.map((role) => (
                  <option key={role.id} value={role.id}>
                    {role.name}
                  </option>
                ))}
              </select>
            </div>

            {operation.running ? <OperationProgress id={ID} running={operation.running} label="Inviting" /> : null}

            <PreviewSummary preview={shown} stale={!current && text.trim().length > 0} />
          </div>
        )}
      </DrawerBody>
      <DrawerFooter>
        {batch ? (
          <ResultActions batch={batch} onClose={close} />
        ) : (
          <>
            <p className="drawer-footer-note">
              <kbd>{MOD_KEY_LABEL}</kbd>+<kbd>Enter</kbd> to invite
            </p>
            <button
              type="button"
              className="drawer-button"
              disabled={operation.running?.cancelling}
              onClick={operation.running ? operation.cancel : requestClose}
            >
              Cancel
            </button>
            <button
              type="button"
              className="drawer-button drawer-button--primary"
              disabled={!canInvite}
              aria-busy={submitting || undefined}
              onClick={() => void submit()}
            >
              Invite
            </button>
          </>
        )}
      </DrawerFooter>
    </>
  )
}

function PreviewSummary({ preview, stale }: { preview: PastePreview | null; stale: boolean }) {
  const counts = preview?.counts ?? { valid: 0, invalid: 0, duplicate: 0 }
  const marked = preview ? preview.entries.filter((entry) => entry.status !== 'valid') : []
  const invalid = marked.filter((entry) => entry.status === 'invalid')
  const duplicates = marked.filter((entry) => entry.status === 'duplicate')
  return (
    <section className="invite-preview" aria-label="Entries found" aria-busy={stale || undefined}>
      <ul id={`${ID}-counts`} className="invite-counts" aria-label="Entry counts" aria-live="polite">
        <li className="invite-count invite-count--valid">
          <strong>{counts.valid.toLocaleString()}</strong> valid
        </li>
        <li className={counts.invalid > 0 ? 'invite-count invite-count--invalid' : 'invite-count'}>
          <strong>{counts.invalid.toLocaleString()}</strong> invalid
        </li>
        <li className={counts.duplicate > 0 ? 'invite-count invite-count--duplicate' : 'invite-count'}>
          <strong>{counts.duplicate.toLocaleString()}</strong> {counts.duplicate === 1 ? 'duplicate' : 'duplicates'}
        </li>
      </ul>
      {preview?.header ? (
        <p className="drawer-hint" id={`${ID}-header`}>
          The first line, <code>{preview.header}</code>, is read as column names and not invited.
        </p>
      ) : null}
      {invalid.length > 0 ? (
        <div className="invite-marks">
          <h3 className="invite-marks-title">Fix or remove these entries</h3>
          <ul aria-label="Invalid entries">
            {invalid.slice(0, MARKED_ENTRIES).map((entry, index) => (
              <li key={index} className="invite-mark invite-mark--invalid">
                <code className="invite-mark-raw">{entry.raw}</code>
                <span className="invite-mark-reason">{entry.reason ?? 'Not a valid email address'}</span>
              </li>
            ))}
          </ul>
          {invalid.length > MARKED_ENTRIES ? (
            <p className="drawer-hint">and {(invalid.length - MARKED_ENTRIES).toLocaleString()} more invalid entries</p>
          ) : null}
        </div>
      ) : null}
      {duplicates.length > 0 ? (
        <div className="invite-marks">
          <h3 className="invite-marks-title">Repeated in the paste (invited once)</h3>
          <ul aria-label="Duplicate entries">
            {duplicates.slice(0, MARKED_ENTRIES).map((entry, index) => (
              <li key={index} className="invite-mark">
                <code className="invite-mark-raw">{entry.raw}</code>
                <span className="invite-mark-reason">{entry.reason ?? 'Repeated'}</span>
              </li>
            ))}
          </ul>
          {duplicates.length > MARKED_ENTRIES ? (
            <p className="drawer-hint">and {(duplicates.length - MARKED_ENTRIES).toLocaleString()} more repeats</p>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

function InviteResults({ batch }: { batch: InviteBatch }) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const regionRef = useRef<HTMLElement>(null)
  // The form that had focus is gone; the outcome is what to read next.
  useEffect(() => regionRef.current?.focus(), [])
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: batch.results.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => RESULT_ROW_HEIGHT,
    overscan: 10
  })
  return (
    <section ref={regionRef} className="invite-results" tabIndex={-1} aria-label="Invite results">
      <ul className="invite-outcomes" aria-label="Outcome counts">
        {OUTCOME_ORDER.map((outcome) => (
          <li
            key={outcome}
            className={batch.counts[outcome] > 0 ? `invite-outcome invite-outcome--${outcome}` : 'invite-outcome invite-outcome--none'}
          >
            <strong>{batch.counts[outcome].toLocaleString()}</strong>
            <span>{OUTCOME_LABELS[outcome]}</span>
          </li>
        ))}
      </ul>
      <div ref={scrollRef} className="invite-result-scroll">
        <ul aria-label="Results per address" className="invite-result-list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const result = batch.results[item.index]
            if (!result) return null
            return (
              <li
                key={item.index}
                className="invite-result"
                style={{ transform: `translateY(${item.start}px)`, height: RESULT_ROW_HEIGHT }}
              >
                <span className="invite-result-address">{result.email ?? result.raw}</span>
                <span className={`invite-badge invite-badge--${result.outcome}`}>{OUTCOME_LABELS[result.outcome]}</span>
                <span className="invite-result-detail">{resultDetail(result)}</span>
              </li>
            )
          })}
        </ul>
      </div>
    </section>
  )
}

function resultDetail(result: InviteResult): string {
  if ((result.outcome === 'invited' || result.outcome === 'reinvited') && result.inviteExpiresAt) {
    return `Link expires ${new Date(result.inviteExpiresAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}`
  }
  if (result.outcome === 'invalid') {
    const reason = result.reason ?? 'Not a valid email address'
    // The address line shows what could be read; name the whole entry when that differs.
    return result.email === null || result.email === result.raw ? reason : `${result.raw}: ${reason}`
  }
  return result.reason ?? ''
}

function ResultActions({ batch, onClose }: { batch: InviteBatch; onClose(): void }) {
  const links = batch.results.filter((result) => result.inviteLink !== null)
  const [exporting, setExporting] = useState(false)
  // The users this batch invited or re-invited, in the order of the result list.
  const userIds = links.map((result) => result.userId).filter((userId): userId is string => userId !== null)
  const copy = async (): Promise<void> => {
    const text = links.map((result) => `${result.email ?? result.raw}\t${result.inviteLink ?? ''}`).join('\n')
    const copied = await copyToClipboard(text)
    notify(
      copied
        ? { tone: 'success', message: `Copied ${links.length.toLocaleString()} invite ${links.length === 1 ? 'link' : 'links'}.` }
        : { tone: 'error', message: 'The invite links could not be copied to the clipboard.' }
    )
  }
  return (
    <>
      <p className="drawer-footer-note">
        {links.length === 0
          ? 'No new links in this batch'
          : `${links.length.toLocaleString()} ${links.length === 1 ? 'link' : 'links'} ready`}
      </p>
      <button type="button" className="drawer-button" disabled={userIds.length === 0} onClick={() => setExporting(true)}>
        Export this batch
      </button>
      <button type="button" className="drawer-button" disabled={links.length === 0} onClick={() => void copy()}>
        Copy invite links
      </button>
      <button type="button" className="drawer-button drawer-button--primary" onClick={onClose}>
        Close
      </button>
      {exporting && userIds.length > 0 ? (
        <ExportDialog
          open
          title="Export this batch"
          onOpenChange={(next) => setExporting(next)}
          scopes={[
            {
              label: `The ${userIds.length.toLocaleString()} ${userIds.length === 1 ? 'invite' : 'invites'} of this batch, in its order`,
              scope: { kind: 'inviteBatch', userIds }
            }
          ]}
        />
      ) : null}
    </>
  )
}
