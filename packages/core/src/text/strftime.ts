const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Formats `date` (local time) like Python's `time.strftime` in the C locale, as chat templates' `strftime_now` expects
 * (e.g. `%d %b %Y` gives `05 Mar 2025`).
 *
 * Supported: `%a %A %b %B %d %e %H %I %j %m %M %p %S %y %Y %%`; other directives are left as written.
 */
export function strftime(date: Date, format: string): string {
  const pad = (n: number, width = 2, fill = '0') => String(n).padStart(width, fill);
  return format.replace(/%[aAbBdeHIjmMpSyY%]/g, (directive) => {
    switch (directive) {
      case '%a':
        return DAYS[date.getDay()].slice(0, 3);
      case '%A':
        return DAYS[date.getDay()];
      case '%b':
        return MONTHS[date.getMonth()].slice(0, 3);
      case '%B':
        return MONTHS[date.getMonth()];
      case '%d':
        return pad(date.getDate());
      case '%e':
        return pad(date.getDate(), 2, ' ');
      case '%H':
        return pad(date.getHours());
      case '%I':
        return pad(((date.getHours() + 11) % 12) + 1);
      case '%j':
        return pad(dayOfYear(date), 3);
      case '%m':
        return pad(date.getMonth() + 1);
      case '%M':
        return pad(date.getMinutes());
      case '%p':
        return date.getHours() < 12 ? 'AM' : 'PM';
      case '%S':
        return pad(date.getSeconds());
      case '%y':
        return pad(date.getFullYear() % 100);
      case '%Y':
        return String(date.getFullYear());
      default:
        return '%';
    }
  });
}

function dayOfYear(date: Date): number {
  const start = Date.UTC(date.getFullYear(), 0, 1);
  const today = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
  return Math.round((today - start) / 86_400_000) + 1;
}
