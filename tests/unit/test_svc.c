/* The shared service helpers: bounded lists and strings, the XML/JSON
 * walkers the service parsers are built on, and request-side tag checks. */
#include "lib/svc.h"
#include "sw_svc_test.h"

static void test_lists_grow_and_stop_at_their_bound(void) {
  struct sw_tag_list t;
  struct sw_str_list s;
  struct sw_error err;
  char k[16];
  sw_tag_list_init(&t);
  sw_str_list_init(&s);
  for (int i = 0; i < 100; i++) {
    snprintf(k, sizeof(k), "k%d", i);
    SW_CHECK_INT(sw_tag_list_add(&t, k, i % 2 ? NULL : "v", 100, &err), 0);
    SW_CHECK_INT(sw_str_list_add(&s, k, 100, &err), 0);
  }
  SW_CHECK_INT(sw_tag_list_add(&t, "x", "y", 100, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  SW_CHECK_INT(sw_str_list_add(&s, "x", 100, &err), -1);
  SW_CHECK_INT(t.count, 100);
  SW_CHECK_STR(sw_tag_list_get(&t, "k99"), "");
  SW_CHECK_STR(sw_tag_list_get(&t, "k98"), "v");
  SW_CHECK(sw_tag_list_get(&t, "x") == NULL);
  SW_CHECK_STR(s.items[63], "k63");
  sw_tag_list_clean_up(&t);
  sw_str_list_clean_up(&s);
  sw_tag_list_clean_up(&t); /* twice is harmless */
  sw_tag_list_clean_up(NULL);
  sw_str_list_clean_up(NULL);
}

static void test_strings_are_bounded_not_cut(void) {
  char *out = (char *)1;
  char small[4];
  struct sw_error err;
  SW_CHECK_INT(sw_svc_dup("abcd", 4, "field", &out, &err), 0);
  SW_CHECK_STR(out, "abcd");
  free(out);
  SW_CHECK_INT(sw_svc_dup("abcde", 4, "field", &out, &err), -1);
  SW_CHECK(out == NULL);
  SW_CHECK(strstr(err.message, "field") != NULL);
  SW_CHECK_INT(sw_svc_dup(NULL, 4, "field", &out, &err), 0);
  SW_CHECK(out == NULL);
  SW_CHECK_INT(sw_svc_copy(small, sizeof(small), "abc"), 0);
  SW_CHECK_STR(small, "abc");
  SW_CHECK_INT(sw_svc_copy(small, sizeof(small), "abcd"), 1);
  SW_CHECK_STR(small, "abc");
  SW_CHECK_INT(sw_svc_copy(small, sizeof(small), NULL), 0);
  SW_CHECK_STR(small, "");
}

static void test_xml_scalars(void) {
  xmlDoc *doc = xml_text("<r><t> 2024-07-31T12:00:00Z </t><d>1.0E-4</d>"
                         "<i>42</i><b>True</b><bad>4x</bad><nan>nan</nan>"
                         "<big>99999999999999999999</big></r>");
  xmlNode *r = sw_xml_root(doc);
  double d = -1;
  long long i = -1;
  int b = -1;
  SW_CHECK_INT(sw_svc_xml_time(r, "t", &d), 0);
  SW_CHECK(d == 1722427200.0);
  SW_CHECK_INT(sw_svc_xml_double(r, "d", &d), 0);
  SW_CHECK(d == 1.0e-4);
  SW_CHECK_INT(sw_svc_xml_int64(r, "i", &i), 0);
  SW_CHECK_INT(i, 42);
  SW_CHECK_INT(sw_svc_xml_bool(r, "b", &b), 0);
  SW_CHECK_INT(b, 1);
  SW_CHECK_INT(sw_svc_xml_double(r, "bad", &d), -1);
  SW_CHECK_INT(sw_svc_xml_int64(r, "bad", &i), -1);
  SW_CHECK_INT(sw_svc_xml_double(r, "nan", &d), -1);
  SW_CHECK_INT(sw_svc_xml_int64(r, "big", &i), -1);
  SW_CHECK_INT(sw_svc_xml_bool(r, "i", &b), -1);
  SW_CHECK_INT(sw_svc_xml_time(r, "missing", &d), -1);
  xmlFreeDoc(doc);
}

static int count_item(xmlNode *n, size_t i, void *item, struct sw_error *e) {
  (void)n;
  (void)e;
  *(size_t *)item = i + 1;
  return 0;
}

static void test_item_walkers_are_bounded(void) {
  xmlDoc *doc = xml_text("<r><L><member/><member/><member/></L></r>");
  struct json_object *j = json_text("{\"a\":[1,2,3],\"b\":{}}");
  void *items;
  size_t count;
  struct sw_error err;
  SW_CHECK_INT(sw_svc_xml_items(sw_xml_root(doc), "L", "member", 3,
                                sizeof(size_t), count_item, "op", &items,
                                &count, &err),
               0);
  SW_CHECK_INT(count, 3);
  SW_CHECK_INT(((size_t *)items)[2], 3);
  free(items);
  SW_CHECK_INT(sw_svc_xml_items(sw_xml_root(doc), "L", "member", 2,
                                sizeof(size_t), count_item, "op", &items,
                                &count, &err),
               -1);
  SW_CHECK(items == NULL && count == 0);
  SW_CHECK_INT(sw_svc_xml_items(sw_xml_root(doc), "Nope", "member", 2,
                                sizeof(size_t), count_item, "op", &items,
                                &count, &err),
               0);
  SW_CHECK(items == NULL && count == 0);
  SW_CHECK_INT(sw_svc_json_items(j, "a", 2, sizeof(size_t),
                                 (int (*)(struct json_object *, size_t, void *,
                                          struct sw_error *))NULL,
                                 "op", &items, &count, &err),
               -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  SW_CHECK_INT(sw_svc_json_items(j, "b", 2, sizeof(size_t), NULL, "op", &items,
                                 &count, &err),
               0); /* wrong type: absent */
  SW_CHECK(items == NULL && count == 0);
  xmlFreeDoc(doc);
  json_object_put(j);
}

static void test_pairs(void) {
  xmlDoc *doc = xml_text("<r><Tags><member><Key>a</Key><Value>1</Value>"
                         "</member><member><Key>b</Key></member></Tags>"
                         "<Bad><member><Value>1</Value></member></Bad></r>");
  struct json_object *j =
      json_text("{\"T\":[{\"K\":\"a\",\"V\":\"1\"}],\"U\":[{\"K\":5}]}");
  struct sw_tag_list l;
  struct sw_error err;
  sw_tag_list_init(&l);
  SW_CHECK_INT(sw_svc_xml_pairs(sw_xml_root(doc), "Tags", "member", "Key",
                                "Value", 10, "op", &l, &err),
               0);
  SW_CHECK_INT(l.count, 2);
  SW_CHECK_STR(sw_tag_list_get(&l, "b"), "");
  SW_CHECK_INT(sw_svc_xml_pairs(sw_xml_root(doc), "Bad", "member", "Key",
                                "Value", 10, "op", &l, &err),
               -1);
  SW_CHECK_INT(l.count, 0);
  SW_CHECK_INT(sw_svc_json_pairs(j, "T", "K", "V", 10, "op", &l, &err), 0);
  SW_CHECK_STR(sw_tag_list_get(&l, "a"), "1");
  SW_CHECK_INT(sw_svc_json_pairs(j, "U", "K", "V", 10, "op", &l, &err), -1);
  SW_CHECK_INT(l.count, 0);
  xmlFreeDoc(doc);
  json_object_put(j);
}

static void test_request_tag_checks(void) {
  char long_key[200];
  struct sw_error err;
  struct sw_tag ok[] = {{"k", NULL}};
  struct sw_tag bad[] = {{"", "v"}};
  struct sw_tag big[] = {{long_key, "v"}};
  memset(long_key, 'k', sizeof(long_key) - 1);
  long_key[sizeof(long_key) - 1] = '\0';
  SW_CHECK_INT(sw_svc_check_tags("op", ok, 1, 50, &err), 0);
  SW_CHECK_INT(sw_svc_check_tags("op", NULL, 0, 50, &err), 0);
  SW_CHECK_INT(sw_svc_check_tags("op", NULL, 1, 50, &err), -1);
  SW_CHECK_INT(sw_svc_check_tags("op", bad, 1, 50, &err), -1);
  SW_CHECK_INT(sw_svc_check_tags("op", big, 1, 50, &err), -1);
  SW_CHECK_INT(sw_svc_check_tags("op", ok, 51, 50, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  struct json_object *o = sw_svc_json_tag_map(ok, 1);
  char *s = sw_svc_json_finish(o, "op", &err);
  SW_CHECK_STR(s, "{\"k\":\"\"}");
  free(s);
  SW_CHECK(sw_svc_json_finish(NULL, "op", &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
}

static void test_query_result_names_the_operation(void) {
  xmlDoc *doc = xml_text("<AResponse><AResult/></AResponse>");
  struct sw_error err;
  SW_CHECK(sw_svc_query_result(doc, "A", &err) != NULL);
  SW_CHECK(sw_svc_query_result(doc, "B", &err) == NULL);
  SW_CHECK(strstr(err.message, "BResponse") != NULL);
  SW_CHECK(sw_svc_query_result(NULL, "A", &err) == NULL);
  xmlFreeDoc(doc);
  doc = xml_text("<AResponse><Other/></AResponse>");
  SW_CHECK(sw_svc_query_result(doc, "A", &err) == NULL);
  SW_CHECK(strstr(err.message, "AResult") != NULL);
  xmlFreeDoc(doc);
}

int main(void) {
  SW_RUN(test_lists_grow_and_stop_at_their_bound);
  SW_RUN(test_strings_are_bounded_not_cut);
  SW_RUN(test_xml_scalars);
  SW_RUN(test_item_walkers_are_bounded);
  SW_RUN(test_pairs);
  SW_RUN(test_request_tag_checks);
  SW_RUN(test_query_result_names_the_operation);
  return sw_test_done();
}
