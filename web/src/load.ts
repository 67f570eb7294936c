/** A screen part fed by one GET: its data, whether it failed, and the pull-to-refresh flag. */
import { ref, type Ref } from 'vue'

export function useLoad<T>(get: () => Promise<{ data?: T }>) {
  const data = ref(null) as Ref<T | null>
  const failed = ref(false)
  const refreshing = ref(false)
  async function load() {
    try {
      const answer = await get()
      data.value = answer.data ?? null
      failed.value = !answer.data
    } catch {
      failed.value = true
    } finally {
      refreshing.value = false
    }
  }
  return { data, failed, refreshing, load }
}
