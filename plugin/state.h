/* The per-account state file: what the plugin must remember across
 * restarts to report every record and transition exactly once.
 *
 *   {"version":1,"account":"prod","last_end":..,"hole_start":..,
 *    "hole_end":..,"walk":{"start":..,"end":..,"key":..,"value":..,
 *    "token":..},"hole_walk":{same},"seen":{"<eventID>":<eventTime>,...},
 *    "secrets":{"<label>":{"metric_ts":..,"reads":N,"denied":N,
 *               "unexpected":N,"alarm_name":"..","alarm_state":"OK"}}}
 *
 * Written atomically (temp file, fsync, rename, fsync of the directory),
 * mode 0600 in a 0700 directory created when missing. A file that cannot
 * be understood (corrupt, truncated, a future version) is moved aside with
 * a log line naming both paths, and the account starts from now - Lookback.
 * A symlink, a non-regular file or a file owned by another user is refused
 * (never followed, never overwritten). Not thread-safe: one per account. */
#ifndef SW_PLUGIN_STATE_H
#define SW_PLUGIN_STATE_H

#include "plugin/config.h"
#include "plugin/cursor.h"

#include <stddef.h>
#include <stdint.h>

#define SWP_STATE_VERSION 1
#define SWP_STATE_MAX_BYTES ((size_t)32 << 20)

struct swp_secret_state {
  double metric_ts_s; /* newest CloudWatch datapoint dispatched; 0: none */
  int64_t reads;      /* cumulative counters behind the derive values */
  int64_t denied;
  int64_t unexpected;
  char alarm_state[24]; /* last state reported; "" when never seen */
};

struct swp_state {
  struct swp_cursor cursor;
  struct swp_secret_state *secrets; /* indexed like the account's secrets */
  size_t secrets_num;
};

enum swp_state_load_result {
  SWP_STATE_REFUSED = -1, /* unsafe file or I/O error: do not run */
  SWP_STATE_LOADED = 0,
  SWP_STATE_FRESH = 1,      /* no file yet */
  SWP_STATE_MOVED_ASIDE = 2 /* unusable file renamed; starting fresh */
};

/* 0 or -1 (out of memory). */
int swp_state_init(struct swp_state *st, size_t secrets_num);
void swp_state_clean_up(struct swp_state *st);

/* Serializes st for account a. Heap string (caller frees) or NULL. */
char *swp_state_to_json(const struct swp_state *st,
                        const struct swp_account_conf *a);
/* Parses text into st (which must be freshly init'ed for a). 0, or -1 with
 * a reason in why (st is left fresh). Secrets are matched by label;
 * unknown labels are ignored, and an alarm state recorded for another
 * AlarmName is forgotten. */
int swp_state_from_json(struct swp_state *st, const char *text, size_t len,
                        const struct swp_account_conf *a, char *why,
                        size_t why_size);

/* Reads the file at path. Logs what it did in every case but LOADED and
 * FRESH. */
enum swp_state_load_result swp_state_load(struct swp_state *st,
                                          const char *path,
                                          const struct swp_account_conf *a);
/* Writes atomically. 0, or -1 with the reason (naming the path, the step
 * and errno's text) in why when why is not NULL; the old file is intact.
 * Logs nothing: a failure repeats every cycle, so the caller logs it
 * through c_complain/c_release. */
int swp_state_save(const struct swp_state *st, const char *path,
                   const struct swp_account_conf *a, char *why,
                   size_t why_size);

#endif
