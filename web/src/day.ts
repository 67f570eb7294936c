/** The phone's calendar day as YYYY-MM-DD (local time): the day a visit happened on. */
export function businessDay(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** The month as an appraisal period, YYYY-MM. */
export function monthPeriod(now: Date = new Date()): string {
  return businessDay(now).slice(0, 7)
}
