import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clear } from 'idb-keyval'
import { apiFetch, installHooks, type Hooks } from '../src/api/http'

const URL_ = 'http://app.test/api/v1/me/home'
let token = 'a1'
let hooks: Hooks
const calls: { url: string; headers: Headers; method: string }[] = []

function serve(...answers: (Response | Error)[]) {
  globalThis.fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), headers: new Headers(init?.headers), method: init?.method ?? 'GET' })
    const next = answers.shift()
    if (!next || next instanceof Error) throw next ?? new Error('no answer left')
    return next
  }) as typeof fetch
}

describe('apiFetch', () => {
  beforeEach(async () => {
    calls.length = 0
    token = 'a1'
    await clear()
    hooks = {
      token: () => token, lang: () => 'zh-CN', notify: vi.fn(), signedOut: vi.fn(),
      refresh: vi.fn(async () => { token = 'a2'; return true }),
    }
    installHooks(hooks)
  })
  afterEach(() => vi.useRealTimers())

  it('reuses a kept body on 304 after sending its ETag as If-None-Match', async () => {
    serve(new Response('{"n":1}', { status: 200, headers: { ETag: 'W/"e1"' } }), new Response(null, { status: 304 }))
    await apiFetch(URL_)
    const second = await apiFetch(URL_)
    expect(calls[1].headers.get('If-None-Match')).toBe('W/"e1"')
    expect(await second.json()).toEqual({ n: 1 })
  })

  it('answers a GET from the kept copy when the network is gone', async () => {
    serve(new Response('{"agenda":[1]}', { status: 200 }), new TypeError('Failed to fetch'))
    await apiFetch(URL_)
    const offline = await apiFetch(URL_)
    expect(offline.headers.get('x-from')).toBe('offline')
    expect(await offline.json()).toEqual({ agenda: [1] })
  })

  it('sends one Idempotency-Key on a POST and the same one again when a 429 makes it retry', async () => {
    vi.useFakeTimers()
    serve(new Response('{}', { status: 429, headers: { 'Retry-After': '2' } }), new Response('{}', { status: 201 }))
    const pending = apiFetch('http://app.test/api/v1/tasks', { method: 'POST', body: '{}' })
    await vi.advanceTimersByTimeAsync(2000)
    expect((await pending).status).toBe(201)
    const keys = calls.map((c) => c.headers.get('Idempotency-Key'))
    expect(keys[0]).toBeTruthy()
    expect(keys).toEqual([keys[0], keys[0]])
  })

  it('refreshes the token once on 401 and repeats the call with the new one', async () => {
    serve(new Response('{}', { status: 401 }), new Response('{}', { status: 200 }))
    expect((await apiFetch(URL_)).status).toBe(200)
    expect(calls.map((c) => c.headers.get('Authorization'))).toEqual(['Bearer a1', 'Bearer a2'])
    expect(hooks.signedOut).not.toHaveBeenCalled()
  })

  it('sends the person to sign-in when the refresh fails too', async () => {
    hooks.refresh = vi.fn(async () => false)
    serve(new Response('{}', { status: 401 }))
    expect((await apiFetch(URL_)).status).toBe(401)
    expect(hooks.signedOut).toHaveBeenCalledOnce()
  })

  it('tells the person in words when the server fails, and sends the chosen language', async () => {
    serve(new Response('{}', { status: 500 }))
    await apiFetch('http://app.test/api/v1/customers')
    expect(hooks.notify).toHaveBeenCalledWith('serverError')
    expect(calls[0].headers.get('Accept-Language')).toBe('zh-CN')
  })
})
