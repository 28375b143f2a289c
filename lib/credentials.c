#include "lib/credentials.h"
#include "lib/buf.h"
#include "lib/client.h"
#include "lib/credprocess.h"
#include "lib/crypto.h"
#include "lib/imds.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/profile.h"
#include "lib/sts.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_REFRESH_AHEAD_S 300
/* After a failed or unhelpful refresh, cached credentials that are still
 * valid are served for this long before the chain is asked again, so a
 * broken metadata service is not hammered on every call. */
#define MIN_REFETCH_INTERVAL_S 10.0
#define MAX_SOURCE_PROFILE_DEPTH 5
#define MAX_WEB_TOKEN ((size_t)32 << 10)
#define PROCESS_TIMEOUT_MS 60000
#define TRAIL_MAX 2048

/* ---- struct sw_credentials ---------------------------------------------- */

void sw_credentials_clean_up(struct sw_credentials *c) {
  if (c == NULL)
    return;
  if (c->session_token) {
    sw_wipe(c->session_token, strlen(c->session_token));
    free(c->session_token);
  }
  sw_wipe(c, sizeof(*c));
  memset(c, 0, sizeof(*c));
}

int sw_credentials_copy(struct sw_credentials *dst,
                        const struct sw_credentials *src) {
  sw_credentials_clean_up(dst);
  memcpy(dst, src, sizeof(*dst));
  dst->session_token = NULL;
  if (src->session_token) {
    dst->session_token = strdup(src->session_token);
    if (dst->session_token == NULL) {
      sw_credentials_clean_up(dst);
      return -1;
    }
  }
  return 0;
}

/* Fills c from strings; 0 or -1 (SW_ERR_CREDENTIALS) when a key does not
 * fit. what names the source in messages. */
static int creds_set(struct sw_credentials *c, const char *what,
                     const char *akid, const char *secret, const char *token,
                     time_t expiration_s, const char *provider,
                     struct sw_error *err) {
  sw_credentials_clean_up(c);
  if (akid == NULL || akid[0] == '\0' || secret == NULL || secret[0] == '\0')
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: access key id or secret key empty", what);
  if (sw_strlcpy(c->access_key_id, akid, sizeof(c->access_key_id)) != 0 ||
      sw_strlcpy(c->secret_access_key, secret, sizeof(c->secret_access_key)) !=
          0) {
    sw_credentials_clean_up(c);
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: access key id or secret key too long", what);
  }
  if (token && token[0]) {
    if (strlen(token) > SW_CREDS_MAX_TOKEN) {
      sw_credentials_clean_up(c);
      return sw_error_set(err, SW_ERR_CREDENTIALS,
                          "%s: session token longer than %d bytes", what,
                          SW_CREDS_MAX_TOKEN);
    }
    c->session_token = strdup(token);
    if (c->session_token == NULL) {
      sw_credentials_clean_up(c);
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    }
  }
  c->expiration_s = expiration_s;
  sw_strlcpy(c->provider, provider, sizeof(c->provider));
  return 0;
}

/* ---- JSON documents ----------------------------------------------------- */

/* Overwrites the text of a parsed string member: json-c frees without
 * wiping. */
static void json_wipe_member(struct json_object *obj, const char *key) {
  struct json_object *v = NULL;
  if (json_object_object_get_ex(obj, key, &v) &&
      json_object_is_type(v, json_type_string))
    sw_wipe((char *)json_object_get_string(v),
            (size_t)json_object_get_string_len(v));
}

static const char *json_kind_name(enum sw_creds_json_kind kind) {
  switch (kind) {
  case SW_CREDS_JSON_PROCESS:
    return "process";
  case SW_CREDS_JSON_IMDS:
    return "imds";
  default:
    return "ecs";
  }
}

/* 1 for a short run of letters, like IMDS's codes
 * ("AssumeRoleUnauthorizedAccess"): safe to quote, as no secret key is
 * letters only. */
static int code_is_word(const char *s) {
  size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  return n > 0 && n <= 64 && s[n] == '\0';
}

