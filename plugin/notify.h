/* Notifications: the ONE place where text from AWS is sanitized for
 * collectd. Every string that came from AWS (principal, user agent, error
 * message, alarm reason...) passes through sw_text_sanitize here, so a user
 * agent holding "\n[0] DISABLE_NOTIFICATIONS" stays one harmless line. */
#ifndef SW_PLUGIN_NOTIFY_H
#define SW_PLUGIN_NOTIFY_H

#include "plugin/config.h"
#include "plugin/match.h"

#include "lib/ctrecord.h"

#include <stddef.h>

/* Where notifications and values of one account go. */
struct swp_ident {
  const char *host;             /* Host option or collectd's hostname */
  const char *account_instance; /* plugin_instance of account-level data */
  double interval_s;            /* the account's read interval */
};

#define SWP_NOTIF_FAILURE 1 /* collectd's NOTIF_FAILURE */
#define SWP_NOTIF_WARNING 2
#define SWP_NOTIF_OKAY 4

/* Copies untrusted text into a collectd identifier field of dst_size bytes:
 * sanitized (lib/text.h) and with '/' replaced, so it cannot split an
 * identifier. */
void swp_field(char *dst, size_t dst_size, const char *src);

/* The message of a read notification (at most out_size-1 bytes, out_size
 * <= 256 for collectd): "<label> read by <principal> from <ip> at <time>",
 * or "<label> read denied (<code>) for <principal> from <ip> at <time>". */
void swp_notify_read_message(char *out, size_t out_size,
                             const struct swp_secret_conf *s,
                             const struct sw_ctrec *rec, enum swp_verdict v);

/* Dispatches the notification of one read record of secret s (severity
 * FAILURE for unexpected and denied, OKAY for allowed) with the meta of
 * DESIGN.md 2.3. 0, or -1 when collectd refused it. */
int swp_notify_read(const struct swp_ident *id, const struct swp_secret_conf *s,
                    const struct sw_ctrec *rec, enum swp_verdict v);

/* Dispatches a FAILURE notification for a read recorded in a CloudTrail
 * event too big to parse (only its LookupEvents envelope is in rec:
 * event id/name/time, identity.user_name, resource names) of bytes bytes.
 * s is the watched secret it names, or NULL when the event does not say
 * which secret was read: it then goes on the account's plugin_instance as
 * unattributed. Message: "<label> read recorded in an oversized CloudTrail
 * event (N bytes) by <user> at <time>: inspect event <id>". 0 or -1. */
int swp_notify_oversized_read(const struct swp_ident *id,
                              const struct swp_secret_conf *s,
                              const struct sw_ctrec *rec, size_t bytes);

/* Severity of an alarm state: FAILURE for ALARM, WARNING for
 * INSUFFICIENT_DATA, OKAY for OK, 0 for anything else. */
int swp_alarm_severity(const char *state);

/* Dispatches an alarm transition of secret s: type alarm_state,
 * type_instance the alarm name, meta state_reason and state_updated
 * (either may be NULL). 0 or -1. */
int swp_notify_alarm(const struct swp_ident *id,
                     const struct swp_secret_conf *s, const char *alarm_name,
                     const char *old_state, const char *new_state,
                     const char *reason, const char *updated);

/* Dispatches a watchdog finding: type chain, type_instance check (e.g.
 * "trail_logging"), on the account's plugin_instance. 0 or -1. */
int swp_notify_chain(const struct swp_ident *id, int severity,
                     const char *check, const char *message);

#endif
