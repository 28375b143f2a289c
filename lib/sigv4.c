/* AWS Signature Version 4 as pure stages (see lib/sigv4.h).
 *
 * The rules follow the AWS General Reference ("Create a canonical request
 * for Signature Version 4", "Create a string to sign", "Calculate the
 * signature", "Authenticating requests: using query parameters") and the
 * official test suite: paths normalized and encoded once more except for S3,
 * query parameters decoded, re-encoded strictly and sorted by name then
 * value, header names lowercased and sorted, values trimmed with whitespace
 * runs (folded lines included) turned into one space, duplicates joined with
 * ','. Nothing here does I/O or reads a clock. */
#include "lib/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_WORK_MAX ((size_t)1 << 20) /* any one intermediate string */
#define SIGV4_NAME_MAX 128               /* header names */
#define SIGV4_SCOPE_MAX 256
#define SIGV4_SECRET_MAX 1024
#define SIGV4_AKID_MAX 127 /* fits sw_sigv4_key_cache.access_key_id */

/* ---- small character helpers (locale-free on purpose) ---- */

static int is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Forgets whatever was appended to b after len (keeps "unchanged on
 * failure" for callers' buffers). */
static void buf_truncate(struct sw_buf *b, size_t len) {
  if (b->data && len <= b->len) {
    b->len = len;
    b->data[len] = '\0';
  }
}

/* RFC 7230 token characters, as header names must be. */
static int is_tchar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* 1 when s is 1..max_len characters, all in [A-Za-z0-9] or extra. */
static int is_word(const char *s, size_t max_len, const char *extra) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > max_len)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || strchr(extra, c)))
      return 0;
  }
  return 1;
}

/* 1 when s is visible ASCII only (no space, no control, no CR/LF that could
 * split a header). */
static int is_visible_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return 0;
  return 1;
}

int sw_uri_encode(struct sw_buf *out, const char *s, size_t len,
                  int keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  if (out == NULL || (s == NULL && len > 0))
    return -1;
  size_t start = out->len;
  size_t i = 0;
  while (i < len) {
    /* Copy runs of kept bytes in one append: most input is plain. */
    size_t run = i;
    while (run < len && (is_unreserved((unsigned char)s[run]) ||
                         (keep_slash && s[run] == '/')))
      run++;
    if (run > i && sw_buf_append(out, s + i, run - i) != 0)
      goto fail;
    if (run == len)
      break;
    unsigned char c = (unsigned char)s[run];
    char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
    if (sw_buf_append(out, esc, 3) != 0)
      goto fail;
    i = run + 1;
  }
  return 0;
fail:
  buf_truncate(out, start);
  return -1;
}

int sw_sigv4_amz_date(time_t time_s, char out[17]) {
  struct tm tm;
  out[0] = '\0';
  if (time_s < 0 || gmtime_r(&time_s, &tm) == NULL || tm.tm_year + 1900 > 9999)
    return -1;
  if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16) {
    out[0] = '\0';
    return -1;
  }
  return 0;
}

void sw_sigv4_scope(const char *date8, const char *region, const char *service,
                    char *out, size_t out_size) {
  if (out == NULL || out_size == 0)
    return;
  int n = snprintf(out, out_size, "%s/%s/%s/aws4_request", date8 ? date8 : "",
                   region ? region : "", service ? service : "");
  if (n < 0)
    out[0] = '\0';
}

/* ---- parameter checks ---- */

/* The session token to send, or NULL: an empty token counts as none. */
static const char *session_token(const struct sw_sigv4_params *p) {
  return (p->session_token && p->session_token[0]) ? p->session_token : NULL;
}

static int check_params(const struct sw_sigv4_params *p, int presign,
                        struct sw_error *err) {
  char date[17];
  if (p == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "sigv4: no signing parameters");
  /* The key id is written into "Credential=<id>/<scope>": a '/', ',' or
   * space in it would change the header's meaning. */
  if (!is_word(p->access_key_id, SIGV4_AKID_MAX, "_-.+"))
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "sigv4: access key id missing, longer than 127 or "
                        "not made of letters, digits and '_-.+'");
  if (p->secret_access_key == NULL || p->secret_access_key[0] == '\0' ||
      strlen(p->secret_access_key) > SIGV4_SECRET_MAX)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "sigv4: secret access key for %s missing or longer "
                        "than %d bytes",
                        p->access_key_id, SIGV4_SECRET_MAX);
  const char *token = session_token(p);
  if (token && (strlen(token) > SW_SIGV4_MAX_TOKEN || !is_visible_ascii(token)))
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "sigv4: session token for %s longer than %d bytes or "
                        "holding spaces or control characters",
                        p->access_key_id, SW_SIGV4_MAX_TOKEN);
  if (!is_word(p->region, 63, "-"))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "sigv4: region missing, longer than 63 or not made "
                        "of letters, digits and '-'");
  if (!is_word(p->service, 63, "-_."))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "sigv4: signing service name missing, longer than 63 "
                        "or not made of letters, digits and '-_.'");
  if (sw_sigv4_amz_date(p->time_s, date) != 0)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: request time %lld outside years 1970..9999",
                        (long long)p->time_s);
  if (presign && (p->presign_expires_s < 1 ||
                  p->presign_expires_s > SW_SIGV4_MAX_EXPIRES_S))
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: presign expiry %ld s outside 1..%ld",
                        p->presign_expires_s, SW_SIGV4_MAX_EXPIRES_S);
  return 0;
}