/* Checks the fields of a parsed document and copies them into out. */
static int creds_from_json(struct json_object *obj,
                           enum sw_creds_json_kind kind, double now_s,
                           struct sw_credentials *out, struct sw_error *err) {
  const char *what = json_kind_name(kind);
  const char *token_key =
      kind == SW_CREDS_JSON_PROCESS ? "SessionToken" : "Token";
  const char *akid, *secret, *token, *exp, *code;
  double exp_s = 0;
  int64_t version = 0;
  if (!json_object_is_type(obj, json_type_object))
    return sw_error_set(err, SW_ERR_CREDENTIALS, "%s: not a JSON object", what);
  if (kind == SW_CREDS_JSON_PROCESS &&
      (sw_json_int64(obj, "Version", &version) != 0 || version != 1))
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "process: \"Version\" must be the number 1");
  code = sw_json_str(obj, "Code");
  if (kind == SW_CREDS_JSON_IMDS && code && strcmp(code, "Success") != 0)
    return sw_error_set(err, SW_ERR_CREDENTIALS, "imds: Code is \"%s\"",
                        code_is_word(code) ? code : "(not shown)");
  akid = sw_json_str(obj, "AccessKeyId");
  secret = sw_json_str(obj, "SecretAccessKey");
  token = sw_json_str(obj, token_key);
  exp = sw_json_str(obj, "Expiration");
  if (akid == NULL)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: \"AccessKeyId\" missing or not a string", what);
  if (secret == NULL)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: \"SecretAccessKey\" missing or not a string",
                        what);
  if (kind != SW_CREDS_JSON_PROCESS && token == NULL)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: \"%s\" missing or not a string", what, token_key);
  if (kind != SW_CREDS_JSON_PROCESS && exp == NULL)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: \"Expiration\" missing or not a string", what);
  if (exp && sw_time_parse_iso8601(exp, &exp_s) != 0)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: \"Expiration\" is not an ISO 8601 time", what);
  if (exp && exp_s <= now_s) {
    char when[21];
    sw_time_iso8601((time_t)exp_s, when); /* ours, not the answer's text */
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: credentials expired at %s", what, when);
  }
  if (exp && exp_s < 1)
    exp_s = 1; /* 0 means "never expires" */
  return creds_set(out, what, akid, secret, token, (time_t)exp_s, what, err);
}

int sw_credentials_parse_json(const char *text, size_t len,
                              enum sw_creds_json_kind kind, double now_s,
                              struct sw_credentials *out,
                              struct sw_error *err) {
  struct json_object *obj;
  int rc;
  sw_credentials_clean_up(out);
  if (text == NULL || len == 0)
    return sw_error_set(err, SW_ERR_CREDENTIALS, "%s: empty answer",
                        json_kind_name(kind));
  obj = sw_json_parse(text, len, err);
  if (obj == NULL) {
    char why[sizeof(err->message)];
    sw_strlcpy(why, err ? err->message : "", sizeof(why));
    return sw_error_set(err, SW_ERR_CREDENTIALS, "%s: %s", json_kind_name(kind),
                        why);
  }
  rc = creds_from_json(obj, kind, now_s, out, err);
  if (json_object_is_type(obj, json_type_object)) {
    json_wipe_member(obj, "SecretAccessKey");
    json_wipe_member(obj, "SessionToken");
    json_wipe_member(obj, "Token");
  }
  json_object_put(obj);
  return rc;
}

/* ---- the provider ------------------------------------------------------- */

struct sw_creds_provider {
  struct sw_creds_opts o; /* strings point to our own copies */
  pthread_mutex_t lock;
  struct sw_credentials cached;
  int have;
  double last_attempt_s;
  double (*now_s)(void);
  unsigned long fetches;
};

static void free_str(const char *s, int secret) {
  if (s && secret)
    sw_wipe((char *)s, strlen(s));
  free((char *)s);
}

static void opts_free(struct sw_creds_opts *o) {
  free_str(o->access_key_id, 0);
  free_str(o->secret_access_key, 1);
  free_str(o->session_token, 1);
  free_str(o->profile, 0);
  free_str(o->role_arn, 0);
  free_str(o->external_id, 0);
  free_str(o->role_session_name, 0);
  free_str(o->region, 0);
  free_str(o->endpoint_url, 0);
  free_str(o->ca_file, 0);
  memset(o, 0, sizeof(*o));
}

static int dup_opt(const char **dst, const char *src) {
  *dst = NULL;
  if (src == NULL)
    return 0;
  *dst = strdup(src);
  return *dst ? 0 : -1;
}

static int opts_copy(struct sw_creds_opts *d, const struct sw_creds_opts *s) {
  int rc = 0;
  d->timeout_ms = s->timeout_ms;
  d->refresh_ahead_s = s->refresh_ahead_s;
  rc |= dup_opt(&d->access_key_id, s->access_key_id);
  rc |= dup_opt(&d->secret_access_key, s->secret_access_key);
  rc |= dup_opt(&d->session_token, s->session_token);
  rc |= dup_opt(&d->profile, s->profile);
  rc |= dup_opt(&d->role_arn, s->role_arn);
  rc |= dup_opt(&d->external_id, s->external_id);
  rc |= dup_opt(&d->role_session_name, s->role_session_name);
  rc |= dup_opt(&d->region, s->region);
  rc |= dup_opt(&d->endpoint_url, s->endpoint_url);
  rc |= dup_opt(&d->ca_file, s->ca_file);
  return rc;
}

