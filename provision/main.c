/* secretwatch-provision: parses the command line, builds the AWS client and
 * runs one command (commands.h). Exit codes: args.h. */
#include "provision/args.h"
#include "provision/commands.h"
#include "provision/steps.h"

#include "lib/client.h"
#include "lib/credentials.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_verbosity;

/* lib/ reports through this hook: warnings always, the rest with -v. */
static void log_to_stderr(enum sw_log_level level, const char *msg, void *ctx) {
  char clean[1024];
  if ((int)level > SW_LOG_WARNING + log_verbosity * 2)
    return;
  sw_text_sanitize_str(clean, sizeof(clean), msg);
  fprintf(stderr, "secretwatch-provision: %s\n", clean);
}

/* -v: one line per AWS call (operation, attempts, time, outcome). */
static void observe_call(const struct sw_call_info *info, void *ctx) {
  char desc[700] = "ok", clean[700];
  if (info->err)
    sw_error_describe(info->err, desc, sizeof(desc));
  /* The error message is AWS's text: one line, no control characters. */
  sw_text_sanitize_str(clean, sizeof(clean), desc);
  fprintf(stderr,
          "secretwatch-provision: aws %s.%s: %d attempt%s, %.0f ms: "
          "%s\n",
          sw_service_name(info->service), info->operation, info->attempts,
          info->attempts == 1 ? "" : "s", info->latency_ms, clean);
}

static const char *env(const char *name) {
  return getenv(name);
}

static int colour_wanted(void) {
  const char *term = getenv("TERM");
  const char *no_colour = getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) && !(no_colour && *no_colour) && term &&
         strcmp(term, "dumb") != 0;
}

static int open_client(struct pv_ctx *c) {
  struct sw_creds_opts co = {0};
  struct sw_client_opts cl = {0};
  struct sw_error err;
  co.profile = c->o->profile;
  co.region = c->o->region;
  co.endpoint_url = c->o->endpoint_url;
  co.ca_file = c->o->ca_file;
  c->creds = sw_creds_provider_new(&co, &err);
  if (c->creds) {
    cl.region = c->o->region;
    cl.endpoint_url = c->o->endpoint_url;
    cl.ca_file = c->o->ca_file;
    cl.timeout_ms = 30000;
    cl.creds = c->creds;
    c->client = sw_client_new(&cl, &err);
  }
  if (!c->client) {
    char line[900], desc[700];
    snprintf(line, sizeof(line), "cannot set up the AWS client: %s",
             sw_error_describe(&err, desc, sizeof(desc)));
    pv_report_error(c->rep, line);
    return -1;
  }
  if (c->o->verbose)
    sw_client_set_observer(c->client, observe_call, NULL);
  return 0;
}

static int run(struct pv_ctx *c) {
  if (open_client(c) != 0 || pv_discover(c) != 0) {
    pv_report_finish(c->rep, "error");
    return PV_EXIT_FAIL;
  }
  switch (c->o->command) {
  case PV_CMD_DESTROY:
    return pv_cmd_destroy(c);
  case PV_CMD_COLLECTD_CONFIG:
    return pv_cmd_collectd_config(c);
  case PV_CMD_VERIFY:
    return pv_cmd_verify(c);
  default:
    return pv_cmd_converge(c);
  }
}

int main(int argc, char **argv) {
  /* Static: large (secrets and names), and living as long as the run. */
  static struct pv_ctx ctx;
  static struct pv_opts o;
  char err[300];
  int rc = pv_args_parse(argc, argv, &o, env, err, sizeof(err));
  if (rc != 0) {
    fprintf(stderr, "secretwatch-provision: %s\n", err);
    return rc;
  }
  if (o.version) {
    printf("secretwatch-provision %s\n", SW_VERSION);
    return PV_EXIT_OK;
  }
  if (o.help) {
    fputs(pv_usage(o.command), stdout);
    return PV_EXIT_OK;
  }
  log_verbosity = o.verbose;
  sw_log_set_handler(log_to_stderr, NULL);
  if (sw_http_global_init() != 0) {
    fprintf(stderr, "secretwatch-provision: libcurl failed to initialize\n");
    return PV_EXIT_FAIL;
  }
  ctx.o = &o;
  ctx.rep =
      pv_report_new(pv_command_name(o.command), o.output_json, colour_wanted());
  if (!ctx.rep)
    return PV_EXIT_FAIL;
  rc = run(&ctx);
  sw_client_free(ctx.client);
  sw_creds_provider_free(ctx.creds);
  pv_report_free(ctx.rep);
  return rc;
}
