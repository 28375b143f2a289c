/* The events cursor against a scripted CloudTrail: exactly once across
 * pagination, late delivery, page budgets, failures, restarts and
 * downtime; the seen set; the query strategy; the shared rate limit. */
#include "mock_collectd.h"
#include "sw_test.h"

#include "plugin/cursor.h"
#include "plugin/ratelimit.h"
#include "plugin/seen.h"
#include "plugin/state.h"

#include <stdlib.h>
#include <string.h>

#define MAX_EV 4000
#define T0 1795766400.0 /* 2026-11-27T08:00:00Z */

/* The scripted CloudTrail event history. */
struct ev {
  char id[32];
  double time_s;
  double delivered_s; /* visible to queries from then on */
};
static struct ev evs[MAX_EV];
static int evs_num;
static double fake_now;
static int page_size = 50;
static int fail_on_call = -1; /* fail the Nth fetch call (0-based) */
static int calls;
static int newest_first = 1;
static double server_ahead_s; /* the history's clock minus fake_now */
static int unstable; /* a page asked with other Start/End than page 1 */

/* How often each event id was reported. */
static int reported[MAX_EV];

static void history_reset(void) {
  evs_num = 0;
  calls = 0;
  fail_on_call = -1;
  page_size = 50;
  unstable = 0;
  newest_first = 1;
  server_ahead_s = 0;
  memset(reported, 0, sizeof(reported));
}

static void add_event(double t, double delivered) {
  struct ev *e = &evs[evs_num];
  snprintf(e->id, sizeof(e->id), "ev-%05d", evs_num);
  e->time_s = t;
  e->delivered_s = delivered;
  evs_num++;
}

static int cmp_newest(const void *a, const void *b) {
  const struct ev *x = *(const struct ev *const *)a,
                  *y = *(const struct ev *const *)b;
  if (x->time_s != y->time_s)
    return x->time_s < y->time_s ? 1 : -1;
  return strcmp(y->id, x->id);
}

/* Token: "<start>|<end>|<time>|<id>" of the last record returned, as AWS
 * tokens hold a position (not an offset): a page asked with other
 * parameters than the first one is detected, as AWS would refuse it, and a
 * record delivered meanwhile neither shifts nor hides the rest. */
static int fake_fetch(void *ctx, const struct swp_query *q, char **token,
                      struct sw_ctrec_list *out, struct sw_error *err) {
  const struct ev *match[MAX_EV];
  struct ev pos;
  int n = 0, from = 0, has_pos = 0;
  (void)ctx;
  if (calls++ == fail_on_call)
    return sw_error_set(err, SW_ERR_THROTTLED, "scripted failure");
  if (*token) {
    double ts, te;
    memset(&pos, 0, sizeof(pos));
    if (sscanf(*token, "%lf|%lf|%lf|%31s", &ts, &te, &pos.time_s, pos.id) !=
            4 ||
        ts != q->start_s || te != q->end_s)
      unstable = 1;
    has_pos = 1;
  }
  for (int i = 0; i < evs_num; i++)
    if (evs[i].time_s >= q->start_s && evs[i].time_s <= q->end_s &&
        evs[i].delivered_s <= fake_now + server_ahead_s)
      match[n++] = &evs[i];
  qsort(match, (size_t)n, sizeof(match[0]), cmp_newest);
  if (!newest_first)
    for (int i = 0; i < n / 2; i++) {
      const struct ev *t = match[i];
      match[i] = match[n - 1 - i];
      match[n - 1 - i] = t;
    }
  if (has_pos) {
    const struct ev *pp = &pos;
    while (from < n) {
      int k = cmp_newest(&match[from], &pp);
      if ((newest_first && k > 0) || (!newest_first && k < 0))
        break;
      from++;
    }
  }
  out->items = calloc((size_t)page_size, sizeof(*out->items));
  for (int i = from; i < n && i < from + page_size; i++) {
    struct sw_ctrec *r = &out->items[out->count++];
    strcpy(r->event_id, match[i]->id);
    r->event_time_s = match[i]->time_s;
    r->has_event_time = 1;
  }
  free(*token);
  *token = NULL;
  if (from + page_size < n) {
    const struct ev *last = match[from + page_size - 1];
    *token = malloc(120);
    snprintf(*token, 120, "%.0f|%.0f|%.17g|%s", q->start_s, q->end_s,
             last->time_s, last->id);
  }
  return 0;
}

