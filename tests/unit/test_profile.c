/* Tests for lib/profile.c: the shared config/credentials file parser. */
#include "lib/profile.h"
#include "sw_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse(const char *text, enum sw_profile_kind kind,
                 struct sw_profile_file *f, struct sw_error *err) {
  sw_profile_file_init(f);
  sw_error_clear(err);
  return sw_profile_parse(text, strlen(text), "/x/config", kind, f, err);
}

static void test_config_profiles_are_default_and_profile_prefixed(void) {
  struct sw_profile_file f;
  struct sw_error err;
  const char *text = "# top comment\n"
                     "; another\n"
                     "[default]\n"
                     "region = us-east-1\n"
                     "[profile prod]\n"
                     "Role_Arn=arn:aws:iam::1:role/r\n"
                     "source_profile : default\n"
                     "[bare]\n"
                     "region = eu-west-1\n"
                     "[sso-session corp]\n"
                     "sso_region = us-east-1\n";
  SW_CHECK_INT(parse(text, SW_PROFILE_CONFIG, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "default", "region"), "us-east-1");
  SW_CHECK_STR(sw_profile_get(&f, "prod", "role_arn"), "arn:aws:iam::1:role/r");
  SW_CHECK_STR(sw_profile_get(&f, "prod", "ROLE_ARN"), "arn:aws:iam::1:role/r");
  SW_CHECK_STR(sw_profile_get(&f, "prod", "source_profile"), "default");
  /* In the config file a bare [x] is not profile x. */
  SW_CHECK(sw_profile_find(&f, "bare") == NULL);
  SW_CHECK(sw_profile_find(&f, "corp") == NULL);
  SW_CHECK(sw_profile_find(&f, "sso-session corp") == NULL);
  SW_CHECK(sw_profile_find(&f, "profile prod") == NULL);
  SW_CHECK(sw_profile_get(&f, "prod", "region") == NULL);
  sw_profile_file_clean_up(&f);
}

static void test_credentials_file_sections_are_profile_names(void) {
  struct sw_profile_file f;
  struct sw_error err;
  const char *text = "[default]\r\n"
                     "aws_access_key_id = AKIDDEFAULT\r\n"
                     "aws_secret_access_key = c2VjcmV0/+=\r\n"
                     "\r\n"
                     "[  dev  ]   # trailing comment after the header\r\n"
                     "aws_access_key_id=AKIDDEV\r\n";
  SW_CHECK_INT(parse(text, SW_PROFILE_CREDENTIALS, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "default", "aws_secret_access_key"),
               "c2VjcmV0/+=");
  SW_CHECK_STR(sw_profile_get(&f, "dev", "aws_access_key_id"), "AKIDDEV");
  SW_CHECK(sw_profile_get(&f, "dev", "aws_secret_access_key") == NULL);
  SW_CHECK(sw_profile_get(&f, "nope", "aws_access_key_id") == NULL);
  sw_profile_file_clean_up(&f);
}

static void test_profile_default_alias_and_merge_of_repeated_sections(void) {
  struct sw_profile_file f;
  struct sw_error err;
  const char *text = "[profile default]\n"
                     "region = a\n"
                     "output = json\n"
                     "[default]\n"
                     "region = b\n";
  SW_CHECK_INT(parse(text, SW_PROFILE_CONFIG, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "default", "region"), "b");
  SW_CHECK_STR(sw_profile_get(&f, "default", "output"), "json");
  SW_CHECK_INT(f.count, 1);
  sw_profile_file_clean_up(&f);
}

