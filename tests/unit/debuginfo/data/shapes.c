/* The unit-test subject for the debuginfo layer: a C program whose DWARF the tests read, and
 * which prints (when run) the layout facts its compiler computed — sizes, member offsets, the bit
 * positions of bit fields, the lines of marked functions — so the tests compare libdw-derived
 * answers with the compiler's own, not with numbers written by hand. Built by the tests with
 * gcc -g -gdwarf-4 / -gdwarf-5 -O0 together with other.c. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "shapes.h"

struct bits {
  unsigned int a : 3;
  unsigned int b : 5;
  int c : 7;
  unsigned long long wide : 40;
  bool flag : 1;
  unsigned char tail;
  unsigned short straddle : 12;
};

struct with_anonymous {
  int head;
  union {
    long as_long;
    struct {
      short lo;
      short hi;
    };
    struct {
      char pad[3];
      union {
        int deep;
        char deep_bytes[4];
      };
    };
  };
  struct {
    int x, y;
  } named_inner;
  int tail;
};

struct flexible {
  int count;
  long items[];
};

struct zero_length {
  int count;
  long items[0];
};

struct arrays {
  int grid[2][3];
  char *names[4];
  int (*row)[3];
  const char *const label;
};

enum colour { RED, GREEN = 5, BLUE };
enum signed_values { NEGATIVE = -3, ZERO_VALUE = 0, POSITIVE = 7 };
enum big_values { BIG = 0xffffffffu };

typedef struct list_node list_node_t;
typedef list_node_t node_alias;
typedef const node_alias const_node;
typedef int (*handler_t)(struct list_node *, const char *, ...);

struct callbacks {
  handler_t handler;
  void (*no_args)(void);
  int (*unprototyped)();
  volatile unsigned long counter;
  id_t32 id;
  const_node *constant_node;
  enum colour colour;
};

union number {
  int i;
  double d;
  unsigned char bytes[8];
};

/* A struct of the same name with a different layout lives in other.c. */
struct clash {
  int only_here;
};

struct opaque *opaque_pointer;
struct never_defined *never_defined_pointer;
struct bits bits_instance;
struct with_anonymous anonymous_instance;
struct flexible *flexible_pointer;
struct zero_length zero_length_instance;
struct arrays arrays_instance = {.label = "label"};
struct callbacks callbacks_instance;
union number number_instance;
struct clash clash_here;
enum signed_values signed_instance = NEGATIVE;
enum big_values big_instance = BIG;
list_node_t list_head_instance;
int global_counter = 42;
static int static_counter = 7;
extern int alias_of_counter; /* defined only by the assembler directive below */
__asm__(".globl alias_of_counter\n.set alias_of_counter, global_counter");

static const int marked_line = __LINE__; int marked_function(int x) { return x * 3 + 1; }

static int same_name(int x) { return x + static_counter; }
int call_same_name(int x);

/* Finds a bit field's position the way no compiler internals can hide: set all its bits in a
 * zeroed object and see which bits changed. */
#define PRINT_BITFIELD(type, field)                                                     \
  do {                                                                                  \
    type probe;                                                                         \
    memset(&probe, 0, sizeof(probe));                                                   \
    probe.field = -1;                                                                   \
    const unsigned char *bytes = (const unsigned char *)&probe;                         \
    int first = -1, count = 0;                                                          \
    for (size_t i = 0; i < sizeof(probe) * 8; i++) {                                    \
      if (bytes[i / 8] & (1u << (i % 8))) {                                             \
        if (first < 0) first = (int)i;                                                  \
        count++;                                                                        \
      }                                                                                 \
    }                                                                                   \
    printf("bitoffset %s %s %d\nbitsize %s %s %d\n", #type, #field, first, #type, #field, \
           count);                                                                      \
  } while (0)
#define PRINT_OFFSET(type, field) \
  printf("offset %s %s %zu\n", #type, #field, (size_t)offsetof(type, field))
#define PRINT_SIZE(type) printf("size %s %zu\n", #type, sizeof(type))

int main(void) {
  PRINT_SIZE(struct bits);
  PRINT_BITFIELD(struct bits, a);
  PRINT_BITFIELD(struct bits, b);
  PRINT_BITFIELD(struct bits, c);
  PRINT_BITFIELD(struct bits, wide);
  PRINT_BITFIELD(struct bits, flag);
  PRINT_BITFIELD(struct bits, straddle);
  PRINT_OFFSET(struct bits, tail);
  PRINT_SIZE(struct with_anonymous);
  PRINT_OFFSET(struct with_anonymous, head);
  PRINT_OFFSET(struct with_anonymous, as_long);
  PRINT_OFFSET(struct with_anonymous, lo);
  PRINT_OFFSET(struct with_anonymous, hi);
  PRINT_OFFSET(struct with_anonymous, deep);
  PRINT_OFFSET(struct with_anonymous, deep_bytes);
  PRINT_OFFSET(struct with_anonymous, named_inner.y);
  PRINT_OFFSET(struct with_anonymous, tail);
  PRINT_SIZE(struct flexible);
  PRINT_OFFSET(struct flexible, items);
  PRINT_SIZE(struct zero_length);
  PRINT_SIZE(struct arrays);
  PRINT_OFFSET(struct arrays, grid[1][2]);
  PRINT_OFFSET(struct arrays, names[3]);
  PRINT_OFFSET(struct arrays, row);
  PRINT_OFFSET(struct arrays, label);
  PRINT_SIZE(struct callbacks);
  PRINT_OFFSET(struct callbacks, counter);
  PRINT_OFFSET(struct callbacks, id);
  PRINT_OFFSET(struct callbacks, constant_node);
  PRINT_OFFSET(struct callbacks, colour);
  PRINT_SIZE(union number);
  PRINT_SIZE(enum colour);
  PRINT_SIZE(enum big_values);
  printf("line marked_function %d\n", marked_line);
  printf("value GREEN %d\n", (int)GREEN);
  printf("value BLUE %d\n", (int)BLUE);
  printf("value NEGATIVE %d\n", (int)NEGATIVE);
  return same_name(call_same_name(global_counter)) == 0 && alias_of_counter == 0;
}