static int check_method(const char *m, struct sw_error *err) {
  size_t n = m ? strlen(m) : 0;
  if (n == 0)
    return sw_error_set(err, SW_ERR_VALIDATION, "sigv4: HTTP method missing");
  if (n > 16)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: HTTP method longer than 16 characters");
  for (size_t i = 0; i < n; i++)
    if (m[i] < 'A' || m[i] > 'Z')
      return sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: HTTP method must be upper-case letters");
  return 0;
}

/* The payload hash for the canonical request into out (<= 64 chars). */
static int payload_hash(const struct sw_sigv4_request *req,
                        const struct sw_sigv4_params *p, int presign,
                        char out[SW_SHA256_HEX_LEN + 1], struct sw_error *err) {
  if (req->payload_hash) {
    size_t n = strlen(req->payload_hash);
    if (n == 0 || n > SW_SHA256_HEX_LEN ||
        !is_word(req->payload_hash, SW_SHA256_HEX_LEN, "-"))
      return sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: payload hash must be 64 hex digits or a "
                          "token such as UNSIGNED-PAYLOAD");
    memcpy(out, req->payload_hash, n + 1);
    return 0;
  }
  /* A presigned S3 URL cannot know its payload (AWS S3 API reference,
   * "Authenticating Requests: Using Query Parameters"). */
  if (presign && p->s3_mode) {
    memcpy(out, SIGV4_UNSIGNED_PAYLOAD, sizeof(SIGV4_UNSIGNED_PAYLOAD));
    return 0;
  }
  if (req->body == NULL && req->body_len > 0)
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "sigv4: body length %zu without a body", req->body_len);
  sw_sha256_hex(req->body ? req->body : "", req->body_len, out);
  return 0;
}

/* ---- canonical URI ---- */

/* Removes "." and ".." segments and empty segments (RFC 3986 5.2.4 plus
 * the "//" collapse the SigV4 suite expects); a trailing '/' (or a trailing
 * dot segment) keeps a trailing '/'. */
static int normalize_path(const char *path, size_t len, struct sw_buf *out) {
  size_t i = 0;
  int trailing_slash = 0;
  while (i < len) {
    while (i < len && path[i] == '/')
      i++;
    size_t start = i;
    while (i < len && path[i] != '/')
      i++;
    size_t seg = i - start;
    int dot = seg == 1 && path[start] == '.';
    int dot_dot = seg == 2 && path[start] == '.' && path[start + 1] == '.';
    if (i == len)
      trailing_slash = seg == 0 || dot || dot_dot;
    if (seg == 0 || dot)
      continue;
    if (dot_dot) {
      char *slash = out->len ? memrchr(out->data, '/', out->len) : NULL;
      if (slash)
        buf_truncate(out, (size_t)(slash - out->data));
      continue;
    }
    if (sw_buf_append_char(out, '/') != 0 ||
        sw_buf_append(out, path + start, seg) != 0)
      return -1;
  }
  if (out->len == 0 || trailing_slash)
    return sw_buf_append_char(out, '/');
  return 0;
}