static void test_nested_s3_settings_do_not_leak_to_top_level(void) {
  struct sw_profile_file f;
  struct sw_error err;
  const char *text = "[profile x]\n"
                     "s3 =\n"
                     "  max_concurrent_requests = 20\n"
                     "  region = should-not-be-top-level\n"
                     "region = us-west-2\n"
                     "credential_process = /bin/tool\n"
                     "   --flag\n";
  SW_CHECK_INT(parse(text, SW_PROFILE_CONFIG, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "x", "region"), "us-west-2");
  SW_CHECK_STR(sw_profile_get(&f, "x", "s3.max_concurrent_requests"), "20");
  SW_CHECK_STR(sw_profile_get(&f, "x", "s3.region"), "should-not-be-top-level");
  SW_CHECK_STR(sw_profile_get(&f, "x", "s3"), "");
  /* A continuation line of a non-empty value is joined, as configparser. */
  SW_CHECK_STR(sw_profile_get(&f, "x", "credential_process"),
               "/bin/tool\n--flag");
  sw_profile_file_clean_up(&f);
}

static void test_hash_inside_value_is_kept_as_botocore_does(void) {
  struct sw_profile_file f;
  struct sw_error err;
  SW_CHECK_INT(
      parse("[default]\nk = a # b\nempty =\n", SW_PROFILE_CONFIG, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "default", "k"), "a # b");
  SW_CHECK_STR(sw_profile_get(&f, "default", "empty"), "");
  sw_profile_file_clean_up(&f);
}