static int set_(const char *s) {
  return s != NULL && s[0] != '\0';
}

/* The region for STS when none was configured: the SDKs' variables. */
static const char *env_region(void) {
  const char *r = getenv("AWS_REGION");
  if (!set_(r))
    r = getenv("AWS_DEFAULT_REGION");
  return set_(r) ? r : NULL;
}

static int opts_check(const struct sw_creds_opts *o, struct sw_error *err) {
  if (set_(o->access_key_id) != set_(o->secret_access_key))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credentials: access key id and secret access key "
                        "must be given together");
  if (set_(o->session_token) && !set_(o->access_key_id))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credentials: a session token needs static keys");
  if (!set_(o->role_arn) &&
      (set_(o->external_id) || set_(o->role_session_name)))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credentials: external id or role session name "
                        "given without a role ARN");
  if (set_(o->role_arn) && !set_(o->region) && env_region() == NULL)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credentials: role ARN %s needs a region (option or "
                        "AWS_REGION)",
                        o->role_arn);
  if (o->timeout_ms < 0 || o->refresh_ahead_s < 0)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credentials: negative timeout or refresh time");
  return 0;
}

struct sw_creds_provider *sw_creds_provider_new(const struct sw_creds_opts *o,
                                                struct sw_error *err) {
  struct sw_creds_opts empty = {0};
  struct sw_creds_provider *p;
  if (o == NULL)
    o = &empty;
  if (opts_check(o, err) != 0)
    return NULL;
  p = calloc(1, sizeof(*p));
  if (p == NULL || opts_copy(&p->o, o) != 0 ||
      pthread_mutex_init(&p->lock, NULL) != 0) {
    if (p)
      opts_free(&p->o);
    free(p);
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    return NULL;
  }
  if (p->o.refresh_ahead_s == 0)
    p->o.refresh_ahead_s = DEFAULT_REFRESH_AHEAD_S;
  p->now_s = sw_time_now;
  return p;
}

void sw_creds_provider_free(struct sw_creds_provider *p) {
  if (p == NULL)
    return;
  sw_credentials_clean_up(&p->cached);
  opts_free(&p->o);
  pthread_mutex_destroy(&p->lock);
  free(p);
}

void sw_creds_set_clock(struct sw_creds_provider *p, double (*now_s)(void)) {
  pthread_mutex_lock(&p->lock);
  p->now_s = now_s ? now_s : sw_time_now;
  pthread_mutex_unlock(&p->lock);
}

unsigned long sw_creds_fetch_count(struct sw_creds_provider *p) {
  unsigned long n;
  pthread_mutex_lock(&p->lock);
  n = p->fetches;
  pthread_mutex_unlock(&p->lock);
  return n;
}

void sw_creds_invalidate(struct sw_creds_provider *p) {
  if (p == NULL)
    return;
  pthread_mutex_lock(&p->lock);
  sw_credentials_clean_up(&p->cached);
  p->have = 0;
  pthread_mutex_unlock(&p->lock);
}

/* ---- resolution context ------------------------------------------------- */

/* The reasons each provider gave nothing, for the final message. */
struct trail {
  struct sw_buf msg;
};

static void trail_add(struct trail *t, const char *provider,
                      const char *reason) {
  if (t->msg.len)
    sw_buf_append_str(&t->msg, "; ");
  sw_buf_printf(&t->msg, "%s: %s", provider, reason);
}

/* Provider results: found, not applicable (try the next), or a hard error
 * that ends the chain (a configuration the user clearly meant but that
 * cannot work). */
enum { FOUND = 0, SKIP = 1, FAIL = -1 };

static const char *default_session_name(char *buf, size_t size) {
  snprintf(buf, size, "secretwatch-%ld", (long)getpid());
  return buf;
}

/* Copies an STS answer into a struct sw_credentials, refusing credentials
 * that are already expired (an answer replayed, or a clock far off). */
static int creds_from_sts(struct sw_credentials *out,
                          const struct sw_sts_assume_role_resp *r,
                          const char *provider, struct sw_error *err) {
  if (r->creds.expiration_s <= (time_t)sw_time_now()) {
    char when[21];
    sw_time_iso8601(r->creds.expiration_s, when);
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "%s: STS returned credentials that expired at %s "
                        "(is the clock right?)",
                        provider, when);
  }
  return creds_set(out, provider, r->creds.access_key_id,
                   r->creds.secret_access_key, r->creds.session_token,
                   r->creds.expiration_s, provider, err);
}

