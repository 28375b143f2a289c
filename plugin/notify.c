/* Building and dispatching notifications from untrusted AWS text. */
#include "plugin/notify.h"

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "lib/text.h"

#include <stdio.h>
#include <string.h>

/* Meta strings from AWS are bounded to this (user agents can be long). */
#define META_MAX 512

void swp_field(char *dst, size_t dst_size, const char *src) {
  sw_text_sanitize_str(dst, dst_size, src);
  for (char *p = dst; *p; p++)
    if (*p == '/')
      *p = '_';
}

static const char *or_dash(const char *s) {
  return (s && s[0]) ? s : "-";
}

void swp_notify_read_message(char *out, size_t out_size,
                             const struct swp_secret_conf *s,
                             const struct sw_ctrec *rec, enum swp_verdict v) {
  char raw[1200];
  /* Assembled raw and sanitized once, at the end, so the cut (if any) lands
   * on a character boundary and every AWS byte is filtered. */
  if (v == SWP_VERDICT_DENIED)
    snprintf(raw, sizeof(raw),
             "%s read denied (%.64s) for %.512s from %.128s "
             "at %.40s",
             s->label, rec->error_code, swp_record_principal(rec),
             or_dash(rec->source_ip), or_dash(rec->event_time));
  else
    snprintf(raw, sizeof(raw), "%s read by %.512s from %.128s at %.40s",
             s->label, swp_record_principal(rec), or_dash(rec->source_ip),
             or_dash(rec->event_time));
  sw_text_sanitize_str(out, out_size, raw);
}

static int meta_str(notification_t *n, const char *name, const char *raw) {
  char clean[META_MAX];
  sw_text_sanitize_str(clean, sizeof(clean), raw ? raw : "");
  return plugin_notification_meta_add_string(n, name, clean);
}

static void notif_init(notification_t *n, const struct swp_ident *id,
                       int severity, const char *plugin_instance,
                       const char *type, const char *type_instance) {
  memset(n, 0, sizeof(*n));
  n->severity = severity;
  n->time = cdtime();
  sw_strlcpy(n->host, id->host ? id->host : "", sizeof(n->host));
  sw_strlcpy(n->plugin, "secretwatch", sizeof(n->plugin));
  swp_field(n->plugin_instance, sizeof(n->plugin_instance), plugin_instance);
  sw_strlcpy(n->type, type, sizeof(n->type));
  swp_field(n->type_instance, sizeof(n->type_instance), type_instance);
}

static int dispatch_and_free(notification_t *n, int meta_rc) {
  int rc = meta_rc == 0 ? plugin_dispatch_notification(n) : -1;
  plugin_notification_meta_free(n->meta);
  n->meta = NULL;
  return rc == 0 ? 0 : -1;
}

int swp_notify_read(const struct swp_ident *id, const struct swp_secret_conf *s,
                    const struct sw_ctrec *rec, enum swp_verdict v) {
  notification_t n;
  int rc = 0;
  notif_init(&n, id, v == SWP_VERDICT_ALLOWED ? NOTIF_OKAY : NOTIF_FAILURE,
             s->instance, "secret_access", rec->event_name);
  if (rec->has_event_time && rec->event_time_s > 0)
    n.time = DOUBLE_TO_CDTIME_T(rec->event_time_s);
  swp_notify_read_message(n.message, sizeof(n.message), s, rec, v);
  rc |= meta_str(&n, "event_id", rec->event_id);
  rc |= meta_str(&n, "event_time", rec->event_time);
  rc |= meta_str(&n, "event_name", rec->event_name);
  rc |= meta_str(&n, "principal_arn", swp_record_principal(rec));
  rc |= meta_str(&n, "principal_type", rec->identity.type);
  rc |= meta_str(&n, "access_key_id", rec->identity.access_key_id);
  rc |= meta_str(&n, "source_ip", rec->source_ip);
  rc |= meta_str(&n, "user_agent", rec->user_agent);
  rc |= meta_str(&n, "aws_region", rec->aws_region);
  rc |= meta_str(&n, "account_id",
                 rec->recipient_account_id[0] ? rec->recipient_account_id
                                              : rec->identity.account_id);
  rc |= meta_str(&n, "secret_id",
                 rec->secret_id[0] ? rec->secret_id : s->secret_id);
  rc |= meta_str(&n, "error_code", rec->error_code);
  rc |= meta_str(&n, "error_message", rec->error_message);
  rc |= meta_str(&n, "vpc_endpoint_id", rec->vpc_endpoint_id);
  rc |= plugin_notification_meta_add_boolean(&n, "allowed",
                                             v == SWP_VERDICT_ALLOWED);
  return dispatch_and_free(&n, rc);
}

