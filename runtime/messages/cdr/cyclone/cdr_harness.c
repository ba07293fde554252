/*
 * Cyclone DDS as an independent CDR implementation, for cdr-cyclone.test.ts.
 *
 *   cdr_harness encode   < lines "TYPE TOKEN..."   -> "ok HEX" : the sample serialized by Cyclone (XCDR1, LE)
 *   cdr_harness decode   < lines "TYPE HEX"        -> "ok HEX TOKEN..." : Cyclone validates (normalize) and reads
 *                                                     the bytes, writes them again, and prints the sample it read
 *
 * HEX is the CDR body without the 4-byte encapsulation header (Cyclone's stream API does not write one).
 * Tokens, one per value in field order: i:-12 (signed), u:12 (unsigned, octet, char), b:0|1 (bool),
 * d:HEX16 (double as its IEEE-754 bits), f:HEX8 (float bits), s:HEX (UTF-8 bytes of a string), o:HEX (a whole
 * octet sequence), n:COUNT (before a sequence's elements; fixed arrays have none).
 * Any failure prints "error WHY" for that line; the exit code is 0 unless stdin cannot be read.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/dds.h"
#include "dds/ddsi/ddsi_cdrstream.h"
#include "ros2_types.h"

static jmp_buf fail_jump;
static char fail_reason[256];

static void fail(const char *fmt, const char *detail) {
  snprintf(fail_reason, sizeof fail_reason, fmt, detail);
  longjmp(fail_jump, 1);
}

/* ---- token input ---- */

static char *cursor;

static char *next_token(char tag) {
  while (*cursor == ' ') cursor++;
  if (*cursor == '\0') fail("missing token %s", tag == 's' ? "s:" : "value");
  char *start = cursor;
  while (*cursor != ' ' && *cursor != '\0') cursor++;
  if (*cursor == ' ') *cursor++ = '\0';
  if (start[0] != tag || start[1] != ':') fail("unexpected token %s", start);
  return start + 2;
}

static int64_t get_i(void) { return strtoll(next_token('i'), NULL, 10); }
static uint64_t get_u(void) { return strtoull(next_token('u'), NULL, 10); }
static bool get_b(void) { return strcmp(next_token('b'), "1") == 0; }
static uint32_t get_n(void) { return (uint32_t)strtoul(next_token('n'), NULL, 10); }

static double get_d(void) {
  uint64_t bits = strtoull(next_token('d'), NULL, 16);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

static float get_f(void) {
  uint32_t bits = (uint32_t)strtoul(next_token('f'), NULL, 16);
  float v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  fail("bad hex digit %s", "");
  return 0;
}

/* Decodes a hex token into a fresh dds_alloc'd buffer with a NUL after it; *len gets the byte count. */
static uint8_t *unhex(const char *hex, uint32_t *len) {
  size_t n = strlen(hex) / 2;
  uint8_t *out = dds_alloc(n + 1);
  for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
  out[n] = 0;
  *len = (uint32_t)n;
  return out;
}

static char *get_s(void) {
  uint32_t len;
  return (char *)unhex(next_token('s'), &len);
}

static void get_bounded_s(char *dst, size_t cap) {
  char *s = get_s();
  if (strlen(s) >= cap) fail("bounded string too long: %s", s);
  strcpy(dst, s);
  dds_free(s);
}

#define GET_SEQ(seq, type, getter)                                   \
  do {                                                               \
    (seq)._length = (seq)._maximum = get_n();                        \
    (seq)._buffer = dds_alloc(sizeof(type) * ((seq)._length + 1));   \
    (seq)._release = true;                                           \
    for (uint32_t k_ = 0; k_ < (seq)._length; k_++) (seq)._buffer[k_] = (type)getter(); \
  } while (0)

/* ---- token output ---- */

static void put_hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}
static void put_i(int64_t v) { printf(" i:%" PRId64, v); }
static void put_u(uint64_t v) { printf(" u:%" PRIu64, v); }
static void put_b(bool v) { printf(" b:%d", v ? 1 : 0); }
static void put_n(uint32_t v) { printf(" n:%" PRIu32, v); }
static void put_s(const char *s) { printf(" s:"); put_hex((const uint8_t *)s, strlen(s)); }
static void put_d(double v) { uint64_t b; memcpy(&b, &v, 8); printf(" d:%016" PRIx64, b); }
static void put_f(float v) { uint32_t b; memcpy(&b, &v, 4); printf(" f:%08" PRIx32, b); }

