/** A list that follows the API's `next_cursor`: van-list calls `more` when its end scrolls into view, and
 * each call reads the page after the last one. `restart` reads the list anew from its first page. */
import { ref, type Ref } from 'vue'

export interface PageOf<T> { items: T[]; next_cursor?: string | null }

export function usePaged<T>(read: (cursor: string | undefined) => Promise<PageOf<T> | undefined>) {
  const items = ref([]) as Ref<T[]>
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  let cursor: string | undefined
  let run = 0   // a restart while a page is on its way: the late page belongs to the old list

  async function more(): Promise<void> {
    const mine = run
    loading.value = true
    try {
      const page = await read(cursor)
      if (mine !== run) return
      if (!page) { failed.value = true; finished.value = true; return }
      items.value.push(...page.items)
      cursor = page.next_cursor ?? undefined
      finished.value = !cursor
    } catch {
      if (mine === run) { failed.value = true; finished.value = true }
    } finally {
      if (mine === run) loading.value = false
    }
  }

  function restart(): Promise<void> {
    run += 1
    items.value = []
    cursor = undefined
    finished.value = false
    failed.value = false
    return more()
  }

  return { items, loading, finished, failed, more, restart }
}