/* Malformed input: each is refused with the file and line in the message. */
static void test_malformed_lines_report_file_and_line(void) {
  static const struct {
    const char *text;
    const char *want;
  } cases[] = {
      {"key = value\n", "/x/config:1: setting before the first [section]"},
      {"[default]\nno equals sign here\n", "/x/config:2: expected"},
      {"[default]\nk = v\n[broken\n", "/x/config:3: section header without"},
      {"# c\n\n[]\n", "/x/config:3: empty section name"},
      {"[default]\n = value\n", "/x/config:2: empty key"},
      {"[a]\nk=v\n[b]\nx\n", "/x/config:4: expected"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_profile_file f;
    struct sw_error err;
    SW_CHECK_INT(parse(cases[i].text, SW_PROFILE_CONFIG, &f, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
    if (strncmp(err.message, cases[i].want, strlen(cases[i].want)) != 0) {
      fprintf(stderr, "case %zu: got \"%s\", want prefix \"%s\"\n", i,
              err.message, cases[i].want);
      SW_CHECK(0);
    }
    SW_CHECK_INT(f.count, 0); /* cleaned up on error */
  }
}

static void test_limits_line_length_nul_and_size(void) {
  struct sw_profile_file f;
  struct sw_error err;
  size_t n = SW_PROFILE_MAX_LINE + 100;
  char *big = malloc(n + 32);
  strcpy(big, "[default]\nk = ");
  memset(big + strlen(big), 'a', n);
  big[14 + n] = '\0';
  SW_CHECK_INT(parse(big, SW_PROFILE_CONFIG, &f, &err), -1);
  SW_CHECK(strstr(err.message, ":2: line too long") != NULL);
  free(big);

  sw_profile_file_init(&f);
  SW_CHECK_INT(
      sw_profile_parse("[a]\nk=v\0x\n", 10, "p", SW_PROFILE_CONFIG, &f, &err),
      -1);
  SW_CHECK(strstr(err.message, "p:2: NUL byte") != NULL);

  sw_profile_file_init(&f);
  SW_CHECK_INT(sw_profile_parse("[a]\n", SW_PROFILE_MAX_FILE + 1, "p",
                                SW_PROFILE_CONFIG, &f, &err),
               -1);
  SW_CHECK(strstr(err.message, "exceeds") != NULL);
}

static void test_too_many_sections_is_refused(void) {
  struct sw_profile_file f;
  struct sw_error err;
  char *text = malloc((SW_PROFILE_MAX_SECTIONS + 1) * 16);
  size_t off = 0;
  for (int i = 0; i <= SW_PROFILE_MAX_SECTIONS; i++)
    off += (size_t)sprintf(text + off, "[s%d]\n", i);
  SW_CHECK_INT(parse(text, SW_PROFILE_CREDENTIALS, &f, &err), -1);
  SW_CHECK(strstr(err.message, "too many sections") != NULL);
  free(text);
}

static void test_bom_and_indented_header_are_accepted(void) {
  struct sw_profile_file f;
  struct sw_error err;
  SW_CHECK_INT(
      parse("\xef\xbb\xbf[default]\nk=v\n", SW_PROFILE_CONFIG, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "default", "k"), "v");
  sw_profile_file_clean_up(&f);
  SW_CHECK_INT(parse("  [default]\n  k = v\n", SW_PROFILE_CONFIG, &f, &err), 0);
  SW_CHECK_STR(sw_profile_get(&f, "default", "k"), "v");
  sw_profile_file_clean_up(&f);
}

static void test_load_missing_file_is_empty_not_error(void) {
  struct sw_profile_file f;
  struct sw_error err;
  sw_error_clear(&err);
  SW_CHECK_INT(
      sw_profile_load("/nonexistent/sw/config", SW_PROFILE_CONFIG, &f, &err),
      0);
  SW_CHECK_INT(f.present, 0);
  SW_CHECK(sw_profile_find(&f, "default") == NULL);
  sw_profile_file_clean_up(&f);
}

static void test_load_reads_file_and_reports_its_path(void) {
  char dir[] = "/tmp/sw-prof-XXXXXX", path[128];
  struct sw_profile_file f;
  struct sw_error err;
  FILE *fp;
  SW_CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof(path), "%s/credentials", dir);
  fp = fopen(path, "w");
  fputs("[default]\naws_access_key_id = AKID\n\n[bad\n", fp);
  fclose(fp);
  SW_CHECK_INT(sw_profile_load(path, SW_PROFILE_CREDENTIALS, &f, &err), -1);
  SW_CHECK(strstr(err.message, path) != NULL);
  SW_CHECK(strstr(err.message, ":4:") != NULL);
  fp = fopen(path, "w");
  fputs("[default]\naws_access_key_id = AKID\n", fp);
  fclose(fp);
  SW_CHECK_INT(sw_profile_load(path, SW_PROFILE_CREDENTIALS, &f, &err), 0);
  SW_CHECK_INT(f.present, 1);
  SW_CHECK_STR(sw_profile_get(&f, "default", "aws_access_key_id"), "AKID");
  sw_profile_file_clean_up(&f);
  unlink(path);
  rmdir(dir);
}

static void test_default_paths_follow_env_and_home(void) {
  char out[256];
  struct sw_error err;
  setenv("HOME", "/home/u", 1);
  unsetenv("AWS_CONFIG_FILE");
  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  SW_CHECK_INT(sw_profile_config_path(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "/home/u/.aws/config");
  SW_CHECK_INT(sw_profile_credentials_path(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "/home/u/.aws/credentials");
  setenv("AWS_CONFIG_FILE", "/etc/sw/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "~/creds", 1);
  SW_CHECK_INT(sw_profile_config_path(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "/etc/sw/config");
  SW_CHECK_INT(sw_profile_credentials_path(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "/home/u/creds");
  SW_CHECK_INT(sw_profile_config_path(out, 8, &err), -1);
  unsetenv("AWS_CONFIG_FILE");
  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}

int main(void) {
  SW_RUN(test_config_profiles_are_default_and_profile_prefixed);
  SW_RUN(test_credentials_file_sections_are_profile_names);
  SW_RUN(test_profile_default_alias_and_merge_of_repeated_sections);
  SW_RUN(test_nested_s3_settings_do_not_leak_to_top_level);
  SW_RUN(test_hash_inside_value_is_kept_as_botocore_does);
  SW_RUN(test_malformed_lines_report_file_and_line);
  SW_RUN(test_limits_line_length_nul_and_size);
  SW_RUN(test_too_many_sections_is_refused);
  SW_RUN(test_bom_and_indented_header_are_accepted);
  SW_RUN(test_load_missing_file_is_empty_not_error);
  SW_RUN(test_load_reads_file_and_reports_its_path);
  SW_RUN(test_default_paths_follow_env_and_home);
  return sw_test_done();
}
