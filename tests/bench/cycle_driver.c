/* The benchmark's cycle driver: runs secretwatch's per-account read cycle
 * outside collectd (the plugin's objects linked with the collectd mock of
 * tests/plugin), so that the benchmark can count calls, CPU, instructions
 * and memory of exactly one cycle.
 *
 * Usage: sw_cycle_driver CONFIG BASEDIR
 * CONFIG holds what would be inside <Plugin secretwatch> (one <Account>);
 * the credentials come from the environment, as in collectd. Commands on
 * stdin, one per line, each answered by one line on stdout:
 *   cycle N     run N read cycles (1 <= N <= 10000000)
 *   measure     run one cycle with callgrind's collection switched on
 *               (the run uses --collect-atstart=no; outside valgrind this is
 *               a plain cycle)
 *   mem         memory figures only
 *   quit
 * SW_BENCH_NO_RATELIMIT=1 lifts the plugin's LookupEvents rate limit.
 * The answer is "ok key=value ..." with the cycles' return codes, the
 * process's user and system CPU (microseconds, cumulative), the wall time
 * of the command, RSS and peak RSS (KiB), the heap in use (bytes), and,
 * for the command alone, the LookupEvents calls by lookup attribute
 * (le_event_name, le_resource_name, le_other: which query strategy the
 * plugin used) and the notifications dispatched (notifs). */
#include "mock_collectd.h"

#include "plugin/config.h"
#include "plugin/log.h"
#include "plugin/poller.h"
#include "plugin/ratelimit.h"

#include "lib/cloudtrail.h"
#include "lib/http.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#define MAX_CONFIG (4L * 1024 * 1024)

/* The link wraps the plugin's LookupEvents rate limiter (--wrap): with
 * SW_BENCH_NO_RATELIMIT=1 in the environment cycles run back to back (the
 * benchmark then lifts the simulator's limit too); calls are unchanged, a
 * cycle that obeys the limit only waits. */
int __real_swp_ratelimit_take(struct swp_bucket *b, long max_wait_ms);
int __wrap_swp_ratelimit_take(struct swp_bucket *b, long max_wait_ms);
static int no_ratelimit;

/* The wrapper's contract is swp_ratelimit_take's (plugin/ratelimit.h). */
int __wrap_swp_ratelimit_take(struct swp_bucket *b, long max_wait_ms) {
  if (no_ratelimit)
    return 0;
  return __real_swp_ratelimit_take(b, max_wait_ms);
}
void __real_swp_ratelimit_jitter(unsigned int *seed, long max_ms);
void __wrap_swp_ratelimit_jitter(unsigned int *seed, long max_ms);

/* Its contract is swp_ratelimit_jitter's: no pause without the limits. */
void __wrap_swp_ratelimit_jitter(unsigned int *seed, long max_ms) {
  if (!no_ratelimit)
    __real_swp_ratelimit_jitter(seed, max_ms);
}
#define MAX_CYCLES 10000000L

/* Per command: LookupEvents calls by attribute and notifications (the
 * link wraps both functions too). */
static long le_event_name, le_resource_name, le_other, notifs;

int __real_sw_ct_lookup_events(struct sw_client *c,
                               const struct sw_ct_lookup_req *req,
                               struct sw_ct_lookup_resp *out,
                               struct sw_error *err);
int __wrap_sw_ct_lookup_events(struct sw_client *c,
                               const struct sw_ct_lookup_req *req,
                               struct sw_ct_lookup_resp *out,
                               struct sw_error *err);
int __real_plugin_dispatch_notification(const notification_t *n);
int __wrap_plugin_dispatch_notification(const notification_t *n);

/* Counts the call by its lookup attribute, then makes it
 * (sw_ct_lookup_events' contract, lib/cloudtrail.h). */
int __wrap_sw_ct_lookup_events(struct sw_client *c,
                               const struct sw_ct_lookup_req *req,
                               struct sw_ct_lookup_resp *out,
                               struct sw_error *err) {
  if (req->attr_key != NULL && strcmp(req->attr_key, "EventName") == 0)
    le_event_name++;
  else if (req->attr_key != NULL && strcmp(req->attr_key, "ResourceName") == 0)
    le_resource_name++;
  else
    le_other++;
  return __real_sw_ct_lookup_events(c, req, out, err);
}

/* Counts the notification and keeps the mock from filling up (its copies
 * are not looked at here); plugin_dispatch_notification's contract. */