static void sts_client_opts(const struct sw_creds_provider *p,
                            const char *region, struct sw_client_opts *co) {
  memset(co, 0, sizeof(*co));
  co->region = region;
  if (co->region == NULL)
    co->region = p->o.region;
  if (co->region == NULL)
    co->region = env_region();
  if (co->region == NULL) {
    /* The SDKs fall back to the global endpoint without a region. */
    co->region = "us-east-1";
    co->sts_global = 1;
  }
  co->endpoint_url = p->o.endpoint_url;
  co->ca_file = p->o.ca_file;
  co->timeout_ms = p->o.timeout_ms;
}

int sw_credentials_read_token_file(const char *path, size_t max,
                                   const char *what, char **out,
                                   struct sw_error *err) {
  struct sw_buf b;
  char chunk[1024];
  size_t n;
  int rc = 0;
  FILE *f = fopen(path, "re");
  *out = NULL;
  if (f == NULL)
    return sw_error_set(err, SW_ERR_CREDENTIALS, "%s %s: %s", what, path,
                        strerror(errno));
  sw_buf_init(&b, max);
  while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    if (sw_buf_append(&b, chunk, n) != 0)
      rc = sw_error_set(err, SW_ERR_CREDENTIALS, "%s %s: larger than %zu bytes",
                        what, path, max);
  fclose(f);
  sw_wipe(chunk, sizeof(chunk));
  while (rc == 0 && b.len > 0 && strchr(" \t\r\n", b.data[b.len - 1]))
    b.data[--b.len] = '\0';
  if (rc == 0 && b.len == 0)
    rc = sw_error_set(err, SW_ERR_CREDENTIALS, "%s %s: empty", what, path);
  if (rc == 0 && (*out = strdup(b.data)) == NULL)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  sw_buf_clean_up_secure(&b);
  return rc;
}

static void free_secret(char *s) {
  if (s) {
    sw_wipe(s, strlen(s));
    free(s);
  }
}

/* STS AssumeRoleWithWebIdentity (unsigned: a client without a provider). */
static int web_identity(const struct sw_creds_provider *p,
                        const char *token_file, const char *role_arn,
                        const char *session_name, const char *region,
                        struct sw_credentials *out, struct sw_error *err) {
  struct sw_client_opts co;
  struct sw_client *c = NULL;
  struct sw_sts_web_identity_req req = {0};
  struct sw_sts_assume_role_resp resp;
  char *token = NULL;
  int rc;
  sw_sts_assume_role_resp_init(&resp);
  rc = sw_credentials_read_token_file(token_file, MAX_WEB_TOKEN,
                                      "web identity token file", &token, err);
  if (rc == 0) {
    sts_client_opts(p, region, &co);
    c = sw_client_new(&co, err);
    rc = c ? 0 : -1;
  }
  if (rc == 0) {
    char sess[64];
    req.role_arn = role_arn;
    req.role_session_name = set_(session_name)
                                ? session_name
                                : default_session_name(sess, sizeof(sess));
    req.web_identity_token = token;
    rc = sw_sts_web_identity(c, &req, &resp, err);
  }
  if (rc == 0)
    rc = creds_from_sts(out, &resp, "web-identity", err);
  sw_sts_assume_role_resp_clean_up(&resp);
  sw_client_free(c);
  free_secret(token);
  return rc;
}

struct assume_params {
  const char *role_arn;
  const char *external_id;
  const char *session_name;
  const char *region;
  int duration_s;
};

/* STS AssumeRole signed with src. */
static int assume_role(const struct sw_creds_provider *p,
                       const struct sw_credentials *src,
                       const struct assume_params *ap,
                       struct sw_credentials *out, struct sw_error *err) {
  struct sw_creds_opts so = {0};
  struct sw_creds_provider *sp;
  struct sw_client_opts co;
  struct sw_client *c = NULL;
  struct sw_sts_assume_role_req req = {0};
  struct sw_sts_assume_role_resp resp;
  int rc;
  sw_sts_assume_role_resp_init(&resp);
  so.access_key_id = src->access_key_id;
  so.secret_access_key = src->secret_access_key;
  so.session_token = src->session_token;
  sp = sw_creds_provider_new(&so, err);
  rc = sp ? 0 : -1;
  if (rc == 0) {
    sts_client_opts(p, ap->region, &co);
    co.creds = sp;
    c = sw_client_new(&co, err);
    rc = c ? 0 : -1;
  }
  if (rc == 0) {
    char sess[64];
    req.role_arn = ap->role_arn;
    req.role_session_name = set_(ap->session_name)
                                ? ap->session_name
                                : default_session_name(sess, sizeof(sess));
    req.external_id = set_(ap->external_id) ? ap->external_id : NULL;
    req.duration_s = ap->duration_s > 0 ? ap->duration_s : 3600;
    rc = sw_sts_assume_role(c, &req, &resp, err);
  }
  if (rc == 0)
    rc = creds_from_sts(out, &resp, "assume-role", err);
  sw_sts_assume_role_resp_clean_up(&resp);
  sw_client_free(c);
  sw_creds_provider_free(sp);
  return rc;
}