/* ---- per-type fill (tokens -> sample) and print (sample -> tokens) ---- */

static void fill_Time(builtin_interfaces_msg_Time *m) { m->sec = (int32_t)get_i(); m->nanosec = (uint32_t)get_u(); }
static void print_Time(const builtin_interfaces_msg_Time *m) { put_i(m->sec); put_u(m->nanosec); }

static void fill_Header(std_msgs_msg_Header *m) { fill_Time(&m->stamp); m->frame_id = get_s(); }
static void print_Header(const std_msgs_msg_Header *m) { print_Time(&m->stamp); put_s(m->frame_id); }

static void fill_String(void *p) { ((std_msgs_msg_String *)p)->data = get_s(); }
static void print_String(const void *p) { put_s(((const std_msgs_msg_String *)p)->data); }

static void fill_JointState(void *p) {
  sensor_msgs_msg_JointState *m = p;
  fill_Header(&m->header);
  GET_SEQ(m->name, char *, get_s);
  GET_SEQ(m->position, double, get_d);
  GET_SEQ(m->velocity, double, get_d);
  GET_SEQ(m->effort, double, get_d);
}
static void print_JointState(const void *p) {
  const sensor_msgs_msg_JointState *m = p;
  print_Header(&m->header);
  put_n(m->name._length);
  for (uint32_t i = 0; i < m->name._length; i++) put_s(m->name._buffer[i]);
  const dds_sequence_double *seqs[3] = {&m->position, &m->velocity, &m->effort};
  for (int s = 0; s < 3; s++) {
    put_n(seqs[s]->_length);
    for (uint32_t i = 0; i < seqs[s]->_length; i++) put_d(seqs[s]->_buffer[i]);
  }
}

static void fill_CompressedImage(void *p) {
  sensor_msgs_msg_CompressedImage *m = p;
  fill_Header(&m->header);
  m->format = get_s();
  uint32_t len;
  m->data._buffer = unhex(next_token('o'), &len);
  m->data._length = m->data._maximum = len;
  m->data._release = true;
}
static void print_CompressedImage(const void *p) {
  const sensor_msgs_msg_CompressedImage *m = p;
  print_Header(&m->header);
  put_s(m->format);
  printf(" o:");
  put_hex(m->data._buffer, m->data._length);
}

static void fill_KeyValue(diagnostic_msgs_msg_KeyValue *m) { m->key = get_s(); m->value = get_s(); }
static void fill_DiagnosticStatus(diagnostic_msgs_msg_DiagnosticStatus *m) {
  m->level = (uint8_t)get_u();
  m->name = get_s();
  m->message = get_s();
  m->hardware_id = get_s();
  m->values._length = m->values._maximum = get_n();
  m->values._buffer = dds_alloc(sizeof(diagnostic_msgs_msg_KeyValue) * (m->values._length + 1));
  m->values._release = true;
  for (uint32_t i = 0; i < m->values._length; i++) fill_KeyValue(&m->values._buffer[i]);
}
static void fill_DiagnosticArray(void *p) {
  diagnostic_msgs_msg_DiagnosticArray *m = p;
  fill_Header(&m->header);
  m->status._length = m->status._maximum = get_n();
  m->status._buffer = dds_alloc(sizeof(diagnostic_msgs_msg_DiagnosticStatus) * (m->status._length + 1));
  m->status._release = true;
  for (uint32_t i = 0; i < m->status._length; i++) fill_DiagnosticStatus(&m->status._buffer[i]);
}
static void print_DiagnosticArray(const void *p) {
  const diagnostic_msgs_msg_DiagnosticArray *m = p;
  print_Header(&m->header);
  put_n(m->status._length);
  for (uint32_t i = 0; i < m->status._length; i++) {
    const diagnostic_msgs_msg_DiagnosticStatus *s = &m->status._buffer[i];
    put_u(s->level);
    put_s(s->name);
    put_s(s->message);
    put_s(s->hardware_id);
    put_n(s->values._length);
    for (uint32_t k = 0; k < s->values._length; k++) {
      put_s(s->values._buffer[k].key);
      put_s(s->values._buffer[k].value);
    }
  }
}

