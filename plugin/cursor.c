/* The events cursor: windows, holes, the seen set and the query strategy. */
#include "plugin/cursor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Seen ids are kept this much longer than strictly needed, for records
 * whose eventTime sits right on a window edge. */
#define SEEN_SLACK_S 300.0

int swp_cursor_init(struct swp_cursor *c) {
  memset(c, 0, sizeof(*c));
  c->seen = swp_seen_new();
  return c->seen ? 0 : -1;
}

void swp_cursor_clean_up(struct swp_cursor *c) {
  if (c == NULL)
    return;
  swp_seen_free(c->seen);
  memset(c, 0, sizeof(*c));
}

void swp_cursor_window(const struct swp_cursor *c, double now_s,
                       long lookback_s, long max_backfill_s, double *start_s,
                       double *end_s) {
  double start = c->last_end_s > 0 ? c->last_end_s - (double)lookback_s
                                   : now_s - (double)lookback_s;
  double floor_s = now_s - (double)max_backfill_s;
  /* A last_end in the future (clock stepped back) must not leave a gap. */
  if (start > now_s - (double)lookback_s)
    start = now_s - (double)lookback_s;
  if (start < floor_s)
    start = floor_s;
  *start_s = floor(start);
  *end_s = ceil(now_s);
}

/* What one window run left unread. */
struct unread {
  double lo, hi; /* lo > hi: nothing */
};

static void unread_add(struct unread *u, double lo, double hi) {
  if (hi <= lo)
    return;
  if (u->lo > u->hi) {
    u->lo = lo;
    u->hi = hi;
    return;
  }
  u->lo = fmin(u->lo, lo);
  u->hi = fmax(u->hi, hi);
}

static void take_record(struct swp_cursor *c, const struct swp_cursor_opts *o,
                        const struct sw_ctrec *rec, double t,
                        struct swp_cursor_result *res) {
  res->records++;
  if (rec->event_id[0] == '\0') {
    res->dropped++;
    return;
  }
  if (swp_seen_has(c->seen, rec->event_id))
    return;
  o->on_record(o->record_ctx, rec, t);
  res->new_records++;
  /* When the set is full the record was still reported once; it may be
   * reported again, which beats losing it. */
  (void)swp_seen_add(c->seen, rec->event_id, t);
}

/* Pages through one query of one window. Returns 0 (complete or budget
 * spent: *complete says which) or -1. */
static int run_query(struct swp_cursor *c, const struct swp_cursor_opts *o,
                     const struct swp_query *q, struct swp_cursor_result *res,
                     struct unread *u, struct sw_error *err) {
  char *token = NULL;
  double oldest = q->end_s, newest = q->start_s;
  int rc = 0, first = 1;
  for (;;) {
    struct sw_ctrec_list page;
    if (!first && token == NULL)
      break; /* read to the end */
    if (res->pages >= o->max_pages) {
      /* Out of budget: the unread part is the oldest (newest-first) or the
       * newest (oldest-first) end of the window. */
      if (o->newest_first)
        unread_add(u, q->start_s, first ? q->end_s : oldest + 1);
      else
        unread_add(u, first ? q->start_s : newest - 1, q->end_s);
      break;
    }
    sw_ctrec_list_init(&page);
    res->pages++;
    rc = o->fetch(o->fetch_ctx, q, &token, &page, err);
    if (rc == 0) {
      for (size_t i = 0; i < page.count; i++) {
        const struct sw_ctrec *rec = &page.items[i];
        double t = rec->has_event_time ? rec->event_time_s : q->end_s;
        oldest = fmin(oldest, t);
        newest = fmax(newest, t);
        take_record(c, o, rec, t, res);
      }
    }
    sw_ctrec_list_clean_up(&page);
    first = 0;
    if (rc != 0) {
      res->complete = 0;
      break;
    }
  }
  free(token);
  return rc;
}

static int run_window(struct swp_cursor *c, const struct swp_cursor_opts *o,
                      double start_s, double end_s,
                      struct swp_cursor_result *res, struct unread *u,
                      struct sw_error *err) {
  for (size_t i = 0; i < o->attrs_num; i++) {
    struct swp_query q = {start_s, end_s, &o->attrs[i]};
    if (run_query(c, o, &q, res, u, err) != 0) {
      /* The rest of this window is unread as a whole. */
      unread_add(u, start_s, end_s);
      return -1;
    }
  }
  return 0;
}

static void hole_merge(struct swp_cursor *c, const struct unread *u) {
  if (u->lo > u->hi)
    return;
  if (c->hole_end_s <= 0) {
    c->hole_start_s = u->lo;
    c->hole_end_s = u->hi;
    return;
  }
  c->hole_start_s = fmin(c->hole_start_s, u->lo);
  c->hole_end_s = fmax(c->hole_end_s, u->hi);
}

