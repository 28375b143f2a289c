/* A small mock of the collectd daemon symbols the plugin uses, for unit
 * tests: it records what the plugin dispatched and logged. collectd's own
 * mock is not shipped in collectd-dev. Not thread-safe. */
#ifndef SW_MOCK_COLLECTD_H
#define SW_MOCK_COLLECTD_H

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/liboconfig/oconfig.h"

#define MOCK_MAX 512

struct mock_value {
  char host[128], plugin[128], plugin_instance[128], type[128],
      type_instance[128];
  double value; /* gauge or derive */
  cdtime_t time;
  cdtime_t interval;
};

struct mock_meta {
  char name[128];
  char value[1024]; /* strings; booleans as "true"/"false" */
};

struct mock_notif {
  int severity;
  cdtime_t time;
  char message[256];
  char host[128], plugin[128], plugin_instance[128], type[128],
      type_instance[128];
  struct mock_meta meta[32];
  int meta_num;
};

extern struct mock_value mock_values[MOCK_MAX];
extern int mock_values_num;
extern struct mock_notif mock_notifs[MOCK_MAX];
extern int mock_notifs_num;
extern char mock_log[65536]; /* every log line, '\n'-separated */
extern int mock_reads_registered;
extern int mock_dispatch_fail; /* make plugin_dispatch_* return -1 */
extern const char *mock_base_dir;

void mock_reset(void);
/* The value dispatched with that type and type_instance (last one), or NULL.
 */
const struct mock_value *mock_find_value(const char *plugin_instance,
                                         const char *type,
                                         const char *type_instance);
/* The meta value of a notification, or NULL. */
const char *mock_meta(const struct mock_notif *n, const char *name);

/* Parses a small subset of collectd's config syntax (blocks, options,
 * quoted strings, numbers, true/false, '#' comments) into an oconfig tree
 * rooted at a synthetic item. NULL on a syntax error. */
oconfig_item_t *mock_config(const char *text);
void mock_config_free(oconfig_item_t *ci);

#endif
