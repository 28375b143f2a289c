/* The events cursor (DESIGN.md 2.4): which time windows to query each
 * cycle so that every CloudTrail record of a watched secret is reported
 * exactly once, across late delivery, restarts and downtime.
 *
 * Each cycle queries [last_end - Lookback, now] (never older than now -
 * MaxBackfill) with the same StartTime/EndTime on every page, drops the
 * event ids already seen, and remembers a "hole" when the page budget ran
 * out before the oldest records of a window were read; later cycles read
 * the hole with what budget is left. The cursor does no I/O: a fetch
 * callback reads one page, a record callback reports one new record. One
 * cursor per account; not thread-safe. */
#ifndef SW_PLUGIN_CURSOR_H
#define SW_PLUGIN_CURSOR_H

#include "plugin/seen.h"

#include "lib/ctrecord.h"
#include "lib/error.h"

#include <stddef.h>

/* A Lookback re-read that the page budget cut short: the next cycle goes
 * on with the same query (the NextToken is bound to its StartTime, EndTime
 * and attribute), so a late record behind a burst of newer ones is reached
 * within a few cycles instead of never. */
struct swp_walk {
  double start_s, end_s; /* the query's window; end_s 0: no walk */
  char *key, *value;     /* attribute of the query in progress (heap; key
                            NULL: the fetcher's default query) */
  char *token;           /* its next page (heap); NULL: from the top */
};

struct swp_cursor {
  double last_end_s;         /* end of the last live window read; 0: never */
  double hole_start_s;       /* a range that still needs reading ... */
  double hole_end_s;         /* ... 0 when there is none */
  struct swp_walk hole_walk; /* the part of a hole being read */
  struct swp_walk walk;      /* the Lookback re-read */
  struct swp_seen *seen;
};

/* One query of a window: a LookupEvents lookup attribute (key NULL: the
 * fetcher's default query). */
struct swp_query_attr {
  const char *key;
  const char *value;
};

struct swp_query {
  double start_s;
  double end_s;
  const struct swp_query_attr *attr;
};

/* Reads one page of q. *token is NULL for the first page; the fetcher
 * replaces it with the next page's token (heap, freed by the cursor) or
 * NULL after the last page. Records go into out (init'ed, empty). 0 or -1
 * with err. */
typedef int (*swp_fetch_fn)(void *ctx, const struct swp_query *q, char **token,
                            struct sw_ctrec_list *out, struct sw_error *err);
/* Called once per record never seen before (event_time_s already
 * defaulted when the record had none). */
typedef void (*swp_record_fn)(void *ctx, const struct sw_ctrec *rec,
                              double event_time_s);

struct swp_cursor_opts {
  double now_s;
  /* The server's clock minus now_s (learned from Date headers). Record
   * times and the query window are the server's, but a client whose offset
   * just changed (or is wrong) must not skip or forget what it read: the
   * window runs to the later of both clocks and reaches back Lookback plus
   * |offset|, and the seen set keeps every id of that window. */
  double clock_offset_s;
  long lookback_s;
  long max_backfill_s;
  int max_pages;    /* page budget for this cycle, all queries together */
  int newest_first; /* 1: pages run newest to oldest (LookupEvents) */
  const struct swp_query_attr *attrs; /* queries per window (>= 1) */
  size_t attrs_num;
  swp_fetch_fn fetch;
  void *fetch_ctx;
  swp_record_fn on_record;
  void *record_ctx;
};

struct swp_cursor_result {
  int pages;
  int records;     /* records returned, duplicates included */
  int new_records; /* reported through on_record */
  int dropped;     /* records without an event id (cannot be deduplicated) */
  int complete;    /* nothing is left unread (no hole) */
  int reread_cut;  /* the Lookback re-read ran out of budget: it goes on
                      next cycle where it stopped (see struct swp_walk) */
  double window_start_s, window_end_s;
};

/* 0 or -1 (out of memory). */
int swp_cursor_init(struct swp_cursor *c);
/* Forgets a walk (frees its strings). */
void swp_walk_clear(struct swp_walk *w);
/* Sets a walk (copies the strings; key, value and token may be NULL). 0 or
 * -1 (out of memory: no walk). */
int swp_walk_set(struct swp_walk *w, double start_s, double end_s,
                 const char *key, const char *value, const char *token);
/* 1 when both walks are the same query at the same place. */
int swp_walk_same(const struct swp_walk *a, const struct swp_walk *b);
void swp_cursor_clean_up(struct swp_cursor *c);

/* The live window of the next cycle at now_s. */
void swp_cursor_window(const struct swp_cursor *c, double now_s,
                       long lookback_s, long max_backfill_s, double *start_s,
                       double *end_s);

/* Runs one cycle. With nothing pending, one query over the whole window
 * (new part and re-read together; a cut-short rest becomes the hole walk).
 * Otherwise the new part [last_end, now] first (what the budget leaves
 * unread becomes the hole), then the hole (as a walk), then the Lookback
 * re-read as a walk that resumes where the budget stopped it. Returns 0,
 * or -1 with err when a fetch failed; in both cases the cursor is
 * consistent (records reported so far are in the seen set, last_end only
 * moves past a window that was read or became a hole, a re-read is never
 * dropped before it was walked to the end) and can be persisted. */
int swp_cursor_cycle(struct swp_cursor *c, const struct swp_cursor_opts *o,
                     struct swp_cursor_result *res, struct sw_error *err);

/* Strategy for LookupEvents (DESIGN.md 2.4): one EventName=GetSecretValue
 * query filtered locally, or one ResourceName query per secret, whichever
 * cost fewer pages. Estimates are per account. */
enum swp_strategy_kind { SWP_STRATEGY_EVENT_NAME = 0, SWP_STRATEGY_PER_SECRET };
struct swp_strategy {
  double est_event_name; /* pages the EventName query needs */
  double est_per_secret; /* pages the per-secret queries need together */
  enum swp_strategy_kind last;
  int probing; /* last was just tried on an old estimate of its cost */
};
void swp_strategy_init(struct swp_strategy *s, size_t secrets_num);
/* per_secret_ok: every secret has a full ARN to look up by ResourceName. */
enum swp_strategy_kind swp_strategy_choose(const struct swp_strategy *s,
                                           int per_secret_ok);
/* Learns from a cycle that used `used` and read `pages` pages; the other
 * estimate drifts down toward its minimum so it is tried again later. */
void swp_strategy_update(struct swp_strategy *s, enum swp_strategy_kind used,
                         int pages, int complete, size_t secrets_num);

#endif
