/** Visits and calls logged without a network: kept in IndexedDB and sent once when the network is back.
 *
 * Never twice: each entry carries the Idempotency-Key it was made with, and every send of it uses that
 * key, so even an entry sent again (the answer lost, the tab closed mid-send) acts once on the server.
 * One flush runs at a time; an entry leaves the queue only when the server has answered it.
 */
import { defineStore } from 'pinia'
import { createStore, get, set, type UseStore } from 'idb-keyval'
import { newKey } from '../api/http'

export interface Entry { key: string; path: string; body: unknown; queuedAt: string; label: string }
export type Send = (entry: Entry) => Promise<Response>

let db: UseStore | null = null
const store = () => (db ??= createStore('rmwb-outbox', 'entries'))
const read = async () => (await get<Entry[]>('queue', store())) ?? []
const write = (entries: Entry[]) => set('queue', entries, store())

export const useOutbox = defineStore('outbox', {
  state: () => ({ entries: [] as Entry[], flushing: null as Promise<number> | null }),
  actions: {
    async load() { this.entries = await read() },
    async enqueue(path: string, body: unknown, label: string): Promise<Entry> {
      const entry = { key: newKey(), path, body: JSON.parse(JSON.stringify(body)), queuedAt: new Date().toISOString(), label }
      // IndexedDB stores plain values: the store's state is a reactive proxy, so what is written is the list read
      const entries = [...(await read()), entry]
      await write(entries)
      this.entries = entries
      return entry
    },
    /** Send every queued entry in order; returns how many the server took. Stops at the first one the
     * network refuses (still offline) and keeps it and the rest. */
    flush(send: Send): Promise<number> {
      if (!this.flushing) {
        this.flushing = this.run(send).finally(() => { this.flushing = null })
      }
      return this.flushing
    },
    async run(send: Send): Promise<number> {
      let sent = 0
      for (const entry of await read()) {
        let response: Response
        try {
          response = await send(entry)
        } catch {
          break
        }
        if (response.status >= 500 || response.status === 429) break
        // 2xx is done; a 4xx will not get better by sending again, so it leaves the queue too
        const rest = (await read()).filter((e) => e.key !== entry.key)
        await write(rest)
        this.entries = rest
        if (response.ok) sent++
      }
      return sent
    },
  },
})
