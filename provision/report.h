/* Command output: one progress line per step item on stdout in text mode
 * (coloured only on a terminal), or one JSON document at the end; errors
 * as one line each on stderr (and in the document). Untrusted text (AWS
 * messages, names read from AWS) is sanitized here. */
#ifndef PV_REPORT_H
#define PV_REPORT_H

#include <stddef.h>

struct json_object;

struct pv_report;

/* command: "apply", ...; json: one document instead of lines. NULL on out
 * of memory. */
struct pv_report *pv_report_new(const char *command, int json, int colour);
void pv_report_free(struct pv_report *r);

/* Sets a top-level string member of the JSON document ("stack",
 * "region", "account"). */
void pv_report_meta(struct pv_report *r, const char *key, const char *value);

/* One item: step ("bucket"), resource (its name), action ("created", "ok",
 * "drift", ...), detail (may be NULL). Each becomes a line or an element of
 * "items". */
void pv_report_item(struct pv_report *r, const char *step, const char *resource,
                    const char *action, const char *detail);

/* An error line: "secretwatch-provision: <text>" on stderr; also
 * collected in "errors". */
void pv_report_error(struct pv_report *r, const char *text);

/* A free text line (text mode only), e.g. "no changes". */
void pv_report_line(struct pv_report *r, const char *text);

/* Attaches a member to the document (takes ownership of v). */
void pv_report_attach(struct pv_report *r, const char *key,
                      struct json_object *v);

/* Prints the document (JSON mode) with "result" set; no-op in text mode. */
void pv_report_finish(struct pv_report *r, const char *result);

#endif