static void on_rec(void *ctx, const struct sw_ctrec *r, double t) {
  (void)ctx;
  (void)t;
  reported[atoi(r->event_id + 3)]++;
}

static const struct swp_query_attr attr_all = {"EventName", "GetSecretValue"};

/* One cycle at fake_now, with the client's clock offset (server minus
 * ours) as the poller passes it. */
static int cycle_skewed(struct swp_cursor *c, int max_pages, double offset_s,
                        struct swp_cursor_result *res) {
  struct swp_cursor_opts o;
  struct sw_error err;
  memset(&o, 0, sizeof(o));
  o.now_s = fake_now;
  o.clock_offset_s = offset_s;
  o.lookback_s = 900;
  o.max_backfill_s = 86400;
  o.max_pages = max_pages;
  o.newest_first = newest_first;
  o.attrs = &attr_all;
  o.attrs_num = 1;
  o.fetch = fake_fetch;
  o.on_record = on_rec;
  return swp_cursor_cycle(c, &o, res, &err);
}

static int cycle(struct swp_cursor *c, int max_pages,
                 struct swp_cursor_result *res) {
  struct swp_cursor_opts o;
  struct sw_error err;
  memset(&o, 0, sizeof(o));
  o.now_s = fake_now;
  o.lookback_s = 900;
  o.max_backfill_s = 86400;
  o.max_pages = max_pages;
  o.newest_first = newest_first;
  o.attrs = &attr_all;
  o.attrs_num = 1;
  o.fetch = fake_fetch;
  o.on_record = on_rec;
  return swp_cursor_cycle(c, &o, res, &err);
}

/* 1 when every event was reported exactly once (or, with only_before,
 * every event with a time >= only_before). */
static int exactly_once(double only_after) {
  int ok = 1;
  for (int i = 0; i < evs_num; i++) {
    int want = evs[i].time_s >= only_after ? 1 : 0;
    if (reported[i] != want) {
      fprintf(stderr, "event %d (t=%+.0f): reported %d times, want %d\n", i,
              evs[i].time_s - T0, reported[i], want);
      ok = 0;
    }
  }
  return ok;
}

static void test_first_cycle_reads_lookback_then_nothing_twice(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  history_reset();
  swp_cursor_init(&c);
  fake_now = T0;
  add_event(T0 - 2000, 0); /* before the first window: never read */
  add_event(T0 - 800, 0);
  add_event(T0 - 10, 0);
  SW_CHECK_INT(cycle(&c, 10, &res), 0);
  SW_CHECK(res.window_start_s == T0 - 900 && res.window_end_s == T0);
  SW_CHECK_INT(res.new_records, 2);
  fake_now = T0 + 60;
  SW_CHECK_INT(cycle(&c, 10, &res), 0);
  SW_CHECK_INT(res.new_records, 0);
  SW_CHECK_INT(res.records, 2); /* re-read inside the lookback, dropped */
  SW_CHECK(exactly_once(T0 - 900));
  SW_CHECK(c.last_end_s == T0 + 60);
  swp_cursor_clean_up(&c);
}

static void test_late_delivery_inside_lookback_reported_once(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  history_reset();
  swp_cursor_init(&c);
  add_event(T0 - 30, T0 + 400); /* happened before cycle 1, seen after */
  add_event(T0 + 50, T0 + 55);
  for (int i = 0; i < 12; i++) {
    fake_now = T0 + 60.0 * i;
    SW_CHECK_INT(cycle(&c, 10, &res), 0);
  }
  SW_CHECK(exactly_once(0));
  swp_cursor_clean_up(&c);
}

