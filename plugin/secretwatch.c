/* secretwatch: a collectd read plugin that reports who read a secret in
 * AWS Secrets Manager (DESIGN.md section 2).
 *
 * module_register registers the complex config callback, init and
 * shutdown. The config callback only parses (collectd -T refuses a bad
 * configuration before anything runs); init builds one poller per
 * <Account> and registers it as a complex read callback with its own
 * interval. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "plugin/config.h"
#include "plugin/log.h"
#include "plugin/poller.h"
#include "plugin/ratelimit.h"

#include "lib/http.h"

#include <string.h>

static struct swp_config config;
static int config_failed;

static int sw_config(oconfig_item_t *ci) {
  if (swp_config_parse(ci, &config) != 0) {
    config_failed = 1;
    return -1;
  }
  return 0;
}

static int sw_read(user_data_t *ud) {
  return swp_poller_read(ud->data);
}

static int register_account(struct swp_account_conf *a) {
  struct swp_poller *p = swp_poller_new(a, hostname_g);
  user_data_t ud;
  double iv;
  if (p == NULL)
    return -1;
  memset(&ud, 0, sizeof(ud));
  ud.data = p;
  ud.free_func = swp_poller_free;
  iv = swp_poller_interval(p);
  /* On failure the daemon has already freed p through free_func. */
  if (plugin_register_complex_read(NULL, swp_poller_name(p), sw_read,
                                   iv > 0 ? DOUBLE_TO_CDTIME_T(iv) : 0,
                                   &ud) != 0) {
    swp_log(SWP_ERR, "cannot register the read callback of account %s",
            swp_poller_name(p));
    return -1;
  }
  return 0;
}

static int sw_init(void) {
  int rc = 0;
  swp_log_install_lib_hook();
  if (config_failed)
    return -1;
  if (sw_http_global_init() != 0) {
    swp_log(SWP_ERR, "curl_global_init failed");
    return -1;
  }
  if (swp_config_finish(&config, global_option_get("BaseDir")) != 0) {
    swp_config_clean_up(&config);
    return -1;
  }
  for (size_t i = 0; i < config.accounts_num; i++)
    if (register_account(&config.accounts[i]) != 0)
      rc = -1;
  /* Registered pollers own their account configuration now. */
  swp_config_clean_up(&config);
  return rc;
}

static int sw_shutdown(void) {
  swp_config_clean_up(&config);
  swp_ratelimit_shutdown();
  return 0;
}

void module_register(void) {
  plugin_register_complex_config("secretwatch", sw_config);
  plugin_register_init("secretwatch", sw_init);
  plugin_register_shutdown("secretwatch", sw_shutdown);
}