static int canonical_uri(const struct sw_sigv4_request *req,
                         const struct sw_sigv4_params *p, struct sw_buf *out,
                         struct sw_error *err) {
  const char *path = (req->path && req->path[0]) ? req->path : "/";
  size_t len = strlen(path);
  if (len > SW_SIGV4_MAX_PATH)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: path longer than %d bytes", SW_SIGV4_MAX_PATH);
  if (path[0] != '/')
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: path must start with '/'");
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
      return sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: control character in the path");
  /* S3 signs the path exactly as sent (AWS S3 API reference, "Signature
   * Calculations for the Authorization Header"), so it must already be
   * encoded: a raw space or UTF-8 byte would be signed one way and sent
   * another. */
  for (size_t i = 0; p->s3_mode && i < len; i++)
    if (path[i] == ' ' || (unsigned char)path[i] >= 0x80)
      return sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: S3 path must be percent-encoded as sent "
                          "(raw space or non-ASCII byte)");
  if (p->s3_mode)
    return sw_buf_append(out, path, len) == 0
               ? 0
               : sw_error_set(err, SW_ERR_INTERNAL,
                              "sigv4: canonical path too long");
  struct sw_buf norm;
  sw_buf_init(&norm, SW_SIGV4_MAX_PATH + 2);
  int rc = p->no_path_normalize ? sw_buf_append(&norm, path, len)
                                : normalize_path(path, len, &norm);
  if (rc == 0)
    rc = sw_uri_encode(out, sw_buf_cstr(&norm), norm.len, 1);
  sw_buf_clean_up(&norm);
  return rc == 0 ? 0
                 : sw_error_set(err, SW_ERR_INTERNAL,
                                "sigv4: canonical path too long");
}

/* ---- canonical headers ---- */

struct canon_header {
  char name[SIGV4_NAME_MAX + 1]; /* lowercased */
  const char *value;
  size_t order; /* keeps duplicate names in request order */
};

static int header_cmp(const void *a, const void *b) {
  const struct canon_header *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends value trimmed, with every whitespace run (folded lines too) made
 * one space. */
static int append_trimmed(struct sw_buf *out, const char *v) {
  size_t n = strlen(v), i = 0;
  while (i < n && is_space((unsigned char)v[i]))
    i++;
  while (n > i && is_space((unsigned char)v[n - 1]))
    n--;
  while (i < n) {
    size_t run = i;
    while (run < n && !is_space((unsigned char)v[run]))
      run++;
    if (sw_buf_append(out, v + i, run - i) != 0)
      return -1;
    if (run == n)
      break;
    if (sw_buf_append_char(out, ' ') != 0)
      return -1;
    while (run < n && is_space((unsigned char)v[run]))
      run++;
    i = run;
  }
  return 0;
}

static int add_entry(struct canon_header *list, size_t *count, const char *name,
                     const char *value, struct sw_error *err) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > SIGV4_NAME_MAX)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: header name empty or longer than %d",
                        SIGV4_NAME_MAX);
  for (size_t i = 0; i < n; i++) {
    if (!is_tchar((unsigned char)name[i]))
      return sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: invalid character in header name");
    list[*count].name[i] = (char)lower((unsigned char)name[i]);
  }
  list[*count].name[n] = '\0';
  if (value == NULL)
    value = "";
  size_t vlen = strlen(value);
  if (vlen > SW_SIGV4_MAX_HEADER_VALUE)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: value of header %s longer than %d bytes",
                        list[*count].name, SW_SIGV4_MAX_HEADER_VALUE);
  for (size_t i = 0; i < vlen; i++) {
    unsigned char c = (unsigned char)value[i];
    /* LF is allowed only as part of an obs-fold (LF then SP/HT): a bare
     * line break would let a value forge another field. */
    if (c == '\n' && (value[i + 1] == ' ' || value[i + 1] == '\t'))
      continue;
    if (c == '\r' && value[i + 1] == '\n' &&
        (value[i + 2] == ' ' || value[i + 2] == '\t'))
      continue;
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: control character in the value of header %s",
                          list[*count].name);
  }
  list[*count].value = value;
  list[*count].order = *count;
  (*count)++;
  return 0;
}

/* Fields the signer itself sends; a request that already has them was
 * signed before or is confused. */
static int signer_field_clash(const char *lname,
                              const struct sw_sigv4_params *p, int presign) {
  if (strcmp(lname, "authorization") == 0)
    return 1;
  if (presign)
    return 0;
  return strcmp(lname, "x-amz-date") == 0 ||
         (session_token(p) && strcmp(lname, "x-amz-security-token") == 0) ||
         ((p->s3_mode || p->content_sha256_header) &&
          strcmp(lname, "x-amz-content-sha256") == 0);
}