static void test_pagination_keeps_start_and_end_stable(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  history_reset();
  swp_cursor_init(&c);
  fake_now = T0;
  for (int i = 0; i < 120; i++)
    add_event(T0 - 1 - i, 0);
  SW_CHECK_INT(cycle(&c, 10, &res), 0);
  SW_CHECK_INT(res.pages, 3);
  SW_CHECK_INT(res.new_records, 120);
  SW_CHECK_INT(res.complete, 1);
  SW_CHECK_INT(unstable, 0);
  SW_CHECK(exactly_once(0));
  swp_cursor_clean_up(&c);
}

static void test_budget_leaves_a_hole_that_later_cycles_fill(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  int cycles = 0;
  history_reset();
  swp_cursor_init(&c);
  fake_now = T0;
  for (int i = 0; i < 600; i++) /* 600 reads in the last 10 minutes */
    add_event(T0 - 1 - i, 0);
  SW_CHECK_INT(cycle(&c, 3, &res), 0);
  SW_CHECK_INT(res.new_records, 150);
  SW_CHECK_INT(res.complete, 0);
  SW_CHECK(c.hole_end_s > 0);
  /* new reads keep arriving while the cursor catches up */
  while ((c.hole_end_s > 0 || c.hole_walk.end_s > 0) && cycles < 50) {
    fake_now += 60;
    add_event(fake_now - 5, 0);
    SW_CHECK_INT(cycle(&c, 3, &res), 0);
    if (getenv("CURSOR_DEBUG"))
      fprintf(stderr,
              "cycle %d: pages %d new %d hole %+.0f..%+.0f window "
              "%+.0f..%+.0f\n",
              cycles, res.pages, res.new_records, c.hole_start_s - T0,
              c.hole_end_s - T0, res.window_start_s - T0,
              res.window_end_s - T0);
    cycles++;
  }
  SW_CHECK(c.hole_end_s == 0 && c.hole_walk.end_s == 0);
  SW_CHECK(cycles < 20);
  SW_CHECK_INT(unstable, 0);
  SW_CHECK(exactly_once(0));
  swp_cursor_clean_up(&c);
}

static void test_oldest_first_source_catches_up_too(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  int cycles = 0;
  history_reset();
  newest_first = 0;
  page_size = 20;
  swp_cursor_init(&c);
  fake_now = T0;
  for (int i = 0; i < 300; i++)
    add_event(T0 - 1 - i * 2, 0);
  do {
    SW_CHECK_INT(cycle(&c, 4, &res), 0);
    fake_now += 60;
  } while ((c.hole_end_s > 0 || c.hole_walk.end_s > 0) && ++cycles < 50);
  SW_CHECK(exactly_once(0));
  swp_cursor_clean_up(&c);
}

static void test_failed_fetch_keeps_last_end_and_loses_nothing(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  history_reset();
  swp_cursor_init(&c);
  fake_now = T0;
  SW_CHECK_INT(cycle(&c, 10, &res), 0);
  for (int i = 0; i < 120; i++)
    add_event(T0 + 1 + i, 0);
  fake_now = T0 + 200;
  fail_on_call = calls + 1; /* the second page fails */
  SW_CHECK_INT(cycle(&c, 10, &res), -1);
  SW_CHECK(c.last_end_s == T0);
  SW_CHECK_INT(res.new_records, 50);
  fake_now = T0 + 260;
  SW_CHECK_INT(cycle(&c, 10, &res), 0);
  SW_CHECK_INT(res.new_records, 70);
  SW_CHECK(exactly_once(0));
  swp_cursor_clean_up(&c);
}

static struct swp_account_conf *one_account(void) {
  static struct swp_secret_conf s;
  static struct swp_account_conf a;
  memset(&s, 0, sizeof(s));
  memset(&a, 0, sizeof(a));
  s.label = "TopSecretInfo";
  s.alarm_name = "secretwatch-TopSecretInfo-read";
  a.name = "prod";
  a.secrets = &s;
  a.secrets_num = 1;
  return &a;
}