/* ---- providers of the chain --------------------------------------------- */

static int provider_static(const struct sw_creds_provider *p,
                           struct sw_credentials *out, struct sw_error *err) {
  if (!set_(p->o.access_key_id))
    return SKIP;
  return creds_set(out, "static", p->o.access_key_id, p->o.secret_access_key,
                   p->o.session_token, 0, "static", err) == 0
             ? FOUND
             : FAIL;
}

/* AWS_ACCESS_KEY_ID (or the legacy AWS_ACCESS_KEY) and friends. */
static int provider_env(struct sw_credentials *out, struct trail *t,
                        struct sw_error *err) {
  const char *id = getenv("AWS_ACCESS_KEY_ID");
  const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
  const char *token = getenv("AWS_SESSION_TOKEN");
  if (!set_(id))
    id = getenv("AWS_ACCESS_KEY");
  if (!set_(secret))
    secret = getenv("AWS_SECRET_KEY");
  if (!set_(token))
    token = getenv("AWS_SECURITY_TOKEN");
  if (!set_(id) && !set_(secret)) {
    trail_add(t, "env", "AWS_ACCESS_KEY_ID not set");
    return SKIP;
  }
  if (!set_(id) || !set_(secret)) {
    trail_add(t, "env",
              set_(id) ? "AWS_SECRET_ACCESS_KEY not set (partial credentials)"
                       : "AWS_ACCESS_KEY_ID not set (partial credentials)");
    sw_error_set(err, SW_ERR_CREDENTIALS, "partial environment credentials");
    return FAIL;
  }
  if (creds_set(out, "env", id, secret, token, 0, "env", err) != 0) {
    trail_add(t, "env", err->message);
    return FAIL;
  }
  return FOUND;
}

static int provider_web_identity(const struct sw_creds_provider *p,
                                 struct sw_credentials *out, struct trail *t,
                                 struct sw_error *err) {
  const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
  const char *arn = getenv("AWS_ROLE_ARN");
  if (!set_(file) || !set_(arn)) {
    trail_add(t, "web-identity",
              set_(file) ? "AWS_ROLE_ARN not set"
                         : "AWS_WEB_IDENTITY_TOKEN_FILE not set");
    return SKIP;
  }
  if (web_identity(p, file, arn, getenv("AWS_ROLE_SESSION_NAME"), NULL, out,
                   err) != 0) {
    trail_add(t, "web-identity", err->message);
    return FAIL;
  }
  return FOUND;
}

