/* Fuzzes the credential documents of lib/credentials.h (credential_process
 * output, IMDS role credentials, the container endpoint's answer) and the
 * small parsers of lib/credprocess.h and lib/imds.h: the command splitter,
 * the IMDS role name check and the container URL check. Invariants: a
 * successful parse has a key id and a secret; an error message never
 * repeats the secret key; split argv is bounded and NULL-terminated; an
 * accepted role name has only the documented characters. */
#include "fuzz_common.h"

#include "lib/credentials.h"
#include "lib/credprocess.h"
#include "lib/imds.h"
#include "lib/json.h"

#include <ctype.h>

/* The input's SecretAccessKey when it is distinctive enough that finding it
 * in a message cannot be a coincidence; else "". */
static void distinctive_secret(const uint8_t *data, size_t size, char *out,
                               size_t out_size) {
  struct sw_error err;
  struct json_object *o = sw_json_parse((const char *)data, size, &err);
  const char *s = o ? sw_json_str(o, "SecretAccessKey") : NULL;
  int digit = 0, lower = 0, upper = 0;
  out[0] = '\0';
  if (s && strlen(s) >= 24 && strlen(s) < out_size) {
    for (const char *c = s; *c; c++) {
      digit |= isdigit((unsigned char)*c) != 0;
      lower |= islower((unsigned char)*c) != 0;
      upper |= isupper((unsigned char)*c) != 0;
    }
    if (digit && lower && upper && strchr(s, ' ') == NULL)
      strcpy(out, s);
  }
  json_object_put(o);
}

static void check_json(const uint8_t *data, size_t size) {
  static const enum sw_creds_json_kind kinds[] = {
      SW_CREDS_JSON_PROCESS, SW_CREDS_JSON_IMDS, SW_CREDS_JSON_ECS};
  char secret[256];
  distinctive_secret(data, size, secret, sizeof(secret));
  for (size_t i = 0; i < 3; i++) {
    struct sw_credentials c;
    struct sw_error err;
    memset(&c, 0, sizeof(c));
    sw_error_clear(&err);
    /* now = 2024-01-01: fixtures expiring later are accepted. */
    if (sw_credentials_parse_json((const char *)data, size, kinds[i],
                                  1704067200.0, &c, &err) == 0) {
      FUZZ_ASSERT(c.access_key_id[0] && c.secret_access_key[0]);
      FUZZ_ASSERT(memchr(c.access_key_id, 0, sizeof(c.access_key_id)));
      FUZZ_ASSERT(memchr(c.secret_access_key, 0, sizeof(c.secret_access_key)));
      FUZZ_ASSERT(c.session_token == NULL ||
                  strlen(c.session_token) <= SW_CREDS_MAX_TOKEN);
    } else {
      FUZZ_ASSERT(err.kind == SW_ERR_CREDENTIALS);
      fuzz_check_error(&err);
      if (secret[0])
        FUZZ_ASSERT(strstr(err.message, secret) == NULL);
    }
    sw_credentials_clean_up(&c);
  }
}

static void check_split(const uint8_t *data, size_t size) {
  char *cmd = fuzz_strndup(data, size);
  char **argv = NULL;
  struct sw_error err;
  sw_error_clear(&err);
  if (sw_credprocess_split(cmd, &argv, &err) == 0) {
    size_t n = 0;
    FUZZ_ASSERT(argv != NULL && argv[0] != NULL);
    while (argv[n]) {
      FUZZ_ASSERT(n < SW_CREDPROCESS_MAX_ARGS);
      n++;
    }
    sw_credprocess_argv_free(argv);
  } else {
    FUZZ_ASSERT(err.kind == SW_ERR_CONFIG);
    fuzz_check_error(&err);
  }
  free(cmd);
}

static void check_imds(const uint8_t *data, size_t size) {
  if (sw_imds_role_name_valid((const char *)data, size)) {
    FUZZ_ASSERT(size >= 1 && size <= 128);
    for (size_t i = 0; i < size; i++)
      FUZZ_ASSERT(isalnum(data[i]) || strchr("+=,.@_-", data[i]) != NULL);
  }
  char *url = fuzz_strndup(data, size);
  if (sw_ecs_url_allowed(url))
    FUZZ_ASSERT(strncmp(url, "http", 4) == 0);
  free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_json(data, size);
  check_split(data, size);
  check_imds(data, size);
  return 0;
}