static void test_restart_resumes_without_duplicates(void) {
  struct swp_state st, st2;
  struct swp_cursor_result res;
  struct swp_account_conf *a = one_account();
  char *json, why[200];
  history_reset();
  swp_state_init(&st, 1);
  fake_now = T0;
  for (int i = 0; i < 30; i++)
    add_event(T0 - 10 * i, 0);
  SW_CHECK_INT(cycle(&st.cursor, 10, &res), 0);
  json = swp_state_to_json(&st, a);
  SW_CHECK(json != NULL);
  swp_state_init(&st2, 1);
  SW_CHECK_INT(
      swp_state_from_json(&st2, json, strlen(json), a, why, sizeof(why)), 0);
  SW_CHECK_INT(swp_seen_count(st2.cursor.seen), 30);
  /* collectd restarted 2 minutes later; one new read and one late one */
  fake_now = T0 + 120;
  add_event(T0 + 100, 0);
  add_event(T0 - 5, T0 + 110);
  SW_CHECK_INT(cycle(&st2.cursor, 10, &res), 0);
  SW_CHECK_INT(res.new_records, 2);
  SW_CHECK(exactly_once(0));
  free(json);
  swp_state_clean_up(&st);
  swp_state_clean_up(&st2);
}

static void test_downtime_catches_up_bounded_by_max_backfill(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  struct swp_cursor_opts o;
  struct sw_error err;
  int cycles = 0;
  history_reset();
  swp_cursor_init(&c);
  c.last_end_s = T0 - 7200; /* down for two hours */
  fake_now = T0;
  for (int i = 0; i < 200; i++) /* one read every 40 s during the outage */
    add_event(T0 - 8000 + 40.0 * i, 0);
  memset(&o, 0, sizeof(o));
  o.lookback_s = 900;
  o.max_backfill_s = 3600; /* only the last hour is caught up */
  o.max_pages = 2;
  o.newest_first = 1;
  o.attrs = &attr_all;
  o.attrs_num = 1;
  o.fetch = fake_fetch;
  o.on_record = on_rec;
  do {
    o.now_s = fake_now;
    SW_CHECK_INT(swp_cursor_cycle(&c, &o, &res, &err), 0);
    if (cycles == 0)
      SW_CHECK(res.window_start_s == T0 - 3600);
    fake_now += 10;
  } while ((c.hole_end_s > 0 || c.hole_walk.end_s > 0) && ++cycles < 20);
  SW_CHECK(exactly_once(T0 - 3600));
  swp_cursor_clean_up(&c);
}

static void test_records_without_event_id_are_dropped(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  history_reset();
  swp_cursor_init(&c);
  fake_now = T0;
  add_event(T0 - 5, 0);
  evs[0].id[0] = '\0';
  SW_CHECK_INT(cycle(&c, 10, &res), 0);
  SW_CHECK_INT(res.dropped, 1);
  SW_CHECK_INT(res.new_records, 0);
  swp_cursor_clean_up(&c);
}

static void test_window_edges(void) {
  struct swp_cursor c;
  double s, e;
  swp_cursor_init(&c);
  swp_cursor_window(&c, T0 + 0.5, 900, 86400, &s, &e);
  SW_CHECK(s == T0 - 900 && e == T0 + 1);
  c.last_end_s = T0 + 5000; /* clock stepped back: no gap */
  swp_cursor_window(&c, T0, 900, 86400, &s, &e);
  SW_CHECK(s == T0 - 900);
  c.last_end_s = T0 - 100000;
  swp_cursor_window(&c, T0, 900, 86400, &s, &e);
  SW_CHECK(s == T0 - 86400);
  swp_cursor_clean_up(&c);
}