static int canonical_headers(const struct sw_sigv4_request *req,
                             const struct sw_sigv4_params *p, int presign,
                             const char *amz_date, const char *hash,
                             struct sw_buf *canon, struct sw_buf *signed_names,
                             struct sw_error *err) {
  const struct sw_headers *h = req->headers;
  size_t n_req = h ? h->count : 0;
  if (n_req > SW_HEADERS_MAX)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: more than %d header fields", SW_HEADERS_MAX);
  struct canon_header *list = calloc(n_req + 3, sizeof(*list));
  if (list == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "sigv4: out of memory");
  size_t count = 0;
  int rc = 0, have_host = 0;
  for (size_t i = 0; rc == 0 && i < n_req; i++) {
    rc = add_entry(list, &count, h->items[i].name, h->items[i].value, err);
    if (rc == 0 && signer_field_clash(list[count - 1].name, p, presign))
      rc = sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: request already has a %s field; the signer "
                        "adds it",
                        list[count - 1].name);
    if (rc == 0 && strcmp(list[count - 1].name, "host") == 0)
      have_host = 1;
  }
  if (rc == 0 && !have_host)
    rc = sw_error_set(err, SW_ERR_VALIDATION,
                      "sigv4: request has no Host header (it must be signed)");
  /* Header signing signs its own X-Amz-* fields too (AWS General
   * Reference, "Create a canonical request": x-amz-date and any x-amz-*
   * header sent must be signed). */
  if (rc == 0 && !presign) {
    rc = add_entry(list, &count, "x-amz-date", amz_date, err);
    if (rc == 0 && session_token(p) && !p->omit_session_token)
      rc = add_entry(list, &count, "x-amz-security-token", session_token(p),
                     err);
    if (rc == 0 && (p->s3_mode || p->content_sha256_header))
      rc = add_entry(list, &count, "x-amz-content-sha256", hash, err);
  }
  if (rc == 0) {
    qsort(list, count, sizeof(*list), header_cmp);
    for (size_t i = 0; rc == 0 && i < count; i++) {
      int same = i > 0 && strcmp(list[i].name, list[i - 1].name) == 0;
      if (!same && i > 0)
        rc = sw_buf_append_char(canon, '\n');
      if (rc == 0 && !same)
        rc = sw_buf_printf(canon, "%s:", list[i].name);
      if (rc == 0 && !same && signed_names->len)
        rc = sw_buf_append_char(signed_names, ';');
      if (rc == 0 && !same)
        rc = sw_buf_append_str(signed_names, list[i].name);
      if (rc == 0 && same)
        rc = sw_buf_append_char(canon, ',');
      if (rc == 0)
        rc = append_trimmed(canon, list[i].value);
    }
    if (rc == 0)
      rc = sw_buf_append_char(canon, '\n');
    if (rc != 0)
      rc = sw_error_set(err, SW_ERR_INTERNAL,
                        "sigv4: canonical headers too long");
  }
  free(list);
  return rc;
}

/* ---- canonical query ---- */

struct query_param {
  size_t key_off, value_off; /* into the arena while it may move */
  const char *key, *value;
};

static int param_cmp(const void *a, const void *b) {
  const struct query_param *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : strcmp(x->value, y->value);
}

/* Percent-decodes s[0..len) and appends it strictly re-encoded plus a NUL
 * separator. -1 on a broken escape or a control character. */
static int recode(struct sw_buf *arena, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      if (len - i < 3)
        return -2;
      int h = hex_value((unsigned char)s[i + 1]);
      int l = hex_value((unsigned char)s[i + 2]);
      if (h < 0 || l < 0)
        return -2;
      c = (unsigned char)(h * 16 + l);
      i += 2;
    } else if (c < 0x20 || c == 0x7f) {
      return -3;
    }
    char one = (char)c;
    if (sw_uri_encode(arena, &one, 1, 0) != 0)
      return -1;
  }
  return sw_buf_append_char(arena, '\0');
}

static int is_auth_param(const char *key) {
  static const char *const names[] = {
      "X-Amz-Algorithm", "X-Amz-Credential",    "X-Amz-Date",
      "X-Amz-Expires",   "X-Amz-SignedHeaders", "X-Amz-Security-Token",
      "X-Amz-Signature"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(key, names[i]) == 0)
      return 1;
  return 0;
}

/* Adds an already encoded key and a raw value (encoded here). */
static int add_auth_param(struct sw_buf *arena, struct query_param *list,
                          size_t *count, const char *key, const char *value) {
  list[*count].key_off = arena->len;
  if (sw_buf_append(arena, key, strlen(key) + 1) != 0)
    return -1;
  list[*count].value_off = arena->len;
  if (sw_uri_encode(arena, value, strlen(value), 0) != 0 ||
      sw_buf_append_char(arena, '\0') != 0)
    return -1;
  (*count)++;
  return 0;
}

