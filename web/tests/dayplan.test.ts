import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useDayPlan, type Appointment } from '../src/stores/dayplan'
import type { Schemas } from '../src/api/client'

const task = (id: string, assignee = 'rm01') => ({ id, title: `task ${id}`, assignee, due_date: '2026-12-04' }) as Schemas['TaskPublic']
const appt = (id: string, at: string, status = 'booked') =>
  ({ id, rm: 'rm01', cif: `C${id}`, starts_at: `2026-12-04T${at}:00+08:00`, ends_at: `2026-12-04T${at.slice(0, 2)}:59:00+08:00`,
     place: '客户公司', purpose: '理财回访', status, booked_by: 'rm01', customer_id: 'x' }) as Appointment
const plan = (items: Schemas['PlanItem'][] = [], extra: Partial<Schemas['DayPlanPublic']> = {}) =>
  ({ date: '2026-12-04', rm: 'rm01', items, note: null, tasks: [], appointments: [], ...extra }) as Schemas['DayPlanPublic']

describe('the day plan being made', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('offers only my own tasks: one escalated or copied to me cannot be planned', () => {
    const day = useDayPlan()
    day.load(plan(), { items: [task('a'), task('b', 'rm02')], appointments: [] })
    expect(day.tasks.map((t) => t.id)).toEqual(['a'])
  })

  it('keeps a planned task that has left the agenda, and lists appointments by time', () => {
    const day = useDayPlan()
    day.load(plan([{ kind: 'task', id: 'old' }], { tasks: [task('old')], appointments: [appt('late', '15:00')] }),
             { items: [task('a')], appointments: [appt('early', '09:00')] })
    expect(day.tasks.map((t) => t.id)).toEqual(['old', 'a'])
    expect(day.appointments.map((a) => a.id)).toEqual(['early', 'late'])
  })

  it('sends the picked items in the order arranged, notes trimmed and empty ones as null', () => {
    const day = useDayPlan()
    day.load(plan(), { items: [task('a')], appointments: [appt('m', '10:00')] })
    day.toggle('task', 'a')
    day.toggle('appointment', 'm')
    day.move(1, -1)
    day.move(0, -1)   // already first: nothing moves
    day.entries[0].note = '  带上产品资料 '
    day.note = ' '
    expect(day.body()).toEqual({ items: [{ kind: 'appointment', id: 'm', note: '带上产品资料' },
                                         { kind: 'task', id: 'a', note: null }], note: null })
    day.toggle('task', 'a')
    expect(day.body().items.map((i) => i.id)).toEqual(['m'])
  })

  it('a new booking joins the candidates at its time but not the plan; a cancelled one leaves the plan', () => {
    const day = useDayPlan()
    day.load(plan([{ kind: 'appointment', id: 'm' }]), { items: [], appointments: [appt('m', '10:00')] })
    day.addAppointment(appt('n', '08:30'))
    expect(day.appointments.map((a) => a.id)).toEqual(['n', 'm'])
    expect(day.planned('appointment', 'n')).toBe(false)
    day.cancelled(appt('m', '10:00', 'cancelled'))
    expect(day.entries).toEqual([])
    expect(day.booked.map((a) => a.id)).toEqual(['n'])
  })

  it('names an appointment in the plan by its Beijing time whatever the phone zone', () => {
    const day = useDayPlan()
    day.load(plan([{ kind: 'appointment', id: 'm' }]), { items: [], appointments: [appt('m', '10:00')] })
    expect(day.label(day.entries[0])).toBe('10:00–10:59 Cm · 理财回访')
  })
})