static void test_seen_set_add_has_prune(void) {
  struct swp_seen *s = swp_seen_new();
  char id[300];
  SW_CHECK_INT(swp_seen_add(s, "a", 10), 1);
  SW_CHECK_INT(swp_seen_add(s, "a", 99), 0);
  SW_CHECK_INT(swp_seen_add(s, "", 10), -1);
  memset(id, 'x', sizeof(id) - 1);
  id[sizeof(id) - 1] = '\0';
  SW_CHECK_INT(swp_seen_add(s, id, 10), -1);
  for (int i = 0; i < 100000; i++) {
    snprintf(id, sizeof(id), "id-%d", i);
    swp_seen_add(s, id, (double)i);
  }
  SW_CHECK_INT(swp_seen_count(s), 100001);
  SW_CHECK(swp_seen_has(s, "id-99999"));
  SW_CHECK_INT(swp_seen_prune(s, 50000), 50001); /* "a" (t=10) goes too */
  SW_CHECK_INT(swp_seen_count(s), 50000);
  SW_CHECK(!swp_seen_has(s, "id-49999"));
  SW_CHECK(!swp_seen_has(s, "a"));
  for (int i = 50000; i < 100000; i += 997) {
    snprintf(id, sizeof(id), "id-%d", i);
    SW_CHECK(swp_seen_has(s, id));
  }
  SW_CHECK_INT(swp_seen_prune(s, 0), 0);
  swp_seen_free(s);
  swp_seen_free(NULL);
}

static void test_strategy_picks_fewer_pages(void) {
  struct swp_strategy st;
  swp_strategy_init(&st, 3);
  /* quiet account: one EventName page beats three per-secret queries */
  SW_CHECK_INT(swp_strategy_choose(&st, 1), SWP_STRATEGY_EVENT_NAME);
  /* busy account: the EventName query needed 40 pages */
  swp_strategy_update(&st, SWP_STRATEGY_EVENT_NAME, 40, 1, 3);
  SW_CHECK_INT(swp_strategy_choose(&st, 1), SWP_STRATEGY_PER_SECRET);
  /* without full ARNs ResourceName cannot be used */
  SW_CHECK_INT(swp_strategy_choose(&st, 0), SWP_STRATEGY_EVENT_NAME);
  /* per-secret got expensive; EventName is tried again eventually */
  swp_strategy_update(&st, SWP_STRATEGY_PER_SECRET, 30, 1, 3);
  for (int i = 0;
       i < 40 && swp_strategy_choose(&st, 1) == SWP_STRATEGY_PER_SECRET; i++)
    swp_strategy_update(&st, SWP_STRATEGY_PER_SECRET, 30, 1, 3);
  SW_CHECK_INT(swp_strategy_choose(&st, 1), SWP_STRATEGY_EVENT_NAME);
}

/* Two kinds that cost about the same (20 and 24 pages: a busy account
 * where most reads are of watched secrets) do not take turns: the dearer
 * one is tried again now and then, not every other cycle. */
static void test_strategy_does_not_flap(void) {
  struct swp_strategy st;
  int dear = 0;
  swp_strategy_init(&st, 4);
  for (int cycle = 0; cycle < 40; cycle++) {
    enum swp_strategy_kind k = swp_strategy_choose(&st, 1);
    int pages = k == SWP_STRATEGY_EVENT_NAME ? 20 : 24;
    dear += k == SWP_STRATEGY_PER_SECRET;
    swp_strategy_update(&st, k, pages, 1, 4);
  }
  SW_CHECK(dear <= 5); /* taking turns: about 13 */
  /* nearly the same cost (20 and 21, one secret): a probe now and then,
   * never two dear cycles in a row */
  swp_strategy_init(&st, 1);
  dear = 0;
  for (int cycle = 0, last_dear = -2; cycle < 40; cycle++) {
    enum swp_strategy_kind k = swp_strategy_choose(&st, 1);
    if (k == SWP_STRATEGY_PER_SECRET) {
      SW_CHECK(cycle != last_dear + 1);
      last_dear = cycle;
      dear++;
    }
    swp_strategy_update(&st, k, k == SWP_STRATEGY_EVENT_NAME ? 20 : 21, 1, 1);
  }
  SW_CHECK(dear <= 6);
  /* a real saving is still taken: per-secret costs 4 pages, EventName 20 */
  swp_strategy_init(&st, 4);
  swp_strategy_update(&st, SWP_STRATEGY_EVENT_NAME, 20, 1, 4);
  SW_CHECK_INT(swp_strategy_choose(&st, 1), SWP_STRATEGY_PER_SECRET);
}