static int presign_params(struct sw_buf *arena, struct query_param *list,
                          size_t *count, const struct sw_sigv4_params *p,
                          const char *amz_date, const char *signed_names) {
  char scope[SIGV4_SCOPE_MAX], credential[SIGV4_SCOPE_MAX + 160];
  char expires[24], date8[9];
  memcpy(date8, amz_date, 8);
  date8[8] = '\0';
  sw_sigv4_scope(date8, p->region, p->service, scope, sizeof(scope));
  snprintf(credential, sizeof(credential), "%s/%s", p->access_key_id, scope);
  snprintf(expires, sizeof(expires), "%ld", p->presign_expires_s);
  int rc =
      add_auth_param(arena, list, count, "X-Amz-Algorithm", SIGV4_ALGORITHM);
  if (rc == 0)
    rc = add_auth_param(arena, list, count, "X-Amz-Credential", credential);
  if (rc == 0)
    rc = add_auth_param(arena, list, count, "X-Amz-Date", amz_date);
  if (rc == 0)
    rc = add_auth_param(arena, list, count, "X-Amz-Expires", expires);
  if (rc == 0)
    rc =
        add_auth_param(arena, list, count, "X-Amz-SignedHeaders", signed_names);
  if (rc == 0 && session_token(p) && !p->omit_session_token)
    rc = add_auth_param(arena, list, count, "X-Amz-Security-Token",
                        session_token(p));
  return rc;
}

static int canonical_query(const struct sw_sigv4_request *req,
                           const struct sw_sigv4_params *p, int presign,
                           const char *amz_date, const char *signed_names,
                           struct sw_buf *out, struct sw_error *err) {
  const char *q = req->query ? req->query : "";
  size_t qlen = strlen(q), n_items = 1;
  if (qlen > SW_SIGV4_MAX_QUERY)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: query longer than %d bytes",
                        SW_SIGV4_MAX_QUERY);
  for (size_t i = 0; i < qlen; i++)
    n_items += q[i] == '&';
  if (n_items > SW_SIGV4_MAX_QUERY_PARAMS)
    return sw_error_set(err, SW_ERR_VALIDATION,
                        "sigv4: more than %d query parameters",
                        SW_SIGV4_MAX_QUERY_PARAMS);
  struct query_param *list = calloc(n_items + 6, sizeof(*list));
  if (list == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "sigv4: out of memory");
  struct sw_buf arena;
  sw_buf_init(&arena, SIGV4_WORK_MAX);
  size_t count = 0;
  int rc = 0;
  const char *s = q, *end = q + qlen;
  while (rc == 0 && s < end) {
    const char *amp = memchr(s, '&', (size_t)(end - s));
    const char *item_end = amp ? amp : end;
    /* An empty item ("a=1&&b=2", a trailing '&') carries no parameter. */
    if (item_end > s) {
      const char *eq = memchr(s, '=', (size_t)(item_end - s));
      const char *key_end = eq ? eq : item_end;
      list[count].key_off = arena.len;
      rc = recode(&arena, s, (size_t)(key_end - s));
      if (rc == 0) {
        list[count].value_off = arena.len;
        rc = eq ? recode(&arena, eq + 1, (size_t)(item_end - eq - 1))
                : sw_buf_append_char(&arena, '\0');
      }
      if (rc == 0 && presign && is_auth_param(arena.data + list[count].key_off))
        rc = sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: query already has %s; presigning adds it",
                          arena.data + list[count].key_off);
      else if (rc == -2)
        rc = sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: broken %%-escape in the query");
      else if (rc == -3)
        rc = sw_error_set(err, SW_ERR_VALIDATION,
                          "sigv4: control character in the query");
      else if (rc != 0)
        rc = sw_error_set(err, SW_ERR_INTERNAL, "sigv4: query too long");
      count++;
    }
    s = item_end + 1;
  }
  if (rc == 0 && presign &&
      presign_params(&arena, list, &count, p, amz_date, signed_names) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "sigv4: query too long");
  if (rc == 0) {
    for (size_t i = 0; i < count; i++) {
      list[i].key = arena.data + list[i].key_off;
      list[i].value = arena.data + list[i].value_off;
    }
    qsort(list, count, sizeof(*list), param_cmp);
    for (size_t i = 0; rc == 0 && i < count; i++)
      rc = sw_buf_printf(out, "%s%s=%s", i ? "&" : "", list[i].key,
                         list[i].value);
    if (rc != 0)
      rc =
          sw_error_set(err, SW_ERR_INTERNAL, "sigv4: canonical query too long");
  }
  free(list);
  sw_buf_clean_up_secure(&arena); /* may hold the session token */
  return rc;
}

/* ---- stage 1 ---- */

