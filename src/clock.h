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

#endif
