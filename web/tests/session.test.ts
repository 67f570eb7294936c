import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useSession } from '../src/stores/session'

const token = (n: number) => ({ access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 1800, refresh_expires_in: 86400, token_type: 'bearer' })
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status })

describe('the session store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('keeps the refresh token so a reload stays signed in', async () => {
    globalThis.fetch = vi.fn(async (url: RequestInfo | URL) =>
      String(url).endsWith('/auth/token') ? json(token(1)) : json({ username: 'rm01', roles: ['rm'] })) as typeof fetch
    expect(await useSession().signIn('rm01', 'pw')).toBe(true)
    setActivePinia(createPinia())
    const reloaded = useSession()
    expect(reloaded.signedIn).toBe(true)
    expect(reloaded.refresh).toBe('r1')
    expect(reloaded.me?.username).toBe('rm01')
  })

  it('rotates the refresh token once however many calls ask at the same time', async () => {
    localStorage.setItem('session', JSON.stringify({ access: 'a1', refresh: 'r1', me: null }))
    const sent: string[] = []
    globalThis.fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent.push(String(init?.body))
      return json(token(2))
    }) as typeof fetch
    const session = useSession()
    expect(await Promise.all([session.renew(), session.renew(), session.renew()])).toEqual([true, true, true])
    expect(sent).toEqual(['refresh_token=r1'])
    expect(session.access).toBe('a2')
    expect(JSON.parse(localStorage.getItem('session')!).refresh).toBe('r2')
  })

  it('forgets everything when the refresh token is refused', async () => {
    localStorage.setItem('session', JSON.stringify({ access: 'a1', refresh: 'r1', me: null }))
    globalThis.fetch = vi.fn(async () => json({}, 401)) as typeof fetch
    const session = useSession()
    expect(await session.renew()).toBe(false)
    expect(session.signedIn).toBe(false)
    expect(localStorage.getItem('session')).toBeNull()
  })
})
