/** The RM's day being planned (当日工作计划): what may go in it — the RM's own open tasks due by the day
 * and the day's booked appointments — and the plan itself, in order, each item with a note. The screen
 * changes it locally; `body()` is what PUT /me/day-plan replaces the saved plan with. */
import { defineStore } from 'pinia'
import type { Schemas } from '../api/client'
import { bankTime } from '../day'

export type Appointment = Schemas['AppointmentPublic']
type Task = Schemas['TaskPublic']
export type Kind = 'task' | 'appointment'
export interface Entry { kind: Kind; id: string; note: string }

const byTime = (a: Appointment, b: Appointment) => a.starts_at.localeCompare(b.starts_at)

export const useDayPlan = defineStore('dayplan', {
  state: () => ({
    date: '', rm: '', note: '', entries: [] as Entry[],
    tasks: [] as Task[], appointments: [] as Appointment[],
  }),
  getters: {
    /** Appointments still to be kept (booked), by time: the ones that may be planned or cancelled. */
    booked: (s) => s.appointments.filter((a) => a.status === 'booked'),
    planned: (s) => (kind: Kind, id: string) => s.entries.some((e) => e.kind === kind && e.id === id),
  },
  actions: {
    /** The saved plan and the day's agenda as one list of candidates; the plan's own items first seen
     * there too (a planned task may have left the agenda since). Only the RM's own tasks: the API
     * refuses to plan one escalated or copied to them. */
    load(plan: Schemas['DayPlanPublic'], agenda: { items: Task[]; appointments?: Appointment[] } | null) {
      this.date = plan.date
      this.rm = plan.rm
      this.note = plan.note ?? ''
      this.entries = plan.items.map((i) => ({ kind: i.kind, id: i.id, note: i.note ?? '' }))
      const tasks = new Map<string, Task>()
      for (const t of [...plan.tasks, ...(agenda?.items ?? [])]) if (t.assignee === plan.rm) tasks.set(t.id, t)
      this.tasks = [...tasks.values()]
      const appts = new Map<string, Appointment>()
      for (const a of [...plan.appointments, ...(agenda?.appointments ?? [])]) appts.set(a.id, a)
      this.appointments = [...appts.values()].sort(byTime)
    },
    toggle(kind: Kind, id: string) {
      if (this.planned(kind, id)) this.entries = this.entries.filter((e) => !(e.kind === kind && e.id === id))
      else this.entries.push({ kind, id, note: '' })
    },
    move(index: number, by: -1 | 1) {
      const to = index + by
      if (to < 0 || to >= this.entries.length) return
      const entries = [...this.entries]
      ;[entries[index], entries[to]] = [entries[to], entries[index]]
      this.entries = entries
    },
    /** A new appointment of this day joins the candidates at its time (not the plan: the RM decides). */
    addAppointment(appointment: Appointment) {
      this.appointments = [...this.appointments.filter((a) => a.id !== appointment.id), appointment].sort(byTime)
    },
    /** A cancelled appointment stays listed as cancelled and leaves the plan. */
    cancelled(appointment: Appointment) {
      this.addAppointment(appointment)
      this.entries = this.entries.filter((e) => !(e.kind === 'appointment' && e.id === appointment.id))
    },
    label(entry: Entry): string {
      if (entry.kind === 'task') return this.tasks.find((t) => t.id === entry.id)?.title ?? entry.id
      const a = this.appointments.find((x) => x.id === entry.id)
      return a ? `${bankTime(a.starts_at)}–${bankTime(a.ends_at)} ${a.cif} · ${a.purpose}` : entry.id
    },
    body(): Schemas['DayPlanUpdate'] {
      return {
        items: this.entries.map((e) => ({ kind: e.kind, id: e.id, note: e.note.trim() || null })),
        note: this.note.trim() || null,
      }
    },
  },
})