int sw_sigv4_canonical_request(const struct sw_sigv4_request *req,
                               const struct sw_sigv4_params *params,
                               int presign, struct sw_buf *out,
                               struct sw_buf *signed_headers,
                               struct sw_error *err) {
  char amz_date[17], hash[SW_SHA256_HEX_LEN + 1];
  struct sw_buf uri, query, headers, names;
  if (req == NULL || out == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "sigv4: no request to sign");
  if (check_method(req->method, err) != 0 ||
      check_params(params, presign, err) != 0 ||
      payload_hash(req, params, presign, hash, err) != 0)
    return -1;
  sw_sigv4_amz_date(params->time_s, amz_date);
  sw_buf_init(&uri, SIGV4_WORK_MAX);
  sw_buf_init(&query, SIGV4_WORK_MAX);
  sw_buf_init(&headers, SIGV4_WORK_MAX);
  sw_buf_init(&names, SIGV4_WORK_MAX);
  size_t out_len0 = out->len;
  size_t names_len0 = signed_headers ? signed_headers->len : 0;
  /* Headers first: presigning puts the signed names into the query. */
  int rc = canonical_uri(req, params, &uri, err);
  if (rc == 0)
    rc = canonical_headers(req, params, presign, amz_date, hash, &headers,
                           &names, err);
  if (rc == 0)
    rc = canonical_query(req, params, presign, amz_date, sw_buf_cstr(&names),
                         &query, err);
  if (rc == 0 &&
      (sw_buf_printf(out, "%s\n%s\n%s\n%s\n%s\n%s", req->method,
                     sw_buf_cstr(&uri), sw_buf_cstr(&query),
                     sw_buf_cstr(&headers), sw_buf_cstr(&names), hash) != 0 ||
       (signed_headers &&
        sw_buf_append(signed_headers, names.data, names.len) != 0))) {
    buf_truncate(out, out_len0);
    if (signed_headers)
      buf_truncate(signed_headers, names_len0);
    rc = sw_error_set(err, SW_ERR_INTERNAL,
                      "sigv4: canonical request longer than the buffer cap");
  }
  sw_buf_clean_up(&uri);
  sw_buf_clean_up_secure(&query);
  sw_buf_clean_up_secure(&headers);
  sw_buf_clean_up(&names);
  return rc;
}

/* ---- stages 2 to 4 ---- */

int sw_sigv4_string_to_sign(const char *amz_date, const char *scope,
                            const char *canonical_request, struct sw_buf *out) {
  char digest[SW_SHA256_HEX_LEN + 1];
  if (amz_date == NULL || scope == NULL || canonical_request == NULL ||
      out == NULL)
    return -1;
  sw_sha256_hex(canonical_request, strlen(canonical_request), digest);
  return sw_buf_printf(out, SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, scope,
                       digest);
}

void sw_sigv4_signing_key(const char *secret_access_key, const char *date8,
                          const char *region, const char *service,
                          uint8_t out[SW_SHA256_LEN]) {
  /* kSecret = "AWS4" + secret; each step keys the next HMAC (AWS General
   * Reference, "Calculate the signature for AWS Signature Version 4"). */
  struct sw_buf k_secret;
  uint8_t k1[SW_SHA256_LEN], k2[SW_SHA256_LEN];
  sw_buf_init(&k_secret, 0);
  if (sw_buf_append_str(&k_secret, "AWS4") != 0 ||
      sw_buf_append_str(&k_secret, secret_access_key) != 0) {
    /* Only out of memory: a key that verifies nothing, never garbage. */
    memset(out, 0, SW_SHA256_LEN);
    sw_buf_clean_up_secure(&k_secret);
    return;
  }
  sw_hmac_sha256(k_secret.data, k_secret.len, date8, strlen(date8), k1);
  sw_hmac_sha256(k1, sizeof(k1), region, strlen(region), k2);
  sw_hmac_sha256(k2, sizeof(k2), service, strlen(service), k1);
  sw_hmac_sha256(k1, sizeof(k1), "aws4_request", 12, out);
  sw_wipe(k1, sizeof(k1));
  sw_wipe(k2, sizeof(k2));
  sw_buf_clean_up_secure(&k_secret);
}

void sw_sigv4_key_cache_init(struct sw_sigv4_key_cache *c) {
  memset(c, 0, sizeof(*c));
  pthread_mutex_init(&c->lock, NULL);
}

void sw_sigv4_key_cache_clean_up(struct sw_sigv4_key_cache *c) {
  if (c == NULL)
    return;
  pthread_mutex_destroy(&c->lock);
  sw_wipe(c->slots, sizeof(c->slots));
}

