/* The set of CloudTrail event ids already reported, with each record's
 * event time, so a record re-read inside the lookback window is dropped.
 * An open-addressing hash set: add and lookup are O(1), pruning is one
 * pass. Not thread-safe (each account owns its set). */
#ifndef SW_PLUGIN_SEEN_H
#define SW_PLUGIN_SEEN_H

#include <stddef.h>

/* Far more than 2 req/s x 50 records x a day of lookback can produce. */
#define SWP_SEEN_MAX ((size_t)4 << 20)
#define SWP_SEEN_ID_MAX 255 /* longer ids are refused */

struct swp_seen;

struct swp_seen *swp_seen_new(void);
void swp_seen_free(struct swp_seen *s);

/* 1 when id is in the set. */
int swp_seen_has(const struct swp_seen *s, const char *id);
/* Adds id with its event time (epoch seconds). 1 when added, 0 when it was
 * already there (its time is kept), -1 when the id is empty or too long,
 * the set is full or memory ran out. */
int swp_seen_add(struct swp_seen *s, const char *id, double event_time_s);
/* Drops every id whose event time is before cutoff_s. Returns how many. */
size_t swp_seen_prune(struct swp_seen *s, double cutoff_s);
size_t swp_seen_count(const struct swp_seen *s);
/* Grows whenever an id was added or dropped: the set is unchanged while it
 * stays the same. */
unsigned long swp_seen_changes(const struct swp_seen *s);

/* Calls fn for every entry (in no particular order); stops early when fn
 * returns non-zero and returns that value. */
int swp_seen_foreach(const struct swp_seen *s,
                     int (*fn)(const char *id, double event_time_s, void *ctx),
                     void *ctx);

#endif