int swp_notify_oversized_read(const struct swp_ident *id,
                              const struct swp_secret_conf *s,
                              const struct sw_ctrec *rec, size_t bytes) {
  notification_t n;
  char raw[700];
  int rc = 0;
  notif_init(&n, id, NOTIF_FAILURE, s ? s->instance : id->account_instance,
             "secret_access", rec->event_name);
  if (rec->has_event_time && rec->event_time_s > 0)
    n.time = DOUBLE_TO_CDTIME_T(rec->event_time_s);
  snprintf(raw, sizeof(raw),
           "%.64s read recorded in an oversized CloudTrail event (%zu "
           "bytes) by %.256s at %.40s: inspect event %.128s",
           s ? s->label : "Unattributed secret", bytes,
           or_dash(rec->identity.user_name), or_dash(rec->event_time),
           or_dash(rec->event_id));
  sw_text_sanitize_str(n.message, sizeof(n.message), raw);
  rc |= meta_str(&n, "event_id", rec->event_id);
  rc |= meta_str(&n, "event_time", rec->event_time);
  rc |= meta_str(&n, "event_name", rec->event_name);
  rc |= meta_str(&n, "user_name", rec->identity.user_name);
  rc |= meta_str(&n, "secret_id",
                 s ? s->secret_id
                   : (rec->resource_count ? rec->resource_arns[0] : ""));
  rc |= plugin_notification_meta_add_boolean(&n, "oversized", 1);
  rc |= plugin_notification_meta_add_boolean(&n, "allowed", 0);
  return dispatch_and_free(&n, rc);
}

int swp_alarm_severity(const char *state) {
  if (state == NULL)
    return 0;
  if (strcmp(state, "ALARM") == 0)
    return NOTIF_FAILURE;
  if (strcmp(state, "INSUFFICIENT_DATA") == 0)
    return NOTIF_WARNING;
  if (strcmp(state, "OK") == 0)
    return NOTIF_OKAY;
  return 0;
}

int swp_notify_alarm(const struct swp_ident *id,
                     const struct swp_secret_conf *s, const char *alarm_name,
                     const char *old_state, const char *new_state,
                     const char *reason, const char *updated) {
  notification_t n;
  char raw[700];
  int rc = 0, sev = swp_alarm_severity(new_state);
  if (sev == 0)
    return -1;
  notif_init(&n, id, sev, s->instance, "alarm_state", alarm_name);
  snprintf(raw, sizeof(raw),
           "Alarm %.255s of %s changed from %.20s to %.20s: "
           "%.300s",
           alarm_name, s->label, or_dash(old_state), new_state,
           or_dash(reason));
  sw_text_sanitize_str(n.message, sizeof(n.message), raw);
  rc |= meta_str(&n, "state_reason", reason);
  rc |= meta_str(&n, "state_updated", updated);
  rc |= meta_str(&n, "alarm_name", alarm_name);
  rc |= meta_str(&n, "previous_state", old_state);
  return dispatch_and_free(&n, rc);
}

int swp_notify_chain(const struct swp_ident *id, int severity,
                     const char *check, const char *message) {
  notification_t n;
  notif_init(&n, id, severity, id->account_instance, "chain", check);
  sw_text_sanitize_str(n.message, sizeof(n.message), message);
  return dispatch_and_free(&n, meta_str(&n, "check", check));
}
