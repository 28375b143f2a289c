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

void swp_walk_clear(struct swp_walk *w) {
  free(w->key);
  free(w->value);
  free(w->token);
  memset(w, 0, sizeof(*w));
}

/* strdup of s, or NULL for NULL; *fail set when out of memory. */
static char *dup_opt(const char *s, int *fail) {
  char *d;
  if (s == NULL)
    return NULL;
  d = strdup(s);
  if (d == NULL)
    *fail = 1;
  return d;
}

int swp_walk_set(struct swp_walk *to, double start_s, double end_s,
                 const char *key, const char *value, const char *token) {
  int fail = 0;
  struct swp_walk w;
  w.start_s = start_s;
  w.end_s = end_s;
  w.key = dup_opt(key, &fail);
  w.value = dup_opt(value, &fail);
  w.token = dup_opt(token, &fail);
  swp_walk_clear(to);
  if (fail) {
    free(w.key);
    free(w.value);
    free(w.token);
    return -1;
  }
  *to = w;
  return 0;
}

void swp_cursor_clean_up(struct swp_cursor *c) {
  if (c == NULL)
    return;
  swp_walk_clear(&c->walk);
  swp_walk_clear(&c->hole_walk);
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

/* Whether a failed page may be asked again with the same token: a
 * refused token (or an answer we cannot read) must not be retried
 * forever. */
static int token_reusable(const struct sw_error *err) {
  return err->kind == SW_ERR_THROTTLED || err->kind == SW_ERR_NETWORK ||
         err->kind == SW_ERR_SERVER || err->kind == SW_ERR_CREDENTIALS ||
         err->kind == SW_ERR_AUTH;
}

/* Pages through one query of one window. With resume (a walk), *resume is
 * the token to start from (NULL: the top) and, when the budget runs out or
 * a fetch fails, receives the token to go on from next cycle; without it,
 * what the budget leaves unread goes into u. Returns 0 (read to the end),
 * 1 (budget spent) or -1 (a fetch failed). */
static int run_query(struct swp_cursor *c, const struct swp_cursor_opts *o,
                     const struct swp_query *q, struct swp_cursor_result *res,
                     struct unread *u, char **resume, struct sw_error *err) {
  char *token = NULL;
  double oldest = q->end_s, newest = q->start_s;
  int rc = 0, first = 1;
  if (resume != NULL && *resume != NULL) {
    token = *resume;
    *resume = NULL;
    first = 0;
  }
  for (;;) {
    struct sw_ctrec_list page;
    if (!first && token == NULL)
      break; /* read to the end */
    if (res->pages >= o->max_pages) {
      rc = 1;
      if (resume != NULL) {
        *resume = token; /* NULL when no page was read: from the top */
        return rc;
      }
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
      rc = -1;
      res->complete = 0;
      if (resume != NULL && token_reusable(err)) {
        *resume = token;
        return rc;
      }
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
    if (run_query(c, o, &q, res, u, NULL, err) < 0) {
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

/* Keeps the ids of everything this cycle queried and of every range still
 * to be read (hole, walk), so nothing is reported twice. */
static void prune(struct swp_cursor *c, double window_start_s) {
  double cutoff = window_start_s;
  if (c->last_end_s > 0)
    cutoff = fmin(cutoff, c->last_end_s);
  if (c->hole_end_s > 0)
    cutoff = fmin(cutoff, c->hole_start_s);
  if (c->walk.end_s > 0)
    cutoff = fmin(cutoff, c->walk.start_s);
  if (c->hole_walk.end_s > 0)
    cutoff = fmin(cutoff, c->hole_walk.start_s);
  swp_seen_prune(c->seen, cutoff - SEEN_SLACK_S);
}

static int same_str(const char *a, const char *b) {
  return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

int swp_walk_same(const struct swp_walk *a, const struct swp_walk *b) {
  return a->start_s == b->start_s && a->end_s == b->end_s &&
         same_str(a->key, b->key) && same_str(a->value, b->value) &&
         same_str(a->token, b->token);
}

/* Goes on with the pending walk with the budget left: its queries in
 * order, from the one in progress (from the first when this cycle's
 * queries no longer include it: the walk starts over rather than skip
 * anything). Returns 0 (walked to the end: no walk left), 1 (budget spent:
 * the walk records where to go on) or -1 (a fetch failed: likewise). */
static int run_walk(struct swp_cursor *c, struct swp_walk *w,
                    const struct swp_cursor_opts *o,
                    struct swp_cursor_result *res, struct sw_error *err) {
  double ws = w->start_s, we = w->end_s;
  size_t i;
  char *token = NULL;
  for (i = 0; i < o->attrs_num; i++)
    if (same_str(o->attrs[i].key, w->key) &&
        same_str(o->attrs[i].value, w->value))
      break;
  if (i < o->attrs_num) {
    token = w->token;
    w->token = NULL;
  } else {
    i = 0;
  }
  for (; i < o->attrs_num; i++) {
    struct swp_query q = {ws, we, &o->attrs[i]};
    struct unread unused = {1, 0};
    int rc = run_query(c, o, &q, res, &unused, &token, err);
    if (rc != 0) {
      if (swp_walk_set(w, ws, we, o->attrs[i].key, o->attrs[i].value, token) !=
          0) {
        /* Out of memory: keep the window at least (it starts over). */
        w->start_s = ws;
        w->end_s = we;
      }
      free(token);
      return rc;
    }
  }
  free(token);
  swp_walk_clear(w);
  return 0;
}

/* Nothing pending (the usual cycle): the new part and the Lookback re-read
 * are read as one query over the whole window, so a cycle costs the pages
 * its records need (max(1, ceil(window / page))) and not a page more for a
 * second query. Newest first, the new part comes first anyway; what the
 * budget leaves unread goes on next cycle, with the same query and token,
 * as the hole walk (read before any re-read). A failed fetch keeps
 * last_end, as a failed new part does: the next cycle asks again and the
 * seen set drops what was reported. */
static int one_query_cycle(struct swp_cursor *c,
                           const struct swp_cursor_opts *o, double start,
                           double end, struct swp_cursor_result *res,
                           struct sw_error *err) {
  struct swp_walk w = {0};
  int rc;
  if (swp_walk_set(&w, start, end, o->attrs[0].key, o->attrs[0].value, NULL) !=
      0)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  rc = run_walk(c, &w, o, res, err);
  if (rc < 0) {
    swp_walk_clear(&w);
    prune(c, start);
    return -1;
  }
  c->last_end_s = end;
  if (rc > 0)
    c->hole_walk = w; /* takes over its strings */
  else
    swp_walk_clear(&w);
  res->complete = c->hole_walk.end_s <= 0;
  res->reread_cut = 0;
  prune(c, start);
  return 0;
}

/* Each cycle reads, in this order of priority:
 *   1. the new part [last_end, now]: what cut-short leaves becomes the hole;
 *   2. the hole, with the budget left, as a walk (below);
 *   3. the lookback re-read [last_end - Lookback, last_end] for records
 *      CloudTrail delivered late, with the budget left, as a walk: a
 *      cut-short re-read goes on next cycle with the same query and token
 *      until it reached the end of its window (then the next re-read
 *      starts), so late records behind a burst are never skipped.
 * So an overloaded account keeps up with new records first and never
 * spends its whole budget re-reading what it has already seen. */
int swp_cursor_cycle(struct swp_cursor *c, const struct swp_cursor_opts *oin,
                     struct swp_cursor_result *res, struct sw_error *err) {
  struct unread fresh = {1, 0};
  struct swp_cursor_opts eo = *oin;
  const struct swp_cursor_opts *o = &eo;
  double start, end, floor_s, skew;
  double new_start;
  int rc;
  memset(res, 0, sizeof(*res));
  res->complete = 1;
  /* Both clocks (see clock_offset_s): end at the later one, reach back
   * |offset| further. Bounded so a wild offset cannot overflow. */
  skew = isfinite(oin->clock_offset_s) ? oin->clock_offset_s : 0;
  skew = fmax(-86400.0, fmin(86400.0, skew));
  eo.now_s = oin->now_s + fmax(0, skew);
  eo.lookback_s = oin->lookback_s + (long)ceil(fabs(skew));
  eo.max_backfill_s = oin->max_backfill_s + (long)ceil(fabs(skew));
  floor_s = o->now_s - (double)o->max_backfill_s;
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
  if (new_start > start && c->hole_end_s <= 0 && c->hole_walk.end_s <= 0 &&
      c->walk.end_s <= 0)
    return one_query_cycle(c, o, start, end, res, err);
  rc = run_window(c, o, new_start, end, res, &fresh, err);
  if (rc != 0) {
    /* The new part was not read as a whole: keep last_end, so the next
     * cycle queries it again (seen ids drop what was reported). */
    prune(c, start);
    return -1;
  }
  hole_merge(c, &fresh);
  c->last_end_s = end;
  /* The hole is read as a walk too (a burst of more records in one second
   * than the budget reads must not stall it): a new hole walk starts over
   * the pending range once the last one reached its end. */
  if (fresh.lo > fresh.hi && c->hole_walk.end_s <= 0 && c->hole_end_s > 0 &&
      res->pages < o->max_pages) {
    if (swp_walk_set(&c->hole_walk, c->hole_start_s, c->hole_end_s,
                     o->attrs[0].key, o->attrs[0].value, NULL) != 0)
      rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    else
      c->hole_start_s = c->hole_end_s = 0;
  }
  if (rc == 0 && fresh.lo > fresh.hi && c->hole_walk.end_s > 0 &&
      res->pages < o->max_pages) {
    rc = run_walk(c, &c->hole_walk, o, res, err);
    if (rc > 0)
      rc = 0;
  }
  /* A new re-read starts only when the last one was walked to the end. */
  if (rc == 0 && c->walk.end_s <= 0 && new_start > start &&
      swp_walk_set(&c->walk, start, new_start, o->attrs[0].key,
                   o->attrs[0].value, NULL) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  if (rc == 0 && c->walk.end_s > 0 && res->pages < o->max_pages) {
    rc = run_walk(c, &c->walk, o, res, err);
    if (rc > 0)
      rc = 0;
  }
  res->complete = c->hole_end_s <= 0 && c->hole_walk.end_s <= 0;
  res->reread_cut = c->walk.end_s > 0;
  prune(c, start);
  return rc;
}

void swp_strategy_init(struct swp_strategy *s, size_t secrets_num) {
  s->est_event_name = 1;
  s->est_per_secret = (double)(secrets_num ? secrets_num : 1);
  s->last = SWP_STRATEGY_EVENT_NAME;
  s->probing = 0;
}

/* A switch on an old estimate must save at least a quarter of the pages:
 * two kinds that cost about the same do not take turns. Such a switch is
 * a probe: when the kind probed turned out dearer than the one left (both
 * costs fresh), the one left is taken back at once. */
#define STRATEGY_SWITCH 0.75
/* The kind not in use is tried again as its estimate fades (5% a cycle):
 * what it costs changes with the traffic. */
#define STRATEGY_FADE 0.95

enum swp_strategy_kind swp_strategy_choose(const struct swp_strategy *s,
                                           int per_secret_ok) {
  double margin = s->probing ? 1.0 : STRATEGY_SWITCH;
  if (!per_secret_ok)
    return SWP_STRATEGY_EVENT_NAME;
  if (s->last == SWP_STRATEGY_PER_SECRET)
    return s->est_event_name < s->est_per_secret * margin
               ? SWP_STRATEGY_EVENT_NAME
               : SWP_STRATEGY_PER_SECRET;
  return s->est_per_secret < s->est_event_name * margin
             ? SWP_STRATEGY_PER_SECRET
             : SWP_STRATEGY_EVENT_NAME;
}

void swp_strategy_update(struct swp_strategy *s, enum swp_strategy_kind used,
                         int pages, int complete, size_t secrets_num) {
  /* A cut-short cycle only says "at least this many". */
  double seen = complete ? (double)pages : (double)pages * 2;
  double min_per = (double)(secrets_num ? secrets_num : 1);
  /* A switch right after a probe is the way back; any other is a probe. */
  s->probing = used != s->last && !s->probing;
  s->last = used;
  if (used == SWP_STRATEGY_EVENT_NAME) {
    s->est_event_name = fmax(1, seen);
    s->est_per_secret = fmax(min_per, s->est_per_secret * STRATEGY_FADE);
  } else {
    s->est_per_secret = fmax(min_per, seen);
    s->est_event_name = fmax(1, s->est_event_name * STRATEGY_FADE);
  }
}