static void prune(struct swp_cursor *c, const struct swp_cursor_opts *o) {
  double cutoff = c->last_end_s - (double)o->lookback_s;
  if (c->hole_end_s > 0)
    cutoff = fmin(cutoff, c->hole_start_s);
  swp_seen_prune(c->seen, cutoff - SEEN_SLACK_S);
}

/* Reads the hole (newest first) with the budget left; what stays unread
 * remains the hole. */
static int run_hole(struct swp_cursor *c, const struct swp_cursor_opts *o,
                    struct swp_cursor_result *res, struct sw_error *err) {
  struct unread back = {1, 0};
  double hs = c->hole_start_s, he = c->hole_end_s;
  int rc;
  c->hole_start_s = c->hole_end_s = 0;
  rc = run_window(c, o, hs, he, res, &back, err);
  hole_merge(c, &back);
  return rc;
}

/* Each cycle reads, in this order of priority:
 *   1. the new part [last_end, now]: what cut-short leaves becomes the hole;
 *   2. the hole, with the budget left;
 *   3. the lookback re-read [last_end - Lookback, last_end] for records
 *      CloudTrail delivered late, with the budget left (a cut-short re-read
 *      is not a hole: that range was read completely before).
 * So an overloaded account keeps up with new records first and never
 * spends its whole budget re-reading what it has already seen. */
int swp_cursor_cycle(struct swp_cursor *c, const struct swp_cursor_opts *o,
                     struct swp_cursor_result *res, struct sw_error *err) {
  struct unread fresh = {1, 0}, reread = {1, 0};
  double start, end, floor_s = o->now_s - (double)o->max_backfill_s;
  double new_start;
  int rc;
  memset(res, 0, sizeof(*res));
  res->complete = 1;
  swp_cursor_window(c, o->now_s, o->lookback_s, o->max_backfill_s, &start,
                    &end);
  res->window_start_s = start;
  res->window_end_s = end;
  /* Whatever is older than MaxBackfill is given up, as documented. */
  if (c->hole_end_s > 0 && c->hole_start_s < floor_s)
    c->hole_start_s = floor_s;
  if (c->hole_end_s > 0 && c->hole_end_s <= c->hole_start_s)
    c->hole_start_s = c->hole_end_s = 0;

  /* First run (or a last_end the clock overtook backwards): the whole
   * window is new. */
  new_start = c->last_end_s > 0 ? floor(c->last_end_s) : start;
  if (new_start < start)
    new_start = start;
  if (new_start > end)
    new_start = start;
  rc = run_window(c, o, new_start, end, res, &fresh, err);
  if (rc != 0) {
    /* The new part was not read as a whole: keep last_end, so the next
     * cycle queries it again (seen ids drop what was reported). */
    prune(c, o);
    return -1;
  }
  hole_merge(c, &fresh);
  c->last_end_s = end;
  if (c->hole_end_s > 0 && res->pages < o->max_pages && fresh.lo > fresh.hi)
    rc = run_hole(c, o, res, err);
  if (rc == 0 && new_start > start && res->pages < o->max_pages)
    rc = run_window(c, o, start, new_start, res, &reread, err);
  res->complete = c->hole_end_s <= 0;
  res->reread_cut = reread.lo <= reread.hi;
  prune(c, o);
  return rc;
}

void swp_strategy_init(struct swp_strategy *s, size_t secrets_num) {
  s->est_event_name = 1;
  s->est_per_secret = (double)(secrets_num ? secrets_num : 1);
  s->last = SWP_STRATEGY_EVENT_NAME;
}

enum swp_strategy_kind swp_strategy_choose(const struct swp_strategy *s,
                                           int per_secret_ok) {
  if (per_secret_ok && s->est_per_secret < s->est_event_name)
    return SWP_STRATEGY_PER_SECRET;
  return SWP_STRATEGY_EVENT_NAME;
}

void swp_strategy_update(struct swp_strategy *s, enum swp_strategy_kind used,
                         int pages, int complete, size_t secrets_num) {
  /* A cut-short cycle only says "at least this many". */
  double seen = complete ? (double)pages : (double)pages * 2;
  double min_per = (double)(secrets_num ? secrets_num : 1);
  s->last = used;
  if (used == SWP_STRATEGY_EVENT_NAME) {
    s->est_event_name = fmax(1, seen);
    s->est_per_secret = fmax(min_per, s->est_per_secret * 0.9);
  } else {
    s->est_per_secret = fmax(min_per, seen);
    s->est_event_name = fmax(1, s->est_event_name * 0.9);
  }
}
