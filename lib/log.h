/* The logging hook.
 *
 * lib/ never prints. It reports through one handler that the host installs:
 * the plugin forwards to collectd's plugin_log, the provisioner to stderr.
 * Messages never contain secret keys, session tokens or secret values. */
#ifndef SW_LOG_H
#define SW_LOG_H

enum sw_log_level {
  SW_LOG_ERR = 3,
  SW_LOG_WARNING = 4,
  SW_LOG_NOTICE = 5,
  SW_LOG_INFO = 6,
  SW_LOG_DEBUG = 7
};

typedef void (*sw_log_fn)(enum sw_log_level level, const char *msg, void *ctx);

/* Installs the handler (NULL: messages are dropped). Call before threads
 * start; the handler itself must be thread-safe. */
void sw_log_set_handler(sw_log_fn fn, void *ctx);
void sw_log(enum sw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
