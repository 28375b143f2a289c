/* credential_process: credentials from an external command, as the AWS CLI
 * runs it ("Sourcing credentials with an external process", AWS SDKs and
 * Tools Reference Guide).
 *
 * The command line is split like a POSIX shell word list (whitespace
 * separates words; single quotes, double quotes and backslashes quote) but
 * no shell runs it: no expansion, no pipes, no redirections. The program is
 * looked up in PATH. Its stdout (at most SW_CREDPROCESS_MAX_OUTPUT bytes) must
 * be the JSON document {"Version": 1, "AccessKeyId", "SecretAccessKey",
 * "SessionToken" (optional), "Expiration" (optional, ISO 8601)}. stderr is
 * inherited. The command runs in its own process group; one that runs past
 * the timeout or writes too much is killed (SIGKILL, the whole group) and
 * reaped. */
#ifndef SW_CREDPROCESS_H
#define SW_CREDPROCESS_H

#include "lib/credentials.h"
#include "lib/error.h"

#include <stddef.h>

#define SW_CREDPROCESS_MAX_OUTPUT ((size_t)64 << 10)
#define SW_CREDPROCESS_MAX_ARGS 64
#define SW_CREDPROCESS_MAX_COMMAND 8192

/* Splits cmd into a NULL-terminated heap argv (free with
 * sw_credprocess_argv_free). 0, or -1 with err (SW_ERR_CONFIG) for an empty
 * command, an unterminated quote, or too many/too long words. */
int sw_credprocess_split(const char *cmd, char ***argv_out,
                         struct sw_error *err);
void sw_credprocess_argv_free(char **argv);

/* Runs cmd and parses its output with sw_credentials_parse_json
 * (SW_CREDS_JSON_PROCESS). timeout_ms 0 means 60000. Errors
 * (SW_ERR_CREDENTIALS) say which: spawn failure, non-zero exit status or
 * signal, timeout, oversized output, or the parse error. */
int sw_credprocess_run(const char *cmd, long timeout_ms,
                       struct sw_credentials *out, struct sw_error *err);

#endif
