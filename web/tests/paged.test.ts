import { describe, expect, it } from 'vitest'
import { usePaged, type PageOf } from '../src/paged'

function pages(...all: PageOf<number>[]) {
  const asked: (string | undefined)[] = []
  return { asked, read: async (cursor: string | undefined) => { asked.push(cursor); return all[asked.length - 1] } }
}

describe('a list that follows next_cursor', () => {
  it('reads each next page with the cursor of the one before and stops on the last', async () => {
    const api = pages({ items: [1, 2], next_cursor: 'a' }, { items: [3], next_cursor: null })
    const list = usePaged(api.read)
    await list.more()
    expect([list.items.value, list.finished.value]).toEqual([[1, 2], false])
    await list.more()
    expect([list.items.value, list.finished.value, api.asked]).toEqual([[1, 2, 3], true, [undefined, 'a']])
  })

  it('keeps what it shows and stops asking when a page fails', async () => {
    const list = usePaged(pages({ items: [1], next_cursor: 'a' }, undefined as unknown as PageOf<number>).read)
    await list.more()
    await list.more()
    expect([list.items.value, list.failed.value, list.finished.value]).toEqual([[1], true, true])
  })

  it('drops a page that arrives after a restart began the list anew', async () => {
    let release: (page: PageOf<number>) => void = () => {}
    const asked: (string | undefined)[] = []
    const list = usePaged<number>((cursor) => {
      asked.push(cursor)
      return asked.length === 1 ? new Promise<PageOf<number>>((r) => { release = r }) : Promise.resolve({ items: [9], next_cursor: null })
    })
    const late = list.more()
    await list.restart()
    release({ items: [1, 2], next_cursor: 'stale' })
    await late
    expect([list.items.value, list.finished.value, list.loading.value]).toEqual([[9], true, false])
  })
})
