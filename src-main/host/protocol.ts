/** The browser host's own paths and header, shared by the server and the page shim it serves. */
export const SHIM_PATH = '/__rolekeeper/shim.js'
export const CALL_PREFIX = '/__rolekeeper/call/'
export const DOWNLOAD_PREFIX = '/__rolekeeper/download/'
/** The progress of running operations, which the page polls while it shows one. */
export const PROGRESS_PATH = '/__rolekeeper/progress'
export const SECRET_HEADER = 'x-rolekeeper-secret'
