/** Reading the API's answers the same way on every screen: lists that are a bare array or a page
 * (`{items, next_cursor}`), and a problem's reason in the person's language. */

/** A list answer's items, whichever of the two shapes it has (customer-service lists are becoming pages). */
export function itemsOf<T>(answer: T[] | { items: T[]; next_cursor?: string | null } | null | undefined): T[] {
  if (!answer) return []
  return Array.isArray(answer) ? answer : answer.items ?? []
}

interface Problem { detail?: string; errors?: { field?: string | null; reason?: string }[] }

/** What went wrong, as the server said it (its texts follow Accept-Language): a field's reason first,
 * as that is the precise one, else the problem's detail; `fallback` when the answer says nothing. */
export function reasonOf(error: unknown, fallback: string): string {
  const problem = (error ?? {}) as Problem
  return problem.errors?.find((e) => e.reason)?.reason ?? problem.detail ?? fallback
}
