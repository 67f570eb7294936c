import { describe, expect, it } from 'vitest'
import { itemsOf, reasonOf } from '../src/api/answers'
import { addDays, atBankTime, isoWeek } from '../src/day'
import { summaryParts } from '../src/summary'

describe('reading answers', () => {
  it('takes a list as a bare array or as a page', () => {
    expect(itemsOf([1, 2])).toEqual([1, 2])
    expect(itemsOf({ items: [3], next_cursor: 'c' })).toEqual([3])
    expect(itemsOf(undefined)).toEqual([])
  })

  it("shows a problem's field reason first, then its detail, then the fallback", () => {
    const clash = { detail: '与 2026-12-04 10:00 的预约时间冲突', errors: [{ field: 'starts_at', reason: '与 2026-12-04 10:00 的预约时间冲突' }] }
    expect(reasonOf(clash, 'x')).toBe('与 2026-12-04 10:00 的预约时间冲突')
    expect(reasonOf({ detail: '请求参数有误', errors: [{ field: 'place', reason: '不能为空' }] }, 'x')).toBe('不能为空')
    expect(reasonOf(undefined, '服务暂时出现问题')).toBe('服务暂时出现问题')
  })
})

describe('days and weeks', () => {
  it('names the ISO week, whose year is that of its Thursday', () => {
    expect(isoWeek('2026-12-04')).toBe('2026-W49')
    expect(isoWeek('2027-01-01')).toBe('2026-W53')
    expect(isoWeek('2024-12-30')).toBe('2025-W01')
  })

  it('moves dates across month ends and gives times in Beijing time', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(atBankTime('2026-12-04', '09:30')).toBe('2026-12-04T09:30:00+08:00')
  })
})

describe('a summary drafted by the server', () => {
  it('lists each kind of record with its count, and an absent kind as none', () => {
    const parts = summaryParts({
      tasks_completed: [{ title: '贷款到期提醒', on_time: false }],
      marketing_results: [{ day: '2026-12-04', cif: 'C1', category: 'wealth', amount: '50000.00', status: 'registered' }],
    })
    expect(parts.find((p) => p.key === 'tasks_completed')).toEqual({ key: 'tasks_completed', count: 1, lines: ['贷款到期提醒 (已逾期)'] })
    expect(parts.find((p) => p.key === 'marketing_results')?.lines).toEqual(['2026-12-04 C1 理财 ¥50000.00 · 登记'])
    expect(parts.find((p) => p.key === 'appointments')?.count).toBe(0)
  })
})
