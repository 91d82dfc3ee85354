import { inviteSigningKey, newSigningKey, type InviteKeys } from '../../src-main/core/invite-keys'

/** A fresh signing key (and, when asked, an earlier HMAC key), kept in memory only. */
export async function testInviteKeys(legacy: Buffer | null = null): Promise<InviteKeys> {
  return { signing: await inviteSigningKey(newSigningKey()), legacy }
}
