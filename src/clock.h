/* clock.h - the one clock of idx: monotonic seconds.
 *
 * Every timing (took_ms, ingest rates, merge times), deadline (a search's
 * budget, a stop's grace, connection timeouts) and decay (idxd's
 * per-connection costs) reads this clock, so any two of them compare.  Wall
 * time (dates, uptime) is not this clock.
 */
#ifndef IDX_CLOCK_H
#define IDX_CLOCK_H

/* Seconds on CLOCK_MONOTONIC (an arbitrary start, never stepped). */
double idx_clock(void);

/* Sleep secs seconds (nothing when secs <= 0); a signal handled meanwhile
 * ends it early, so a loop that checks a stop flag sees the flag at once.
 * To sleep the whole time regardless, loop until idx_clock() says so. */
void idx_sleep(double secs);

#endif
