import { useState } from 'react'
import { api } from '../api'
import { describeError } from '../errors'
import { Icon } from './Icon'

/**
 * Show a file this run saved (an export, a backup) in the system's file manager. It names the
 * file by the id its outcome carried, never by a path. Nothing where the file was a download
 * (the browser host: `savedFileId` null).
 */
export function ShowInFolderButton({ savedFileId, className = 'button' }: { savedFileId: string | null; className?: string }) {
  const [problem, setProblem] = useState<string | null>(null)
  if (savedFileId === null) return null
  const show = async (): Promise<void> => {
    const result = await api.showSavedFile({ savedFileId })
    setProblem(result.ok ? null : describeError(result.error))
  }
  return (
    <>
      <button type="button" className={className} onClick={() => void show()}>
        <Icon name="folder_open" />
        Show in folder
      </button>
      {problem ? (
        <span className="field-error" role="alert">
          {problem}
        </span>
      ) : null}
    </>
  )
}