static int copy_field(char *dst, size_t size, const char *src) {
  size_t n = strlen(src);
  if (n >= size)
    return -1;
  memcpy(dst, src, n + 1);
  return 0;
}

void sw_sigv4_signing_key_cached(struct sw_sigv4_key_cache *cache,
                                 const struct sw_sigv4_params *params,
                                 const char *date8,
                                 uint8_t out[SW_SHA256_LEN]) {
  uint8_t tag[SW_SHA256_LEN];
  struct sw_sigv4_key_slot *victim = NULL;
  int hit = 0;
  if (cache == NULL) {
    sw_sigv4_signing_key(params->secret_access_key, date8, params->region,
                         params->service, out);
    return;
  }
  sw_sha256(params->secret_access_key, strlen(params->secret_access_key), tag);
  pthread_mutex_lock(&cache->lock);
  cache->clock++;
  for (size_t i = 0; i < SW_SIGV4_CACHE_SLOTS; i++) {
    struct sw_sigv4_key_slot *s = &cache->slots[i];
    if (s->used != 0 && strcmp(s->date, date8) == 0 &&
        strcmp(s->region, params->region) == 0 &&
        strcmp(s->service, params->service) == 0 &&
        strcmp(s->access_key_id, params->access_key_id) == 0 &&
        memcmp(s->secret_tag, tag, sizeof(tag)) == 0) {
      memcpy(out, s->key, SW_SHA256_LEN);
      s->used = cache->clock;
      cache->hits++;
      hit = 1;
      break;
    }
    if (victim == NULL || s->used < victim->used)
      victim = s; /* empty (0) or least recently used */
  }
  if (!hit) {
    cache->misses++;
    sw_sigv4_signing_key(params->secret_access_key, date8, params->region,
                         params->service, out);
    /* Replacing: the old key goes first, so no stale key survives even when
     * the new one cannot be cached (a field too long). */
    sw_wipe(victim, sizeof(*victim));
    if (copy_field(victim->date, sizeof(victim->date), date8) == 0 &&
        copy_field(victim->region, sizeof(victim->region), params->region) ==
            0 &&
        copy_field(victim->service, sizeof(victim->service), params->service) ==
            0 &&
        copy_field(victim->access_key_id, sizeof(victim->access_key_id),
                   params->access_key_id) == 0) {
      memcpy(victim->key, out, SW_SHA256_LEN);
      memcpy(victim->secret_tag, tag, sizeof(tag));
      victim->used = cache->clock;
    } else {
      sw_wipe(victim, sizeof(*victim));
    }
  }
  pthread_mutex_unlock(&cache->lock);
  sw_wipe(tag, sizeof(tag));
}

void sw_sigv4_signature(const uint8_t key[SW_SHA256_LEN],
                        const char *string_to_sign,
                        char out[SW_SHA256_HEX_LEN + 1]) {
  uint8_t mac[SW_SHA256_LEN];
  sw_hmac_sha256(key, SW_SHA256_LEN, string_to_sign, strlen(string_to_sign),
                 mac);
  sw_hex(mac, sizeof(mac), out);
}

/* ---- coordinators ---- */

/* Stages 1 to 4: the signature and, for the caller, the signed header names
 * and the credential scope. */
static int sign_all(const struct sw_sigv4_request *req,
                    const struct sw_sigv4_params *params,
                    struct sw_sigv4_key_cache *cache, int presign,
                    struct sw_buf *names, char *amz_date,
                    char scope[SIGV4_SCOPE_MAX],
                    char signature[SW_SHA256_HEX_LEN + 1],
                    struct sw_error *err) {
  struct sw_buf creq, sts;
  char date8[9];
  sw_buf_init(&creq, SIGV4_WORK_MAX * 2);
  sw_buf_init(&sts, 0);
  int rc = sw_sigv4_canonical_request(req, params, presign, &creq, names, err);
  if (rc == 0) {
    sw_sigv4_amz_date(params->time_s, amz_date);
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    sw_sigv4_scope(date8, params->region, params->service, scope,
                   SIGV4_SCOPE_MAX);
    if (sw_sigv4_string_to_sign(amz_date, scope, sw_buf_cstr(&creq), &sts) != 0)
      rc = sw_error_set(err, SW_ERR_INTERNAL, "sigv4: out of memory");
  }
  if (rc == 0) {
    uint8_t key[SW_SHA256_LEN];
    sw_sigv4_signing_key_cached(cache, params, date8, key);
    sw_sigv4_signature(key, sw_buf_cstr(&sts), signature);
    sw_wipe(key, sizeof(key));
  }
  sw_buf_clean_up_secure(&creq);
  sw_buf_clean_up(&sts);
  return rc;
}

