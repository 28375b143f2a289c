/* The AWS shared config and credentials files (~/.aws/config and
 * ~/.aws/credentials), parsed as the AWS CLI (botocore) reads them.
 *
 * Format: INI. "[section]" lines, "key = value" (or "key: value") lines,
 * whole-line comments starting with '#' or ';'. Keys are case-insensitive
 * (stored lowercased), section names are not. In the config file a profile
 * is "[default]" or "[profile NAME]" ("[profile default]" is also the
 * default profile); other sections ("[sso-session x]", "[services x]", or a
 * bare "[x]") are kept but are not profiles. In the credentials file every
 * "[NAME]" is the profile NAME. An indented line after "key =" with an empty
 * value is a nested sub-setting (as "s3 =\n  max_concurrent_requests = 20");
 * it is stored as "key.sub" and never mistaken for a top-level key. Any other
 * indented line continues the previous value (joined with '\n'). Comments
 * are whole lines only: a '#' inside a value is part of the value, as in
 * botocore. A section repeated later in the file is merged (later keys win).
 * Blanks around a section name are dropped ("[ dev ]" is profile dev;
 * botocore would keep them and make the profile unreachable by name), and
 * text after the closing ']' is ignored, as configparser does.
 *
 * Bounds: SW_PROFILE_MAX_FILE bytes per file, SW_PROFILE_MAX_LINE bytes per
 * line, SW_PROFILE_MAX_SECTIONS sections, SW_PROFILE_MAX_KEYS keys per
 * section. Errors name the file and line ("path:12: ..."). Values may hold
 * secret keys: every buffer that held them is wiped before it is freed. */
#ifndef SW_PROFILE_H
#define SW_PROFILE_H

#include "lib/error.h"

#include <stddef.h>

#define SW_PROFILE_MAX_FILE ((size_t)1 << 20)
#define SW_PROFILE_MAX_LINE 8192
#define SW_PROFILE_MAX_SECTIONS 1024
#define SW_PROFILE_MAX_KEYS 256

enum sw_profile_kind {
  SW_PROFILE_CONFIG,     /* "[profile x]" names profile x */
  SW_PROFILE_CREDENTIALS /* "[x]" names profile x */
};

struct sw_profile_entry {
  char *key; /* lowercased */
  char *value;
};

struct sw_profile_section {
  char *name; /* profile name, or the raw header for non-profiles */
  int is_profile;
  struct sw_profile_entry *entries;
  size_t count;
  size_t cap;
};

struct sw_profile_file {
  char *path;  /* as given, for messages; "" when parsed from memory */
  int present; /* 0 when the file did not exist */
  struct sw_profile_section *sections;
  size_t count;
  size_t cap;
};

void sw_profile_file_init(struct sw_profile_file *f);
/* Wipes every value and frees everything; f can be reused after. */
void sw_profile_file_clean_up(struct sw_profile_file *f);

/* Parses text (len bytes, need not be terminated) as a file of the given
 * kind. path is used in messages only. f must be initialised; on error it is
 * cleaned up and err (SW_ERR_CONFIG) says "path:line: what". 0 or -1. */
int sw_profile_parse(const char *text, size_t len, const char *path,
                     enum sw_profile_kind kind, struct sw_profile_file *f,
                     struct sw_error *err);

/* Reads and parses path. A missing file is not an error: 0 with
 * f->present = 0 and no sections. Unreadable, too large or malformed files
 * give -1 with err (SW_ERR_CONFIG). The read buffer is wiped. */
int sw_profile_load(const char *path, enum sw_profile_kind kind,
                    struct sw_profile_file *f, struct sw_error *err);

/* The profile named name, or NULL. Borrowed from f. */
const struct sw_profile_section *
sw_profile_find(const struct sw_profile_file *f, const char *name);

/* The value of key (case-insensitive) in profile name, or NULL. A key present
 * with an empty value gives "". Borrowed from f. */
const char *sw_profile_get(const struct sw_profile_file *f, const char *name,
                           const char *key);

/* The default file paths: AWS_CONFIG_FILE or $HOME/.aws/config, and
 * AWS_SHARED_CREDENTIALS_FILE or $HOME/.aws/credentials ("~/" at the start
 * of the variables is expanded). 0, or -1 with err when no home directory is
 * known or the path does not fit out_size. */
int sw_profile_config_path(char *out, size_t out_size, struct sw_error *err);
int sw_profile_credentials_path(char *out, size_t out_size,
                                struct sw_error *err);

#endif
