/* Logging for the plugin: every line goes to collectd's plugin_log with the
 * "secretwatch plugin: " prefix, and lib/'s log hook is routed here too. */
#ifndef SW_PLUGIN_LOG_H
#define SW_PLUGIN_LOG_H

/* syslog levels, as collectd's plugin.h defines them */
#define SWP_ERR 3
#define SWP_WARNING 4
#define SWP_NOTICE 5
#define SWP_INFO 6
#define SWP_DEBUG 7

/* Logs one line, prefixed. Thread-safe (plugin_log is). */
void swp_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Installs the lib/ log hook that forwards to swp_log. */
void swp_log_install_lib_hook(void);

#endif