int sw_sigv4_sign(const struct sw_sigv4_request *req,
                  const struct sw_sigv4_params *params,
                  struct sw_sigv4_key_cache *cache,
                  struct sw_headers *add_headers, struct sw_error *err) {
  char amz_date[17], scope[SIGV4_SCOPE_MAX], sig[SW_SHA256_HEX_LEN + 1];
  char hash[SW_SHA256_HEX_LEN + 1];
  struct sw_buf names, auth;
  if (add_headers == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "sigv4: no header list");
  if (add_headers->count + 4 > SW_HEADERS_MAX)
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "sigv4: no room for 4 more header fields");
  sw_buf_init(&names, SIGV4_WORK_MAX);
  sw_buf_init(&auth, SIGV4_WORK_MAX);
  int rc = sign_all(req, params, cache, 0, &names, amz_date, scope, sig, err);
  /* Hashing the body again only for the header that carries it. */
  if (rc == 0 && (params->s3_mode || params->content_sha256_header))
    rc = payload_hash(req, params, 0, hash, err);
  if (rc == 0 && sw_buf_printf(&auth,
                               SIGV4_ALGORITHM " Credential=%s/%s, "
                                               "SignedHeaders=%s, Signature=%s",
                               params->access_key_id, scope,
                               sw_buf_cstr(&names), sig) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "sigv4: out of memory");
  /* The order of the official suite's signed requests. The token is sent
   * even when omit_session_token kept it out of the signature. */
  if (rc == 0 &&
      ((session_token(params) &&
        sw_headers_add(add_headers, "X-Amz-Security-Token",
                       session_token(params)) != 0) ||
       sw_headers_add(add_headers, "X-Amz-Date", amz_date) != 0 ||
       ((params->s3_mode || params->content_sha256_header) &&
        sw_headers_add(add_headers, "x-amz-content-sha256", hash) != 0) ||
       sw_headers_add(add_headers, "Authorization", sw_buf_cstr(&auth)) != 0))
    rc = sw_error_set(err, SW_ERR_INTERNAL,
                      "sigv4: out of memory adding header fields");
  sw_buf_clean_up(&names);
  sw_buf_clean_up(&auth);
  return rc;
}

int sw_sigv4_presign(const struct sw_sigv4_request *req,
                     const struct sw_sigv4_params *params,
                     struct sw_sigv4_key_cache *cache, struct sw_buf *out,
                     struct sw_error *err) {
  char amz_date[17], scope[SIGV4_SCOPE_MAX], sig[SW_SHA256_HEX_LEN + 1];
  struct sw_buf names;
  if (out == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "sigv4: no output buffer");
  size_t len0 = out->len;
  sw_buf_init(&names, SIGV4_WORK_MAX);
  int rc = sign_all(req, params, cache, 1, &names, amz_date, scope, sig, err);
  if (rc != 0) {
    sw_buf_clean_up(&names);
    return rc;
  }
  /* The request's own parameters stay as sent; the authentication follows
   * in the order AWS documents them. Values are encoded as in the
   * canonical query, so what is sent is what was signed. */
  if (req->query && req->query[0])
    rc = sw_buf_printf(out, "%s&", req->query);
  if (rc == 0)
    rc = sw_buf_append_str(out, "X-Amz-Algorithm=" SIGV4_ALGORITHM
                                "&X-Amz-Credential=");
  if (rc == 0)
    rc = sw_uri_encode(out, params->access_key_id,
                       strlen(params->access_key_id), 0);
  if (rc == 0)
    rc = sw_buf_append_str(out, "%2F");
  if (rc == 0)
    rc = sw_uri_encode(out, scope, strlen(scope), 0);
  if (rc == 0)
    rc = sw_buf_printf(out, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", amz_date);
  if (rc == 0)
    rc = sw_uri_encode(out, names.data, names.len, 0);
  if (rc == 0)
    rc = sw_buf_printf(out, "&X-Amz-Expires=%ld", params->presign_expires_s);
  if (rc == 0 && session_token(params)) {
    rc = sw_buf_append_str(out, "&X-Amz-Security-Token=");
    if (rc == 0)
      rc = sw_uri_encode(out, session_token(params),
                         strlen(session_token(params)), 0);
  }
  if (rc == 0)
    rc = sw_buf_printf(out, "&X-Amz-Signature=%s", sig);
  if (rc != 0) {
    buf_truncate(out, len0);
    sw_error_set(err, SW_ERR_INTERNAL,
                 "sigv4: presigned query longer than the buffer cap");
  }
  sw_buf_clean_up(&names);
  return rc;
}