static void fill_Probe(void *p) {
  armstack_test_msg_Probe *m = p;
  m->flag = get_b();
  m->f64 = get_d();
  m->i8 = (int8_t)get_i();
  m->i64 = get_i();
  m->u8 = (uint8_t)get_u();
  m->i16 = (int16_t)get_i();
  m->u16 = (uint16_t)get_u();
  m->i32 = (int32_t)get_i();
  m->c = (uint8_t)get_u();
  m->u32 = (uint32_t)get_u();
  m->u64 = get_u();
  m->f32 = get_f();
  get_bounded_s(m->short_name, sizeof m->short_name);
  for (int i = 0; i < 3; i++) m->fixed3[i] = get_d();
  GET_SEQ(m->bounded, int16_t, get_i);
  GET_SEQ(m->flags, bool, get_b);
  GET_SEQ(m->big, int64_t, get_i);
  GET_SEQ(m->floats, float, get_f);
  for (int i = 0; i < 2; i++) fill_Time(&m->times[i]);
  m->stamps._length = m->stamps._maximum = get_n();
  m->stamps._buffer = dds_alloc(sizeof(builtin_interfaces_msg_Time) * (m->stamps._length + 1));
  m->stamps._release = true;
  for (uint32_t i = 0; i < m->stamps._length; i++) fill_Time(&m->stamps._buffer[i]);
  m->tags._length = m->tags._maximum = get_n();
  m->tags._buffer = dds_alloc(sizeof(*m->tags._buffer) * (m->tags._length + 1));
  m->tags._release = true;
  for (uint32_t i = 0; i < m->tags._length; i++) get_bounded_s(m->tags._buffer[i], sizeof *m->tags._buffer);
  m->tail = (uint8_t)get_u();
}
static void print_Probe(const void *p) {
  const armstack_test_msg_Probe *m = p;
  put_b(m->flag); put_d(m->f64); put_i(m->i8); put_i(m->i64); put_u(m->u8); put_i(m->i16); put_u(m->u16);
  put_i(m->i32); put_u(m->c); put_u(m->u32); put_u(m->u64); put_f(m->f32); put_s(m->short_name);
  for (int i = 0; i < 3; i++) put_d(m->fixed3[i]);
  put_n(m->bounded._length);
  for (uint32_t i = 0; i < m->bounded._length; i++) put_i(m->bounded._buffer[i]);
  put_n(m->flags._length);
  for (uint32_t i = 0; i < m->flags._length; i++) put_b(m->flags._buffer[i]);
  put_n(m->big._length);
  for (uint32_t i = 0; i < m->big._length; i++) put_i(m->big._buffer[i]);
  put_n(m->floats._length);
  for (uint32_t i = 0; i < m->floats._length; i++) put_f(m->floats._buffer[i]);
  for (int i = 0; i < 2; i++) print_Time(&m->times[i]);
  put_n(m->stamps._length);
  for (uint32_t i = 0; i < m->stamps._length; i++) print_Time(&m->stamps._buffer[i]);
  put_n(m->tags._length);
  for (uint32_t i = 0; i < m->tags._length; i++) put_s(m->tags._buffer[i]);
  put_u(m->tail);
}

