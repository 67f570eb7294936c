/** Tasks the screens have seen, by id: the task screen opens from them, as the API has no
 * GET /tasks/{id}; a task not seen yet is looked up page by page in /tasks. */
import { api, type Schemas } from '../api/client'

export type Task = Schemas['TaskPublic'] & { rank_reason?: string }
const seen = new Map<string, Task>()

export function remember(tasks: Task[]): void {
  for (const task of tasks) seen.set(task.id, task)
}

export async function findTask(id: string): Promise<Task | null> {
  if (seen.has(id)) return seen.get(id)!
  let cursor: string | undefined
  for (let page = 0; page < 20; page++) {
    const { data } = await api.GET('/api/v1/tasks', { params: { query: { limit: 200, cursor } } })
    if (!data) return null
    remember(data.items as Task[])
    if (seen.has(id)) return seen.get(id)!
    if (!data.next_cursor) return null
    cursor = data.next_cursor
  }
  return null
}
