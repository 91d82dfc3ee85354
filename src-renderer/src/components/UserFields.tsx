import type { ReactNode } from 'react'
import type { UserStatus } from '../../../src-main/ipc/contract'
import { LIMITS, USER_STATUSES } from '../../../src-main/core/model'
import { STATUS_LABELS } from '../format'
import { FieldError, fieldProps } from './Drawer'

/** The text fields a user has, as typed in a drawer (tags comma-separated). */
export interface UserTextFields {
  email: string
  firstName: string
  lastName: string
  title: string
  location: string
  description: string
  tags: string
}

export type UserTextField = keyof UserTextFields

export const tagList = (text: string): string[] =>
  Array.from(
    new Set(
      text
        .split(',')
        .map((tag) => tag.trim())
        .filter((tag) => tag.length > 0)
    )
  )

export const textOrNull = (value: string): string | null => (value.trim().length > 0 ? value.trim() : null)

export const checkLength = (value: string, max: number): string | undefined =>
  value.trim().length > max ? `At most ${max} characters.` : undefined

export function checkTags(text: string): string | undefined {
  const list = tagList(text)
  if (list.length > LIMITS.tags) return `At most ${LIMITS.tags} tags.`
  const long = list.find((tag) => tag.length > LIMITS.tagLength)
  return long ? `“${long}” is longer than ${LIMITS.tagLength} characters.` : undefined
}

export interface UserFieldsProps {
  /** Prefix of every input id, so a field can be focused as `#<idPrefix>-<field>`. */
  idPrefix: string
  values: UserTextFields
  errors: Partial<Record<UserTextField, string>>
  onChange(field: UserTextField, value: string): void
  onEmailBlur?(): void
  /** Placed after the names: password, status (and role) differ between creating and editing. */
  children: ReactNode
}

/** The fields the Create user and Edit user drawers share. */
export function UserFields({ idPrefix, values, errors, onChange, onEmailBlur, children }: UserFieldsProps) {
  const id = (field: string): string => `${idPrefix}-${field}`

  const textField = (field: UserTextField, label: string, max: number) => (
    <div className="drawer-field">
      <label htmlFor={id(field)}>{label}</label>
      <input
        {...fieldProps(id(field), errors[field])}
        type="text"
        value={values[field]}
        maxLength={max}
        autoComplete="off"
        onChange={(event) => onChange(field, event.target.value)}
      />
      <FieldError id={id(field)} error={errors[field]} />
    </div>
  )

  return (
    <>
      <div className="drawer-field">
        <label htmlFor={id('email')}>
          Email <span className="drawer-required">(required)</span>
        </label>
        <input
          {...fieldProps(id('email'), errors.email)}
          type="email"
          data-autofocus
          value={values.email}
          maxLength={LIMITS.email}
          autoComplete="off"
          spellCheck={false}
          aria-required="true"
          onChange={(event) => onChange('email', event.target.value)}
          onBlur={onEmailBlur}
        />
        <FieldError id={id('email')} error={errors.email} />
      </div>

      <div className="drawer-field-row">
        {textField('firstName', 'First name', LIMITS.personName)}
        {textField('lastName', 'Last name', LIMITS.personName)}
      </div>

      {children}

      <div className="drawer-field-row">
        {textField('title', 'Title', LIMITS.profileText)}
        {textField('location', 'Location', LIMITS.profileText)}
      </div>

      <div className="drawer-field">
        <label htmlFor={id('description')}>Description</label>
        <textarea
          {...fieldProps(id('description'), errors.description)}
          value={values.description}
          maxLength={LIMITS.userDescription}
          rows={3}
          onChange={(event) => onChange('description', event.target.value)}
        />
        <FieldError id={id('description')} error={errors.description} />
      </div>

      <div className="drawer-field">
        <label htmlFor={id('tags')}>Tags</label>
        <p id={id('tags-hint')} className="drawer-hint">
          Separate tags with commas.
        </p>
        <input
          {...fieldProps(id('tags'), errors.tags, id('tags-hint'))}
          type="text"
          value={values.tags}
          autoComplete="off"
          onChange={(event) => onChange('tags', event.target.value)}
        />
        <FieldError id={id('tags')} error={errors.tags} />
      </div>
    </>
  )
}

export function StatusField({
  idPrefix,
  value,
  error,
  onChange
}: {
  idPrefix: string
  value: UserStatus
  error: string | undefined
  onChange(status: UserStatus): void
}) {
  const id = `${idPrefix}-status`
  return (
    <div className="drawer-field">
      <label htmlFor={id}>Status</label>
      <select
        {...fieldProps(id, error)}
        value={value}
        onChange={(event) => {
          const status = USER_STATUSES.find((candidate) => candidate === event.target.value)
          if (status) onChange(status)
        }}
      >
        {USER_STATUSES.map((status) => (
          <option key={status} value={status}>
            {STATUS_LABELS[status]}
          </option>
        ))}
      </select>
      <FieldError id={id} error={error} />
    </div>
  )
}
