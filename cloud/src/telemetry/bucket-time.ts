/** `00` to `59`: hours, minutes and seconds as they are written. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Writes buckets' starts, whole seconds since the epoch, as ISO 8601 UTC without fractions
 * (`2026-05-02T13:00:00Z`). A series holds up to 10,000 buckets, most sharing their day with the
 * one before: the date is written once a day and the time of day from a table, where a Date and
 * its toISOString for each bucket took a third of the time of a 30-day hourly answer (#17).
 * @example const ts = bucketTimes(); ts(1777726800) // '2026-05-02T13:00:00Z'
 */
export function bucketTimes(): (seconds: number) => string {
  let day = Number.NaN;
  let date = '';
  return (at) => {
    const seconds = Math.floor(at);
    const d = Math.floor(seconds / 86_400);
    if (d !== day) {
      day = d;
      const iso = new Date(d * 86_400_000).toISOString();
      date = iso.slice(0, iso.indexOf('T') + 1);
    }
    const s = seconds - d * 86_400;
    return `${date}${TWO_DIGITS[Math.floor(s / 3600)]}:${TWO_DIGITS[Math.floor(s / 60) % 60]}:${TWO_DIGITS[s % 60]}Z`;
  };
}