static int provider_ecs(const struct sw_creds_provider *p,
                        struct sw_credentials *out, struct trail *t,
                        struct sw_error *err) {
  struct sw_ecs_config c;
  int rc = sw_ecs_config_from_env(&c, err);
  if (rc == 1) {
    trail_add(t, "ecs",
              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set");
    return SKIP;
  }
  if (rc == 0)
    rc = sw_ecs_fetch(&c, p->o.timeout_ms, p->o.ca_file, out, err);
  sw_ecs_config_clean_up(&c);
  if (rc != 0) {
    trail_add(t, "ecs", err->message);
    return FAIL;
  }
  return FOUND;
}

static int provider_imds(const struct sw_creds_provider *p,
                         struct sw_credentials *out, struct trail *t,
                         struct sw_error *err) {
  struct sw_imds_opts io = {0};
  if (sw_imds_disabled_by_env()) {
    trail_add(t, "imds", "disabled by AWS_EC2_METADATA_DISABLED");
    return SKIP;
  }
  /* IMDS must answer quickly or not at all: off EC2 nothing listens. */
  io.timeout_ms =
      p->o.timeout_ms > 0 && p->o.timeout_ms < 1000 ? p->o.timeout_ms : 1000;
  if (sw_imds_fetch(&io, out, err) != 0) {
    trail_add(t, "imds", err->message);
    return SKIP;
  }
  return FOUND;
}

/* ---- shared config and credentials files ------------------------------ */

struct profiles {
  const struct sw_creds_provider *p;
  struct sw_profile_file config;
  struct sw_profile_file creds;
  char config_path[1024];
  char creds_path[1024];
  const char *visited[MAX_SOURCE_PROFILE_DEPTH + 2];
  int depth;
};

/* A setting of a profile: the credentials file wins over the config file,
 * as in the AWS CLI. */
static const char *prof_get(const struct profiles *ps, const char *name,
                            const char *key) {
  const char *v = sw_profile_get(&ps->creds, name, key);
  if (v == NULL)
    v = sw_profile_get(&ps->config, name, key);
  return set_(v) ? v : NULL;
}

static int prof_exists(const struct profiles *ps, const char *name) {
  return sw_profile_find(&ps->creds, name) != NULL ||
         sw_profile_find(&ps->config, name) != NULL;
}

/* Static keys of one file's profile: FOUND, SKIP when absent, FAIL when
 * only one half is there. */
static int prof_static(const struct sw_profile_file *f, const char *name,
                       struct sw_credentials *out, struct sw_error *err) {
  const char *id = sw_profile_get(f, name, "aws_access_key_id");
  const char *secret = sw_profile_get(f, name, "aws_secret_access_key");
  const char *token = sw_profile_get(f, name, "aws_session_token");
  if (!set_(token))
    token = sw_profile_get(f, name, "aws_security_token");
  if (!set_(id) && !set_(secret))
    return SKIP;
  if (!set_(id) || !set_(secret))
    return sw_error_set(
        err, SW_ERR_CREDENTIALS, "profile \"%s\" in %s: %s without %s", name,
        f->path, set_(id) ? "aws_access_key_id" : "aws_secret_access_key",
        set_(id) ? "aws_secret_access_key" : "aws_access_key_id");
  return creds_set(out, "profile", id, secret, token, 0, "profile", err) == 0
             ? FOUND
             : FAIL;
}

static int resolve_profile(struct profiles *ps, const char *name,
                           struct sw_credentials *out, struct sw_error *err);

/* The credentials a role profile starts from. */
static int role_source(struct profiles *ps, const char *name,
                       struct sw_credentials *src, struct sw_error *err) {
  const char *sp = prof_get(ps, name, "source_profile");
  const char *cs = prof_get(ps, name, "credential_source");
  struct trail t;
  int rc;
  if (sp && cs)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "profile \"%s\": source_profile and credential_source "
                        "are exclusive",
                        name);
  if (sp && strcmp(sp, name) == 0) {
    /* A profile may name itself to use its own keys for the role. */
    rc = prof_static(&ps->creds, name, src, err);
    if (rc == SKIP)
      rc = prof_static(&ps->config, name, src, err);
    if (rc == SKIP)
      rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                        "profile \"%s\" is its own source_profile but has no "
                        "keys",
                        name);
    return rc;
  }
  if (sp) {
    if (!prof_exists(ps, sp))
      return sw_error_set(err, SW_ERR_CREDENTIALS,
                          "source_profile \"%s\" of profile \"%s\" not found",
                          sp, name);
    return resolve_profile(ps, sp, src, err);
  }
  if (cs == NULL)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "profile \"%s\": role_arn needs source_profile, "
                        "credential_source or web_identity_token_file",
                        name);
  sw_buf_init(&t.msg, TRAIL_MAX);
  if (strcmp(cs, "Environment") == 0)
    rc = provider_env(src, &t, err);
  else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
    rc = provider_imds(ps->p, src, &t, err);
  else if (strcmp(cs, "EcsContainer") == 0)
    rc = provider_ecs(ps->p, src, &t, err);
  else
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "profile \"%s\": unknown credential_source \"%s\"", name,
                      cs);
  if (rc == SKIP || (rc == FAIL && t.msg.len))
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "profile \"%s\": credential_source %s gave nothing: %s",
                      name, cs, sw_buf_cstr(&t.msg));
  sw_buf_clean_up(&t.msg);
  return rc;
}

static int parse_duration(const char *name, const char *v, int *out,
                          struct sw_error *err) {
  char *end;
  long d;
  *out = 0;
  if (v == NULL)
    return 0;
  d = strtol(v, &end, 10);
  if (*end != '\0' || d < 900 || d > 43200)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "profile \"%s\": duration_seconds must be 900..43200",
                        name);
  *out = (int)d;
  return 0;
}