/* The pause bound after throttled cycles: 1, 2, 4, ... up to the cap,
 * halving back after clean ones. */
static void test_backoff_doubles_to_its_cap_and_halves(void) {
  static const unsigned int want[] = {1, 2, 4, 8, 8, 8};
  unsigned int b = 0;
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    b = swp_backoff_next(b, 1, 8);
    SW_CHECK_INT(b, want[i]);
  }
  SW_CHECK_INT(b = swp_backoff_next(b, 0, 8), 4);
  SW_CHECK_INT(b = swp_backoff_next(b, 0, 8), 2);
  SW_CHECK_INT(b = swp_backoff_next(b, 0, 8), 1);
  SW_CHECK_INT(b = swp_backoff_next(b, 0, 8), 0);
  SW_CHECK_INT(swp_backoff_next(0, 1, 0), 1);        /* a cap below 1 is 1 */
  SW_CHECK_INT(swp_backoff_next(6, 1, 8), 8);        /* never over the cap */
  SW_CHECK_INT(swp_backoff_next(1u << 31, 1, 8), 8); /* no wrap to 0 */
}

static void test_rate_limit_is_shared_per_key(void) {
  struct swp_bucket *a = swp_ratelimit_get("acct|1|us-east-1", 2);
  struct swp_bucket *b = swp_ratelimit_get("acct|1|us-east-1", 2);
  struct swp_bucket *c = swp_ratelimit_get("acct|2|us-east-1", 2);
  SW_CHECK(a != NULL && a == b && a != c);
  SW_CHECK_INT(swp_ratelimit_reserve(a, 1000, 5000), 0);
  SW_CHECK_INT(swp_ratelimit_reserve(b, 1000, 5000), 500); /* shared */
  SW_CHECK_INT(swp_ratelimit_reserve(c, 1000, 5000), 0);   /* separate */
  SW_CHECK_INT(swp_ratelimit_reserve(a, 1000, 700), -1);   /* over budget */
  SW_CHECK_INT(swp_ratelimit_reserve(a, 1000, 5000), 1000);
  SW_CHECK_INT(swp_ratelimit_reserve(a, 10000, 0), 0); /* idle refills */
  swp_ratelimit_shutdown();
}

/* The attack of the fault table: a burst of 400 newer records (all in the
 * same second, so no time bound can split them) hides one late record in
 * the Lookback re-read. With 3 pages per cycle the re-read walks on where
 * it stopped, so the late record is reported within a few cycles, once. */
