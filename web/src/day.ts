/** Days and times as the bank counts them. Business dates are YYYY-MM-DD; clock times are Beijing time
 * (the bank's zone), whatever zone the phone is set to. */
const BANK_OFFSET = '+08:00'
const BANK_ZONE = 'Asia/Shanghai'

/** The phone's calendar day as YYYY-MM-DD (local time): the day a visit happened on. */
export function businessDay(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** The month as an appraisal period, YYYY-MM. */
export function monthPeriod(now: Date = new Date()): string {
  return businessDay(now).slice(0, 7)
}

/** A business date moved by whole days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The ISO week of a business date, YYYY-Www (the weekly summary's period). */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  const weekday = d.getUTCDay() || 7
  d.setUTCDate(d.getUTCDate() + 4 - weekday)   // the week's Thursday decides its year
  const jan1 = Date.UTC(d.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((d.getTime() - jan1) / 86_400_000 + 1) / 7)
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/** A business date and a clock time HH:MM in Beijing time, as the instant the API takes. */
export function atBankTime(day: string, hhmm: string): string {
  return `${day}T${hhmm}:00${BANK_OFFSET}`
}

/** An instant shown as the bank's clock time, HH:MM. */
export function bankTime(instant: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: BANK_ZONE, hour: '2-digit', minute: '2-digit', hour12: false })
    .format(new Date(instant))
}