struct type_entry {
  const char *name;
  const dds_topic_descriptor_t *desc;
  void (*fill)(void *);
  void (*print)(const void *);
};

static const struct type_entry types[] = {
  {"std_msgs/msg/String", &std_msgs_msg_String_desc, fill_String, print_String},
  {"sensor_msgs/msg/JointState", &sensor_msgs_msg_JointState_desc, fill_JointState, print_JointState},
  {"sensor_msgs/msg/CompressedImage", &sensor_msgs_msg_CompressedImage_desc, fill_CompressedImage, print_CompressedImage},
  {"diagnostic_msgs/msg/DiagnosticArray", &diagnostic_msgs_msg_DiagnosticArray_desc, fill_DiagnosticArray, print_DiagnosticArray},
  {"armstack_test/msg/Probe", &armstack_test_msg_Probe_desc, fill_Probe, print_Probe},
};

static const struct type_entry *find_type(const char *name) {
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    if (strcmp(types[i].name, name) == 0) return &types[i];
  }
  fail("unknown type %s", name);
  return NULL;
}

static void write_sample(const struct type_entry *t, const void *sample) {
  dds_ostreamLE_t os;
  dds_ostreamLE_init(&os, 0, CDR_ENC_VERSION_1);
  if (dds_stream_writeLE(&os, sample, t->desc->m_ops) == NULL) fail("dds_stream_writeLE failed%s", "");
  put_hex(os.x.m_buffer, os.x.m_index);
  dds_ostreamLE_fini(&os);
}

static void encode_line(char *line) {
  cursor = line;
  while (*cursor == ' ') cursor++;
  char *name = cursor;
  while (*cursor != ' ' && *cursor != '\0') cursor++;
  if (*cursor == ' ') *cursor++ = '\0';
  const struct type_entry *t = find_type(name);
  void *sample = dds_alloc(t->desc->m_size);
  t->fill(sample);
  printf("ok ");
  write_sample(t, sample);
  printf("\n");
  dds_sample_free(sample, t->desc, DDS_FREE_ALL);
}

static void decode_line(char *line) {
  char *space = strchr(line, ' ');
  if (space == NULL) fail("expected TYPE HEX%s", "");
  *space = '\0';
  const struct type_entry *t = find_type(line);
  uint32_t size;
  uint8_t *bytes = unhex(space + 1, &size);
  uint32_t offset = 0;
  if (dds_stream_normalize_data((char *)bytes, &offset, size, false, CDR_ENC_VERSION_1, t->desc->m_ops) == NULL) {
    dds_free(bytes);
    fail("dds_stream_normalize_data rejected the bytes%s", "");
  }
  dds_istream_t is;
  dds_istream_init(&is, size, bytes, CDR_ENC_VERSION_1);
  void *sample = dds_alloc(t->desc->m_size);
  dds_stream_read(&is, sample, t->desc->m_ops);
  printf("ok ");
  write_sample(t, sample);
  t->print(sample);
  printf("\n");
  dds_sample_free(sample, t->desc, DDS_FREE_ALL);
  dds_free(bytes);
}

int main(int argc, char **argv) {
  if (argc != 2 || (strcmp(argv[1], "encode") != 0 && strcmp(argv[1], "decode") != 0)) {
    fprintf(stderr, "usage: %s encode|decode < lines\n", argv[0]);
    return 2;
  }
  bool encode = strcmp(argv[1], "encode") == 0;
  size_t cap = 0;
  char *line = NULL;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
    if (n == 0) continue;
    /* A failed line may leak its half-built sample: this process lives for one test run. */
    if (setjmp(fail_jump) == 0) {
      if (encode) encode_line(line); else decode_line(line);
    } else {
      printf("error %s\n", fail_reason);
    }
    fflush(stdout);
  }
  free(line);
  return 0;
}
