/* Fuzzes the plugin's state file parser (plugin/state.h) for a fixed
 * account with three secrets. Invariants: a refused file leaves the state
 * fresh with a reason; an accepted one serializes, and the serialization
 * parses back to the same cursor, seen count and per-secret counters. */
#include "fuzz_common.h"
#include "fuzz_plugin_stub.h"

#include "plugin/seen.h"
#include "plugin/state.h"

static char s_a[] = "a", s_b[] = "b/with slash", s_c[] = "c";
static char al_a[] = "secretwatch-a-read", al_b[] = "secretwatch-b-read",
            al_c[] = "secretwatch-c-read";
static struct swp_secret_conf secrets[3] = {{.label = s_a, .alarm_name = al_a},
                                            {.label = s_b, .alarm_name = al_b},
                                            {.label = s_c, .alarm_name = al_c}};
static char acc_name[] = "prod";
static const struct swp_account_conf account = {.name = acc_name,
                                                .instance = acc_name,
                                                .secrets = secrets,
                                                .secrets_num = 3};

static void check_round_trip(const struct swp_state *st) {
  char *text = swp_state_to_json(st, &account);
  struct swp_state again;
  char why[256];
  FUZZ_ASSERT(text != NULL);
  FUZZ_ASSERT(swp_state_init(&again, account.secrets_num) == 0);
  if (swp_state_from_json(&again, text, strlen(text), &account, why,
                          sizeof(why)) != 0) {
    fprintf(stderr, "state written cannot be read back (%s): %s\n", why, text);
    abort();
  }
  FUZZ_ASSERT(again.cursor.last_end_s == st->cursor.last_end_s);
  FUZZ_ASSERT(again.cursor.hole_start_s == st->cursor.hole_start_s);
  FUZZ_ASSERT(again.cursor.hole_end_s == st->cursor.hole_end_s);
  FUZZ_ASSERT(swp_seen_count(again.cursor.seen) ==
              swp_seen_count(st->cursor.seen));
  for (size_t i = 0; i < account.secrets_num; i++) {
    FUZZ_ASSERT(again.secrets[i].reads == st->secrets[i].reads);
    FUZZ_ASSERT(again.secrets[i].denied == st->secrets[i].denied);
    FUZZ_ASSERT(again.secrets[i].unexpected == st->secrets[i].unexpected);
    FUZZ_ASSERT(again.secrets[i].metric_ts_s == st->secrets[i].metric_ts_s);
    FUZZ_ASSERT(
        strcmp(again.secrets[i].alarm_state, st->secrets[i].alarm_state) == 0);
  }
  swp_state_clean_up(&again);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct swp_state st;
  char why[256] = "";
  FUZZ_ASSERT(swp_state_init(&st, account.secrets_num) == 0);
  if (swp_state_from_json(&st, (const char *)data, size, &account, why,
                          sizeof(why)) == 0) {
    check_round_trip(&st);
  } else {
    FUZZ_ASSERT(why[0] != '\0');
    FUZZ_ASSERT(st.cursor.seen != NULL && st.cursor.last_end_s == 0);
    FUZZ_ASSERT(swp_seen_count(st.cursor.seen) == 0);
    for (size_t i = 0; i < account.secrets_num; i++)
      FUZZ_ASSERT(st.secrets[i].reads == 0 &&
                  st.secrets[i].alarm_state[0] == 0);
  }
  swp_state_clean_up(&st);
  return 0;
}
