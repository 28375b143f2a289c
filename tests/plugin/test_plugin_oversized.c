/* A read recorded in a CloudTrail event too big to parse: only its
 * LookupEvents envelope is left, and it must still raise one FAILURE,
 * attributed to the secret the envelope names or to the account. */
#include "mock_collectd.h"
#include "sw_test.h"

#include "plugin/match.h"
#include "plugin/notify.h"

#include <string.h>

#define ARN "arn:aws:secretsmanager:us-east-1:111122223333:secret:Decoy-AbCdEf"

static struct swp_secret_conf secret(void) {
  struct swp_secret_conf s;
  memset(&s, 0, sizeof(s));
  s.label = "Decoy";
  s.instance = "Decoy";
  s.secret_id = ARN;
  s.mode = SWP_MODE_HONEYTOKEN;
  return s;
}

/* What the poller builds from an oversized LookupEvents event. */
static void envelope(struct sw_ctrec *rec, const char *user,
                     const char *resource) {
  memset(rec, 0, sizeof(*rec));
  strcpy(rec->event_id, "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
  strcpy(rec->event_name, "GetSecretValue");
  strcpy(rec->event_source, "secretsmanager.amazonaws.com");
  strcpy(rec->event_time, "2026-11-27T08:01:02Z");
  rec->event_time_s = 1795766462.0;
  rec->has_event_time = 1;
  rec->read_only = -1;
  strncpy(rec->identity.user_name, user, sizeof(rec->identity.user_name) - 1);
  if (resource) {
    strcpy(rec->resource_arns[0], resource);
    rec->resource_count = rec->resource_total = 1;
  }
}

static void test_attributed(void) {
  struct swp_secret_conf s = secret();
  struct swp_ident id = {"aws-prod", "prod", 60};
  struct sw_ctrec rec;
  const struct mock_notif *n;
  envelope(&rec, "mallory", ARN);
  SW_CHECK_INT(swp_match_record(&rec, &s), 1);
  mock_reset();
  SW_CHECK_INT(swp_notify_oversized_read(&id, &s, &rec, 1048790), 0);
  SW_CHECK_INT(mock_notifs_num, 1);
  if (mock_notifs_num != 1)
    return;
  n = &mock_notifs[0];
  SW_CHECK_INT(n->severity, NOTIF_FAILURE);
  SW_CHECK_STR(n->plugin_instance, "Decoy");
  SW_CHECK_STR(n->type, "secret_access");
  SW_CHECK_STR(n->type_instance, "GetSecretValue");
  SW_CHECK_STR(n->message,
               "Decoy read recorded in an oversized CloudTrail event "
               "(1048790 bytes) by mallory at 2026-11-27T08:01:02Z: inspect "
               "event 0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
  SW_CHECK(n->time == DOUBLE_TO_CDTIME_T(1795766462.0));
  SW_CHECK_STR(mock_meta(n, "event_id"),
               "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
  SW_CHECK_STR(mock_meta(n, "secret_id"), ARN);
  SW_CHECK_STR(mock_meta(n, "oversized"), "true");
  SW_CHECK_STR(mock_meta(n, "allowed"), "false");
  /* another secret's name does not match: the poller ignores it */
  envelope(&rec, "mallory", "arn:aws:secretsmanager:us-east-1:1:secret:x");
  SW_CHECK_INT(swp_match_record(&rec, &s), 0);
}

/* No resource: on the account, as unattributed; hostile user names are
 * sanitized and the message fits collectd's 256 bytes. */
static void test_unattributed_and_hostile(void) {
  struct swp_ident id = {"aws-prod", "prod", 60};
  struct sw_ctrec rec;
  char user[240];
  const struct mock_notif *n;
  memset(user, 'U', sizeof(user) - 1);
  user[sizeof(user) - 1] = '\0';
  memcpy(user, "x\n[0] DISABLE_NOTIFICATIONS %n\x1b[31m", 35);
  envelope(&rec, user, NULL);
  mock_reset();
  SW_CHECK_INT(swp_notify_oversized_read(&id, NULL, &rec, 300000), 0);
  SW_CHECK_INT(mock_notifs_num, 1);
  if (mock_notifs_num != 1)
    return;
  n = &mock_notifs[0];
  SW_CHECK_INT(n->severity, NOTIF_FAILURE);
  SW_CHECK_STR(n->plugin_instance, "prod");
  SW_CHECK(strncmp(n->message,
                   "Unattributed secret read recorded in an oversized "
                   "CloudTrail event (300000 bytes) by x",
                   86) == 0);
  SW_CHECK(strchr(n->message, '\n') == NULL);
  SW_CHECK(strchr(n->message, '\x1b') == NULL);
  SW_CHECK(strlen(n->message) <= 255);
  SW_CHECK_STR(mock_meta(n, "secret_id"), "");
  SW_CHECK(strchr(mock_meta(n, "user_name"), '\n') == NULL);
  /* nothing at all in the envelope still makes a message */
  memset(&rec, 0, sizeof(rec));
  mock_reset();
  SW_CHECK_INT(swp_notify_oversized_read(&id, NULL, &rec, 1), 0);
  SW_CHECK_STR(mock_notifs[0].message,
               "Unattributed secret read recorded in an oversized CloudTrail "
               "event (1 bytes) by - at -: inspect event -");
  mock_dispatch_fail = 1;
  SW_CHECK_INT(swp_notify_oversized_read(&id, NULL, &rec, 1), -1);
  mock_dispatch_fail = 0;
}

int main(void) {
  SW_RUN(test_attributed);
  SW_RUN(test_unattributed_and_hostile);
  return sw_test_done();
}
