/* Output of the provisioner (text lines or one JSON document). */
#include "provision/report.h"

#include "lib/json.h"
#include "lib/text.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pv_report {
  int json;
  int colour;
  struct json_object *doc;
  struct json_object *items;
  struct json_object *errors;
};

struct pv_report *pv_report_new(const char *command, int json, int colour) {
  struct pv_report *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->json = json;
  r->colour = colour && !json;
  r->doc = json_object_new_object();
  r->items = json_object_new_array();
  r->errors = json_object_new_array();
  json_object_object_add(r->doc, "command", json_object_new_string(command));
  return r;
}

void pv_report_free(struct pv_report *r) {
  if (!r)
    return;
  json_object_put(r->doc);
  json_object_put(r->items);
  json_object_put(r->errors);
  free(r);
}

void pv_report_meta(struct pv_report *r, const char *key, const char *value) {
  char clean[1024];
  sw_text_sanitize_str(clean, sizeof(clean), value);
  json_object_object_add(r->doc, key, json_object_new_string(clean));
}

/* ANSI colour of an action word: green done/ok, yellow changes and
 * pending, red problems. */
static const char *colour_of(const char *action) {
  static const char *const red[] = {"missing", "drift", "error", "failed",
                                    "timeout"};
  static const char *const yellow[] = {"create", "update", "pending", "warning",
                                       "kept",   "delete", "waiting"};
  for (size_t i = 0; i < sizeof(red) / sizeof(red[0]); i++)
    if (strcmp(action, red[i]) == 0)
      return "\033[31m";
  for (size_t i = 0; i < sizeof(yellow) / sizeof(yellow[0]); i++)
    if (strcmp(action, yellow[i]) == 0)
      return "\033[33m";
  return "\033[32m";
}

void pv_report_item(struct pv_report *r, const char *step, const char *resource,
                    const char *action, const char *detail) {
  char res[600], det[700];
  sw_text_sanitize_str(res, sizeof(res), resource);
  sw_text_sanitize_str(det, sizeof(det), detail);
  if (r->json) {
    struct json_object *o = json_object_new_object();
    sw_json_add_str(o, "step", step);
    sw_json_add_str(o, "resource", res);
    sw_json_add_str(o, "action", action);
    if (det[0])
      sw_json_add_str(o, "detail", det);
    json_object_array_add(r->items, o);
    return;
  }
  if (r->colour)
    printf("%s%-8s\033[0m %-13s %s%s%s\n", colour_of(action), action, step, res,
           det[0] ? "  " : "", det);
  else
    printf("%-8s %-13s %s%s%s\n", action, step, res, det[0] ? "  " : "", det);
  fflush(stdout);
}

void pv_report_error(struct pv_report *r, const char *text) {
  char clean[1200];
  sw_text_sanitize_str(clean, sizeof(clean), text);
  fprintf(stderr, "secretwatch-provision: %s\n", clean);
  if (r)
    json_object_array_add(r->errors, json_object_new_string(clean));
}

void pv_report_line(struct pv_report *r, const char *text) {
  if (!r->json) {
    printf("%s\n", text);
    fflush(stdout);
  }
}

void pv_report_attach(struct pv_report *r, const char *key,
                      struct json_object *v) {
  json_object_object_add(r->doc, key, v);
}

void pv_report_finish(struct pv_report *r, const char *result) {
  if (!r->json)
    return;
  json_object_object_add(r->doc, "result", json_object_new_string(result));
  json_object_object_add(r->doc, "items", json_object_get(r->items));
  json_object_object_add(r->doc, "errors", json_object_get(r->errors));
  printf("%s\n",
         json_object_to_json_string_ext(
             r->doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  fflush(stdout);
}
