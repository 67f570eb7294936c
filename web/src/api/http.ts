/** The app's one way to the network: every call passes here (the generated client uses it as its fetch).
 *
 * - Accept-Language and the bearer token on every call; an Idempotency-Key on every POST, kept across
 *   this call's retries so a retried POST never acts twice.
 * - GET answers are kept with their ETag: the next GET sends If-None-Match and a 304 reuses the kept
 *   body; with no network the kept body answers, so the agenda and opened customers stay readable.
 * - 401 → one refresh of the token, then sign-in; 429 → wait Retry-After and retry; 5xx and network
 *   failures → a message in Chinese (the screen keeps what it has).
 */
import { get as idbGet, set as idbSet } from 'idb-keyval'

export interface Hooks {
  token(): string | null
  refresh(): Promise<boolean>
  signedOut(): void
  lang(): string
  notify(message: 'serverError' | 'networkError'): void
}

interface Kept { etag: string | null; body: string; status: number }

let hooks: Hooks | null = null
export function installHooks(h: Hooks): void { hooks = h }

export const MAX_RETRIES = 3
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function newKey(): string {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`
}

function keptKey(url: string): string {
  return `get:${hooks?.token() ? 'auth' : 'anon'}:${url}`
}

function fromKept(kept: Kept, source: string): Response {
  return new Response(kept.body, { status: kept.status, headers: { 'content-type': 'application/json', 'x-from': source } })
}

export async function apiFetch(input: Request | string, init?: RequestInit): Promise<Response> {
  const request = typeof input === 'string' ? new Request(input, init) : input
  const method = request.method.toUpperCase()
  const body = method === 'GET' || method === 'HEAD' ? undefined : await request.clone().text()
  const headers = new Headers(request.headers)
  headers.set('Accept-Language', hooks?.lang() ?? 'zh-CN')
  if (method === 'POST' && !headers.has('Idempotency-Key')) headers.set('Idempotency-Key', newKey())
  const url = request.url
  const kept = method === 'GET' ? await idbGet<Kept>(keptKey(url)).catch(() => undefined) : undefined
  if (kept?.etag) headers.set('If-None-Match', kept.etag)
  let refreshed = false
  for (let attempt = 0; ; attempt++) {
    const token = hooks?.token()
    if (token) headers.set('Authorization', `Bearer ${token}`)
    let response: Response
    try {
      response = await fetch(url, { method, headers, body })
    } catch (err) {
      if (kept) return fromKept(kept, 'offline')
      hooks?.notify('networkError')
      throw err
    }
    if (response.status === 304 && kept) return fromKept(kept, 'etag')
    if (response.status === 401 && token && !refreshed && !url.includes('/auth/')) {
      refreshed = true
      if (await hooks!.refresh()) continue
    }
    if (response.status === 401 && !url.includes('/auth/token')) hooks?.signedOut()
    if (response.status === 429 && attempt < MAX_RETRIES) {
      const seconds = Number(response.headers.get('Retry-After')) || 1
      await sleep(Math.min(seconds, 10) * 1000)
      continue
    }
    if (response.status >= 500) {
      if (kept) return fromKept(kept, 'stale')
      if (response.status !== 503 || !url.includes('/me/home')) hooks?.notify('serverError')
    }
    if (method === 'GET' && response.status === 200) {
      const text = await response.clone().text()
      await idbSet(keptKey(url), { etag: response.headers.get('ETag'), body: text, status: 200 }).catch(() => {})
    }
    return response
  }
}
