/* Fuzzes lib/ctrecord.h: one record (sw_ctrec_parse), a document of many
 * (sw_ctrec_parse_many) and secret matching against the record's own ids.
 * Invariants: every fixed field is terminated, the resource counts stay in
 * bounds, and a record names the secret id it carries. */
#include "fuzz_common.h"

#include "lib/ctrecord.h"

#define TERMINATED(f) FUZZ_ASSERT(memchr((f), '\0', sizeof(f)) != NULL)

static void check_rec(const struct sw_ctrec *r) {
  TERMINATED(r->event_id);
  TERMINATED(r->event_time);
  TERMINATED(r->event_name);
  TERMINATED(r->event_source);
  TERMINATED(r->event_type);
  TERMINATED(r->aws_region);
  TERMINATED(r->source_ip);
  TERMINATED(r->user_agent);
  TERMINATED(r->error_code);
  TERMINATED(r->error_message);
  TERMINATED(r->request_id);
  TERMINATED(r->recipient_account_id);
  TERMINATED(r->vpc_endpoint_id);
  TERMINATED(r->identity.type);
  TERMINATED(r->identity.arn);
  TERMINATED(r->identity.principal_id);
  TERMINATED(r->identity.account_id);
  TERMINATED(r->identity.access_key_id);
  TERMINATED(r->identity.user_name);
  TERMINATED(r->identity.invoked_by);
  TERMINATED(r->identity.issuer_arn);
  TERMINATED(r->identity.issuer_user_name);
  TERMINATED(r->secret_id);
  TERMINATED(r->additional_secret_id);
  FUZZ_ASSERT(r->read_only >= -1 && r->read_only <= 1);
  FUZZ_ASSERT(r->resource_count <= SW_CTREC_MAX_RESOURCES);
  FUZZ_ASSERT(r->resource_count <= r->resource_total);
  for (size_t i = 0; i < r->resource_count; i++)
    TERMINATED(r->resource_arns[i]);
  /* Matching never crashes on hostile names, and a record that is not cut
   * names the secret id it carries. */
  (void)sw_ctrec_names_secret(r, "", NULL);
  (void)sw_ctrec_names_secret(r, "-", "");
  (void)sw_ctrec_names_secret(r, "arn:aws:secretsmanager:us-east-1:1:secret:x",
                              "arn:aws:secretsmanager:us-east-1:1:secret:x-"
                              "AbCdEf");
  (void)sw_ctrec_names_secret(r, r->identity.arn, r->user_agent);
  for (size_t i = 0; i < r->resource_count; i++)
    (void)sw_ctrec_names_secret(r, r->resource_arns[i], NULL);
  if (r->secret_id[0] && !r->truncated)
    FUZZ_ASSERT(sw_ctrec_names_secret(r, r->secret_id, NULL) == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  struct sw_ctrec *rec = malloc(sizeof(*rec));
  struct sw_ctrec_list list;
  FUZZ_ASSERT(rec != NULL);
  sw_error_clear(&err);
  if (sw_ctrec_parse((const char *)data, size, rec, &err) == 0)
    check_rec(rec);
  else
    fuzz_check_error(&err);
  free(rec);

  sw_ctrec_list_init(&list);
  sw_error_clear(&err);
  if (sw_ctrec_parse_many((const char *)data, size, &list, &err) == 0) {
    FUZZ_ASSERT(list.count <= SW_CTREC_MAX_RECORDS);
    for (size_t i = 0; i < list.count; i++)
      check_rec(&list.items[i]);
  } else {
    FUZZ_ASSERT(list.count == 0);
    fuzz_check_error(&err);
  }
  sw_ctrec_list_clean_up(&list);
  return 0;
}