static int resolve_role_profile(struct profiles *ps, const char *name,
                                const char *role_arn,
                                struct sw_credentials *out,
                                struct sw_error *err) {
  struct sw_credentials src = {0};
  struct assume_params ap = {0};
  const char *wif = prof_get(ps, name, "web_identity_token_file");
  int rc;
  ap.role_arn = role_arn;
  ap.external_id = prof_get(ps, name, "external_id");
  ap.session_name = prof_get(ps, name, "role_session_name");
  ap.region = prof_get(ps, name, "region");
  if (prof_get(ps, name, "mfa_serial"))
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "profile \"%s\": mfa_serial needs an interactive code; "
                        "not supported by a daemon",
                        name);
  if (parse_duration(name, prof_get(ps, name, "duration_seconds"),
                     &ap.duration_s, err) != 0)
    return FAIL;
  if (wif && !prof_get(ps, name, "source_profile") &&
      !prof_get(ps, name, "credential_source"))
    return web_identity(ps->p, wif, role_arn, ap.session_name, ap.region, out,
                        err) == 0
               ? FOUND
               : FAIL;
  rc = role_source(ps, name, &src, err);
  if (rc == FOUND)
    rc = assume_role(ps->p, &src, &ap, out, err) == 0 ? FOUND : FAIL;
  sw_credentials_clean_up(&src);
  return rc;
}

/* Resolves one profile: role_arn, then static keys in the credentials file,
 * credential_process, static keys in the config file (the AWS CLI's order).
 * SKIP when the profile holds no credentials at all. */
static int resolve_profile(struct profiles *ps, const char *name,
                           struct sw_credentials *out, struct sw_error *err) {
  const char *role_arn, *proc;
  int rc;
  for (int i = 0; i < ps->depth; i++)
    if (strcmp(ps->visited[i], name) == 0)
      return sw_error_set(err, SW_ERR_CREDENTIALS,
                          "source_profile cycle: profile \"%s\" reached "
                          "again from \"%s\"",
                          name, ps->visited[ps->depth - 1]);
  if (ps->depth > MAX_SOURCE_PROFILE_DEPTH)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "source_profile chain deeper than %d at \"%s\"",
                        MAX_SOURCE_PROFILE_DEPTH, name);
  ps->visited[ps->depth++] = name;
  role_arn = prof_get(ps, name, "role_arn");
  proc = prof_get(ps, name, "credential_process");
  if (role_arn) {
    rc = resolve_role_profile(ps, name, role_arn, out, err);
  } else {
    rc = prof_static(&ps->creds, name, out, err);
    if (rc == SKIP && proc)
      rc = sw_credprocess_run(proc, PROCESS_TIMEOUT_MS, out, err) == 0 ? FOUND
                                                                       : FAIL;
    if (rc == SKIP)
      rc = prof_static(&ps->config, name, out, err);
    if (rc == SKIP && (prof_get(ps, name, "sso_session") ||
                       prof_get(ps, name, "sso_start_url")))
      rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                        "profile \"%s\" uses IAM Identity Center (SSO), which "
                        "needs an interactive login: not supported; use keys, "
                        "a role or credential_process",
                        name);
    if (rc == SKIP && ps->depth > 1)
      rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                        "source_profile \"%s\" holds no credentials", name);
  }
  ps->depth--;
  return rc;
}

static int provider_profile(const struct sw_creds_provider *p,
                            struct sw_credentials *out, struct trail *t,
                            struct sw_error *err) {
  struct profiles ps;
  const char *name = p->o.profile;
  char label[160];
  int explicit_name = 1, rc = 0;
  memset(&ps, 0, sizeof(ps));
  ps.p = p;
  if (!set_(name))
    name = getenv("AWS_PROFILE");
  if (!set_(name)) {
    name = "default";
    explicit_name = 0;
  }
  snprintf(label, sizeof(label), "profile \"%.128s\"", name);
  if (sw_profile_config_path(ps.config_path, sizeof(ps.config_path), err) ||
      sw_profile_credentials_path(ps.creds_path, sizeof(ps.creds_path), err) ||
      sw_profile_load(ps.config_path, SW_PROFILE_CONFIG, &ps.config, err) ||
      sw_profile_load(ps.creds_path, SW_PROFILE_CREDENTIALS, &ps.creds, err))
    rc = FAIL;
  if (rc == 0 && !prof_exists(&ps, name)) {
    sw_error_set(err, SW_ERR_CREDENTIALS, "not found in %s or %s",
                 ps.config_path, ps.creds_path);
    rc = explicit_name ? FAIL : SKIP;
  }
  if (rc == 0) {
    rc = resolve_profile(&ps, name, out, err);
    if (rc == SKIP)
      sw_error_set(err, SW_ERR_CREDENTIALS,
                   "no keys, role_arn or credential_process");
  }
  if (rc != FOUND)
    trail_add(t, label, err->message);
  sw_profile_file_clean_up(&ps.config);
  sw_profile_file_clean_up(&ps.creds);
  return rc;
}

