/** Whether the phone is online, and flushing the outbox when it comes back. */
import { ref } from 'vue'
import { apiFetch } from '../api/http'
import { useOutbox, type Entry } from './outbox'

export const online = ref(navigator.onLine)

export function sendEntry(entry: Entry): Promise<Response> {
  return apiFetch(entry.path, {
    method: 'POST', body: JSON.stringify(entry.body),
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.key },
  })
}

export function watchOnline(): void {
  const outbox = useOutbox()
  const flush = () => outbox.flush(sendEntry)
  window.addEventListener('online', () => { online.value = true; flush() })
  window.addEventListener('offline', () => { online.value = false })
  outbox.load().then(() => { if (navigator.onLine) flush() })
}