static void burst_then_late(struct swp_cursor *c, struct swp_state *restart,
                            const struct swp_account_conf *a) {
  struct swp_cursor_result res;
  int late, cycles_to_late = -1, cut_seen = 0;
  history_reset();
  fake_now = T0;
  add_event(T0 - 100, 0);
  SW_CHECK_INT(cycle(c, 20, &res), 0);
  for (int i = 0; i < 400; i++)
    add_event(T0 + 10, T0 + 11);
  fake_now = T0 + 12;
  SW_CHECK_INT(cycle(c, 20, &res), 0); /* reads the burst as it happens */
  SW_CHECK_INT(res.new_records, 400);
  late = evs_num;
  add_event(T0 + 5, T0 + 20); /* older than the burst, delivered after it */
  for (int k = 0; k < 20 && cycles_to_late < 0; k++) {
    fake_now = T0 + 22 + 2 * k;
    SW_CHECK_INT(cycle(c, 3, &res), 0);
    /* the rest of a cut-short window goes on as a walk: the re-read walk,
     * or the hole walk when the whole window was one query */
    cut_seen |= res.reread_cut || !res.complete;
    if (reported[late])
      cycles_to_late = k + 1;
    if (restart && k == 1) {
      /* collectd restarts in the middle of the walk */
      char why[200];
      char *json;
      restart->cursor = *c;
      json = swp_state_to_json(restart, a);
      SW_CHECK(json != NULL);
      SW_CHECK((c->walk.end_s > 0 && c->walk.token != NULL) ||
               (c->hole_walk.end_s > 0 && c->hole_walk.token != NULL));
      swp_cursor_clean_up(c);
      memset(&restart->cursor, 0, sizeof(restart->cursor));
      swp_state_clean_up(restart);
      swp_state_init(restart, a->secrets_num);
      SW_CHECK_INT(swp_state_from_json(restart, json ? json : "",
                                       json ? strlen(json) : 0, a, why,
                                       sizeof(why)),
                   0);
      SW_CHECK(restart->cursor.walk.end_s > 0 ||
               restart->cursor.hole_walk.end_s > 0);
      *c = restart->cursor;
      memset(&restart->cursor, 0, sizeof(restart->cursor));
      free(json);
    }
  }
  SW_CHECK(cut_seen);
  SW_CHECK(cycles_to_late > 0 && cycles_to_late <= 6);
  /* more cycles, first with the same budget (the burst stays inside
   * Lookback, so each window needs more than 3 pages), then with a budget
   * that covers a window: nothing is reported again, the walks finish */
  for (int k = 0; k < 10; k++) {
    fake_now = T0 + 80 + 2 * k;
    SW_CHECK_INT(cycle(c, k < 8 ? 3 : 20, &res), 0);
  }
  SW_CHECK_INT(res.reread_cut, 0);
  SW_CHECK_INT(res.complete, 1);
  SW_CHECK_INT(unstable, 0);
  SW_CHECK(exactly_once(T0 - 900));
}

/* DESIGN.md 6: a steady cycle costs the pages its window's records need,
 * max(1, ceil(window / 50)): the new part and the re-read are one query. */
static void test_steady_cycle_costs_the_minimum_pages(void) {
  static const struct {
    int old_records, new_records, pages;
  } cases[] = {{0, 0, 1}, {10, 0, 1}, {40, 10, 1}, {40, 11, 2}, {60, 60, 3}};
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    struct swp_cursor c;
    struct swp_cursor_result res;
    history_reset();
    swp_cursor_init(&c);
    fake_now = T0;
    for (int i = 0; i < cases[k].old_records; i++)
      add_event(T0 - 100, 0);
    SW_CHECK_INT(cycle(&c, 20, &res), 0);
    for (int i = 0; i < cases[k].new_records; i++)
      add_event(T0 + 5, T0 + 6);
    fake_now = T0 + 10;
    SW_CHECK_INT(cycle(&c, 20, &res), 0);
    SW_CHECK_INT(res.pages, cases[k].pages);
    SW_CHECK_INT(res.new_records, cases[k].new_records);
    SW_CHECK_INT(res.complete, 1);
    SW_CHECK(exactly_once(0));
    swp_cursor_clean_up(&c);
  }
}

/* A burst of more records in one second than a cycle's budget reads, in
 * the new part: the hole it leaves is read on with the NextToken (a time
 * bound cannot split one second), so the burst and an older record behind
 * it are all reported within a few cycles, once. */
static void test_same_second_burst_in_the_new_part(void) {
  struct swp_cursor c;
  struct swp_cursor_result res;
  int cycles = 0;
  history_reset();
  swp_cursor_init(&c);
  fake_now = T0;
  SW_CHECK_INT(cycle(&c, 3, &res), 0);
  add_event(T0 + 3, T0 + 4); /* the read the burst should hide */
  for (int i = 0; i < 400; i++)
    add_event(T0 + 5, T0 + 6);
  fake_now = T0 + 8;
  SW_CHECK_INT(cycle(&c, 3, &res), 0);
  SW_CHECK_INT(res.new_records, 150);
  SW_CHECK_INT(res.complete, 0);
  do {
    fake_now += 2;
    SW_CHECK_INT(cycle(&c, 3, &res), 0);
  } while (!res.complete && ++cycles < 20);
  SW_CHECK(cycles < 8);
  SW_CHECK_INT(unstable, 0);
  SW_CHECK(exactly_once(0));
  swp_cursor_clean_up(&c);
}

