/** Who is signed in: the access token, the rotating refresh token (kept, so a day's work needs one
 * sign-in) and /me. A refresh runs once at a time: parallel 401s wait for the same one. */
import { defineStore } from 'pinia'
import type { Schemas } from '../api/client'
import { newKey } from '../api/http'

type Token = Schemas['Token']
type Me = Schemas['Me']
const STORE = 'session'

async function tokenCall(path: string, form: Record<string, string>): Promise<Token | null> {
  const response = await fetch(path, {
    // sign-in answers are never replayed by the gateway (they hold secrets); the key is sent as on every POST
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': newKey() },
    body: new URLSearchParams(form),
  })
  return response.ok ? ((await response.json()) as Token) : null
}

export const useSession = defineStore('session', {
  state: () => {
    const saved = JSON.parse(localStorage.getItem(STORE) || 'null') as { access: string; refresh: string; me: Me | null } | null
    return { access: saved?.access ?? null as string | null, refresh: saved?.refresh ?? null as string | null,
             me: saved?.me ?? null as Me | null, refreshing: null as Promise<boolean> | null }
  },
  getters: {
    signedIn: (s) => !!s.access,
    roles: (s): string[] => s.me?.roles ?? [],
    isLead: (s) => (s.me?.roles ?? []).some((r) => r === 'team_lead' || r === 'admin'),
    isBranchHead: (s) => (s.me?.roles ?? []).some((r) => r === 'branch_head' || r === 'admin'),
    // the credit department and the deputy head in charge see no book of customers (their own screens instead)
    // the team screens are a team's: an admin (who has none) does not get them
    leadsTeam: (s) => !!s.me?.team && (s.me?.roles ?? []).some((r) => r === 'team_lead' || r === 'admin'),
    seesCustomers: (s) => (s.me?.roles ?? []).some((r) => !['credit_reviewer', 'deputy_head'].includes(r)),
  },
  actions: {
    save() {
      localStorage.setItem(STORE, JSON.stringify({ access: this.access, refresh: this.refresh, me: this.me }))
    },
    keep(token: Token) {
      this.access = token.access_token
      this.refresh = token.refresh_token
      this.save()
    },
    async signIn(username: string, password: string): Promise<boolean> {
      const token = await tokenCall('/api/v1/auth/token', { username, password })
      if (!token) return false
      this.keep(token)
      const me = await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${token.access_token}` } })
      this.me = me.ok ? ((await me.json()) as Me) : null
      this.save()
      return true
    },
    renew(): Promise<boolean> {
      if (!this.refreshing) {
        const refresh = this.refresh
        this.refreshing = (refresh ? tokenCall('/api/v1/auth/refresh', { refresh_token: refresh }) : Promise.resolve(null))
          .then((token) => { if (token) this.keep(token); else this.clear(); return !!token })
          .catch(() => false)
          .finally(() => { this.refreshing = null })
      }
      return this.refreshing
    },
    async signOut() {
      if (this.access) {
        await fetch('/api/v1/auth/logout', {
          method: 'POST', headers: { Authorization: `Bearer ${this.access}`, 'Idempotency-Key': newKey() },
        }).catch(() => {})
      }
      this.clear()
    },
    clear() {
      this.access = null
      this.refresh = null
      this.me = null
      localStorage.removeItem(STORE)
    },
  },
})