int __wrap_plugin_dispatch_notification(const notification_t *n) {
  notifs++;
  if (mock_notifs_num >= MOCK_MAX)
    mock_notifs_num = 0;
  return __real_plugin_dispatch_notification(n);
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text;
  size_t n;
  if (f == NULL)
    return NULL;
  text = malloc(MAX_CONFIG + 1);
  if (text == NULL) {
    fclose(f);
    return NULL;
  }
  n = fread(text, 1, MAX_CONFIG, f);
  fclose(f);
  if (n == MAX_CONFIG) { /* refuse rather than cut a config */
    free(text);
    return NULL;
  }
  text[n] = '\0';
  return text;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    return -1;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void report(long cycles, long failed, double wall_s) {
  struct rusage ru;
  struct mallinfo2 mi = mallinfo2();
  getrusage(RUSAGE_SELF, &ru);
  printf("ok cycles=%ld failed=%ld user_us=%ld sys_us=%ld wall_us=%.0f "
         "rss_kb=%ld maxrss_kb=%ld heap_bytes=%zu le_event_name=%ld "
         "le_resource_name=%ld le_other=%ld notifs=%ld\n",
         cycles, failed,
         (long)ru.ru_utime.tv_sec * 1000000L + (long)ru.ru_utime.tv_usec,
         (long)ru.ru_stime.tv_sec * 1000000L + (long)ru.ru_stime.tv_usec,
         wall_s * 1e6, rss_kb(), ru.ru_maxrss, mi.uordblks, le_event_name,
         le_resource_name, le_other, notifs);
  fflush(stdout);
  le_event_name = le_resource_name = le_other = notifs = 0;
}

static struct swp_poller *build(const char *config_path, const char *base_dir) {
  struct swp_config cfg;
  struct swp_poller *p = NULL;
  char *text = read_file(config_path);
  oconfig_item_t *ci = text ? mock_config(text) : NULL;
  free(text);
  if (ci == NULL) {
    fprintf(stderr, "cannot read or parse %s\n", config_path);
    return NULL;
  }
  memset(&cfg, 0, sizeof(cfg));
  if (swp_config_parse(ci, &cfg) != 0 ||
      swp_config_finish(&cfg, base_dir) != 0 || cfg.accounts_num != 1) {
    fprintf(stderr, "bad configuration (one <Account> expected):\n%s\n",
            mock_log);
    mock_config_free(ci);
    swp_config_clean_up(&cfg);
    return NULL;
  }
  mock_config_free(ci);
  p = swp_poller_new(&cfg.accounts[0], "benchhost");
  if (p == NULL)
    fprintf(stderr, "cannot build the poller:\n%s\n", mock_log);
  swp_config_clean_up(&cfg);
  return p;
}

/* Builds the poller, then answers commands until quit or end of input.
 * Exit status 0, or 2 on a bad command line or configuration. */
int main(int argc, char **argv) {
  struct swp_poller *p;
  char line[256];
  if (argc != 3) {
    fprintf(stderr, "usage: %s CONFIG BASEDIR\n", argv[0]);
    return 2;
  }
  no_ratelimit = getenv("SW_BENCH_NO_RATELIMIT") != NULL &&
                 strcmp(getenv("SW_BENCH_NO_RATELIMIT"), "1") == 0;
  swp_log_install_lib_hook();
  if (sw_http_global_init() != 0)
    return 2;
  if ((p = build(argv[1], argv[2])) == NULL)
    return 2;
  while (fgets(line, sizeof(line), stdin) != NULL) {
    long n = 0, failed = 0;
    double t0 = now_s();
    if (sscanf(line, "cycle %ld", &n) == 1 && n >= 1 && n <= MAX_CYCLES) {
      for (long i = 0; i < n; i++) {
        /* The mock keeps what was dispatched: empty it, as collectd would
         * have handed it on. */
        mock_values_num = 0;
        mock_notifs_num = 0;
        mock_log[0] = '\0';
        failed += swp_poller_read(p) != 0;
      }
      report(n, failed, now_s() - t0);
    } else if (strncmp(line, "measure", 7) == 0) {
      mock_values_num = 0;
      mock_notifs_num = 0;
      mock_log[0] = '\0';
      CALLGRIND_TOGGLE_COLLECT;
      failed = swp_poller_read(p) != 0;
      CALLGRIND_TOGGLE_COLLECT;
      report(1, failed, now_s() - t0);
    } else if (strncmp(line, "mem", 3) == 0) {
      report(0, 0, 0);
    } else if (strncmp(line, "quit", 4) == 0) {
      break;
    } else {
      printf("error unknown command\n");
      fflush(stdout);
    }
  }
  swp_poller_free(p);
  swp_ratelimit_shutdown();
  return 0;
}