static void test_late_record_behind_a_burst_is_reported_once(void) {
  struct swp_cursor c;
  swp_cursor_init(&c);
  burst_then_late(&c, NULL, NULL);
  swp_cursor_clean_up(&c);
}

static struct swp_account_conf *one_account(void);

static void test_late_record_behind_a_burst_survives_a_restart(void) {
  struct swp_cursor c;
  struct swp_state st;
  swp_state_init(&st, 1);
  swp_cursor_clean_up(&st.cursor);
  swp_cursor_init(&c);
  burst_then_late(&c, &st, one_account());
  swp_cursor_clean_up(&c);
  swp_state_clean_up(&st);
}

/* The client learns a clock offset of +-1200 s from the server's Date
 * header after some cycles (and, with awssim's skew fault, loses it
 * again). Records carry the server's time (AWS: model 0) or our time
 * (awssim's skew fault only moves Date: model 1): with either, every record
 * is reported once, none twice, none lost. */
static void test_clock_offset_change_neither_repeats_nor_loses(void) {
  static const double offsets[] = {1200, -1200};
  for (int model = 0; model < 2; model++) {
    for (size_t oi = 0; oi < 2; oi++) {
      struct swp_cursor c;
      struct swp_cursor_result res;
      double truth = offsets[oi];
      int ok;
      history_reset();
      swp_cursor_init(&c);
      server_ahead_s = model == 0 ? truth : 0;
      for (int k = 0; k < 60; k++) {
        /* unknown in cycles 0-14, then learned; awssim's fault ends at 45 */
        double known = k < 15 ? 0 : (model == 1 && k >= 45) ? 0 : truth;
        double rec_now;
        fake_now = T0 + 2.0 * k;
        rec_now = fake_now + server_ahead_s;
        if (k < 55) {
          add_event(rec_now - 1, rec_now);
          add_event(rec_now - 0.5, rec_now);
        }
        SW_CHECK_INT(cycle_skewed(&c, 10, known, &res), 0);
      }
      ok = exactly_once(0);
      if (!ok)
        fprintf(stderr, "model %d offset %+.0f\n", model, truth);
      SW_CHECK(ok);
      swp_cursor_clean_up(&c);
    }
  }
}

int main(void) {
  SW_RUN(test_first_cycle_reads_lookback_then_nothing_twice);
  SW_RUN(test_late_delivery_inside_lookback_reported_once);
  SW_RUN(test_pagination_keeps_start_and_end_stable);
  SW_RUN(test_budget_leaves_a_hole_that_later_cycles_fill);
  SW_RUN(test_oldest_first_source_catches_up_too);
  SW_RUN(test_failed_fetch_keeps_last_end_and_loses_nothing);
  SW_RUN(test_steady_cycle_costs_the_minimum_pages);
  SW_RUN(test_restart_resumes_without_duplicates);
  SW_RUN(test_downtime_catches_up_bounded_by_max_backfill);
  SW_RUN(test_records_without_event_id_are_dropped);
  SW_RUN(test_window_edges);
  SW_RUN(test_seen_set_add_has_prune);
  SW_RUN(test_strategy_picks_fewer_pages);
  SW_RUN(test_strategy_does_not_flap);
  SW_RUN(test_backoff_doubles_to_its_cap_and_halves);
  SW_RUN(test_rate_limit_is_shared_per_key);
  SW_RUN(test_same_second_burst_in_the_new_part);
  SW_RUN(test_late_record_behind_a_burst_is_reported_once);
  SW_RUN(test_late_record_behind_a_burst_survives_a_restart);
  SW_RUN(test_clock_offset_change_neither_repeats_nor_loses);
  return sw_test_done();
}
