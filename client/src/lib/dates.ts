// Due dates are calendar dates (YYYY-MM-DD, no time zone): compare and show them as such,
// never through a Date at midnight UTC, which would shift them a day west of Greenwich.

/** Today's date in the user's time zone, as YYYY-MM-DD. */
export function todayIsoDate(now = new Date()): string {
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${month}-${day}`;
}

const formatter = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "3 Mar 2025" (in the user's locale) for "2025-03-03". */
export function formatIsoDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-').map(Number);
  if (!year || !month || !day) return isoDate;
  return formatter.format(new Date(Date.UTC(year, month - 1, day)));
}

export function isOverdue(isoDate: string | null, today = todayIsoDate()): boolean {
  return isoDate !== null && isoDate < today;
}