/* The default chain, in the SDKs' order. */
static int resolve_chain(const struct sw_creds_provider *p,
                         struct sw_credentials *out, struct sw_error *err) {
  struct trail t;
  struct sw_error e;
  int rc;
  sw_error_clear(&e);
  sw_buf_init(&t.msg, TRAIL_MAX);
  rc = provider_static(p, out, &e);
  if (rc == SKIP)
    rc = provider_env(out, &t, &e);
  if (rc == SKIP)
    rc = provider_web_identity(p, out, &t, &e);
  if (rc == SKIP)
    rc = provider_profile(p, out, &t, &e);
  if (rc == SKIP)
    rc = provider_ecs(p, out, &t, &e);
  if (rc == SKIP)
    rc = provider_imds(p, out, &t, &e);
  if (rc != FOUND)
    sw_error_set(err, SW_ERR_CREDENTIALS, "no credentials: %s",
                 t.msg.len ? sw_buf_cstr(&t.msg) : e.message);
  sw_buf_clean_up(&t.msg);
  return rc == FOUND ? 0 : -1;
}

/* The chain, then the configured role on top of it. */
static int resolve(const struct sw_creds_provider *p,
                   struct sw_credentials *out, struct sw_error *err) {
  struct sw_credentials src = {0};
  struct assume_params ap = {0};
  struct sw_error e;
  int rc;
  if (!set_(p->o.role_arn))
    return resolve_chain(p, out, err);
  rc = resolve_chain(p, &src, err);
  if (rc == 0) {
    ap.role_arn = p->o.role_arn;
    ap.external_id = p->o.external_id;
    ap.session_name = p->o.role_session_name;
    ap.duration_s = 3600;
    sw_error_clear(&e);
    rc = assume_role(p, &src, &ap, out, &e);
    if (rc != 0) {
      sw_error_set(err, SW_ERR_CREDENTIALS,
                   "assume-role %s with %s credentials (key %s): %s",
                   p->o.role_arn, src.provider, src.access_key_id, e.message);
      if (err) {
        err->http_status = e.http_status;
        sw_strlcpy(err->code, e.code, sizeof(err->code));
        sw_strlcpy(err->request_id, e.request_id, sizeof(err->request_id));
      }
    }
  }
  sw_credentials_clean_up(&src);
  return rc;
}

/* Whether cached credentials can be handed out without asking again. */
static int cache_fresh(const struct sw_creds_provider *p, double now_s) {
  if (!p->have)
    return 0;
  if (p->cached.expiration_s == 0)
    return 1;
  return now_s < (double)p->cached.expiration_s - (double)p->o.refresh_ahead_s;
}

static int cache_valid(const struct sw_creds_provider *p, double now_s) {
  return p->have && (p->cached.expiration_s == 0 ||
                     now_s < (double)p->cached.expiration_s);
}

int sw_creds_get(struct sw_creds_provider *p, struct sw_credentials *out,
                 struct sw_error *err) {
  struct sw_credentials fresh = {0};
  struct sw_error e;
  double now_s;
  int rc;
  if (p == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "no credentials provider");
  pthread_mutex_lock(&p->lock);
  now_s = p->now_s();
  if (cache_fresh(p, now_s) ||
      (cache_valid(p, now_s) &&
       now_s - p->last_attempt_s < MIN_REFETCH_INTERVAL_S)) {
    rc = sw_credentials_copy(out, &p->cached);
    pthread_mutex_unlock(&p->lock);
    return rc == 0 ? 0 : sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  }
  p->last_attempt_s = now_s;
  p->fetches++;
  sw_error_clear(&e);
  rc = resolve(p, &fresh, &e);
  if (rc == 0) {
    sw_credentials_clean_up(&p->cached);
    p->cached = fresh; /* takes the token */
    memset(&fresh, 0, sizeof(fresh));
    p->have = 1;
    sw_log(SW_LOG_INFO, "credentials: from %s, key %s", p->cached.provider,
           p->cached.access_key_id);
  } else if (cache_valid(p, now_s)) {
    sw_log(SW_LOG_WARNING,
           "credentials: refresh failed, using cached key %s until it "
           "expires: %s",
           p->cached.access_key_id, e.message);
    rc = 0;
  }
  if (rc == 0)
    rc = sw_credentials_copy(out, &p->cached) == 0
             ? 0
             : sw_error_set(&e, SW_ERR_INTERNAL, "out of memory");
  pthread_mutex_unlock(&p->lock);
  if (rc != 0 && err)
    *err = e;
  sw_credentials_clean_up(&fresh);
  return rc;
}
