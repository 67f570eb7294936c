import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { clear, createStore } from 'idb-keyval'
import { useOutbox, type Entry } from '../src/stores/outbox'

const answer = (status: number) => new Response('{}', { status })

describe('the offline outbox', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await clear(createStore('rmwb-outbox', 'entries'))
  })

  it('sends a visit logged offline once when back online, with the key it was made with', async () => {
    const outbox = useOutbox()
    const entry = await outbox.enqueue('/api/v1/customers/c1/interactions', { notes: 'x' }, 'visit')
    const sent: Entry[] = []
    const send = async (e: Entry) => { sent.push(e); return answer(201) }
    expect(await outbox.flush(send)).toBe(1)
    expect(await outbox.flush(send)).toBe(0)
    expect(sent.map((e) => e.key)).toEqual([entry.key])
    expect(outbox.entries).toEqual([])
  })

  it('sends each entry once when two reconnect events flush at the same time', async () => {
    const outbox = useOutbox()
    await outbox.enqueue('/a', {}, 'one')
    await outbox.enqueue('/b', {}, 'two')
    const sent: string[] = []
    const send = async (e: Entry) => { sent.push(e.path); await new Promise((r) => setTimeout(r, 5)); return answer(201) }
    await Promise.all([outbox.flush(send), outbox.flush(send)])
    await outbox.flush(send)
    expect(sent).toEqual(['/a', '/b'])
  })

  it('keeps the entry while the network still fails and sends it on the next flush', async () => {
    const outbox = useOutbox()
    await outbox.enqueue('/a', {}, 'one')
    expect(await outbox.flush(async () => { throw new TypeError('Failed to fetch') })).toBe(0)
    expect(outbox.entries).toHaveLength(1)
    expect(await outbox.flush(async () => answer(503))).toBe(0)
    expect(outbox.entries).toHaveLength(1)
    expect(await outbox.flush(async () => answer(201))).toBe(1)
    expect(outbox.entries).toHaveLength(0)
  })

  it('survives a reload: a second store instance finds what the first one queued', async () => {
    await useOutbox().enqueue('/a', { notes: 'kept' }, 'one')
    setActivePinia(createPinia())
    const again = useOutbox()
    await again.load()
    expect(again.entries.map((e) => e.body)).toEqual([{ notes: 'kept' }])
  })

  it('drops an entry the server refuses for good (4xx) instead of sending it forever', async () => {
    const outbox = useOutbox()
    await outbox.enqueue('/a', {}, 'bad')
    await outbox.enqueue('/b', {}, 'good')
    const sent: string[] = []
    const taken = await outbox.flush(async (e) => { sent.push(e.path); return answer(e.path === '/a' ? 422 : 201) })
    expect(taken).toBe(1)
    expect(sent).toEqual(['/a', '/b'])
    expect(outbox.entries).toEqual([])
  })
})
