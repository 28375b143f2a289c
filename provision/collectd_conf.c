/* collectd configuration writer. */
#include "provision/collectd_conf.h"

#include <string.h>

/* Appends s as a collectd quoted string. */
static void quoted(struct sw_buf *b, const char *s) {
  sw_buf_append_char(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      sw_buf_append_char(b, '\\');
    /* ARNs and names come from AWS: a line break would end the option and
     * start another, other control characters have no business in a
     * config file. The plugin needs none of them. */
    sw_buf_append_char(b, (c < 0x20 || c == 0x7f) ? ' ' : *s);
  }
  sw_buf_append_char(b, '"');
}

static void option(struct sw_buf *b, const char *indent, const char *name,
                   const char *value) {
  if (!value)
    return;
  sw_buf_printf(b, "%s%-18s ", indent, name);
  quoted(b, value);
  sw_buf_append_char(b, '\n');
}

static void secret_block(struct sw_buf *b, const struct pv_conf_secret *s) {
  static const char in[] = "      ";
  sw_buf_append_str(b, "    <Secret ");
  quoted(b, s->label);
  sw_buf_append_str(b, ">\n");
  option(b, in, "SecretID", s->secret_id);
  option(b, in, "MetricNamespace", s->metric_namespace);
  option(b, in, "MetricName", s->metric_name);
  option(b, in, "AlarmName", s->alarm_name);
  option(b, in, "Mode", s->allow_count ? "guarded" : "honeytoken");
  for (size_t i = 0; i < s->allow_count; i++)
    option(b, in, "AllowPrincipal", s->allow[i]);
  sw_buf_append_str(b, "    </Secret>\n");
}

int pv_collectd_config(const struct pv_conf_in *in, struct sw_buf *out) {
  static const char ind[] = "    ";
  if (!in->account || !in->region)
    return -1;
  sw_buf_append_str(out, "LoadPlugin secretwatch\n<Plugin secretwatch>\n"
                         "  <Account ");
  quoted(out, in->account);
  sw_buf_append_str(out, ">\n");
  option(out, ind, "Region", in->region);
  option(out, ind, "Profile", in->profile);
  option(out, ind, "EndpointURL", in->endpoint_url);
  option(out, ind, "CAFile", in->ca_file);
  sw_buf_printf(out, "%s%-18s %s\n", ind, "Events", "true");
  option(out, ind, "EventSource", "LookupEvents");
  option(out, ind, "LogGroup", in->log_group);
  sw_buf_printf(out, "%s%-18s %s\n", ind, "Watchdog", "true");
  option(out, ind, "Trail", in->trail);
  for (size_t i = 0; i < in->secret_count; i++)
    secret_block(out, &in->secrets[i]);
  sw_buf_append_str(out, "  </Account>\n</Plugin>\n");
  return out->overflow ? -1 : 0;
}
