/** A summary's content (what the tasks service drafted from the period's records) as the parts the
 * screen lists: each kind of record with its count and one line per record. */
import { bankTime } from './day'
import { word } from './i18n'

export const PARTS = ['tasks_completed', 'appointments', 'interactions', 'marketing_results',
  'premium_accounts_opened', 'premium_accounts_closed'] as const
export interface Part { key: (typeof PARTS)[number]; count: number; lines: string[] }
type Row = Record<string, unknown>

function line(key: Part['key'], r: Row): string {
  const s = (v: unknown) => (v == null ? '' : String(v))
  switch (key) {
    case 'tasks_completed': return `${s(r.title)}${r.on_time === false ? ` (${word('overdue')})` : ''}`
    case 'appointments': return `${r.starts_at ? bankTime(s(r.starts_at)) : ''} ${s(r.cif)} ${s(r.purpose)} · ${word(s(r.status))}`
    case 'interactions': return `${s(r.day)} ${s(r.cif)} ${word(s(r.channel))}`
    case 'marketing_results':
      return `${s(r.day)} ${s(r.cif)} ${word(s(r.category))} ${r.amount != null ? `¥${s(r.amount)}` : s(r.count)} · ${word(s(r.status))}`
    default: return `${s(r.day)} ${s(r.cif)} ${r.product ? s(r.product) : ''}`.trim()
  }
}

export function summaryParts(content: Record<string, unknown> | null | undefined): Part[] {
  return PARTS.map((key) => {
    const rows = Array.isArray(content?.[key]) ? (content![key] as Row[]) : []
    return { key, count: rows.length, lines: rows.map((r) => line(key, r)) }
  })
}
