/* The second compile unit of the debuginfo test subject (see shapes.c). */
#include "shapes.h"

struct opaque {
  long defined_in_other_cu;
  struct list_node node;
};

struct clash {
  long only_there[2];
};

struct opaque opaque_instance;
struct clash clash_there;
struct list_node other_list_node;

static int same_name(int x) { return x * 2; }
int call_same_name(int x) { return same_name(x) + (int)opaque_instance.defined_in_other_cu; }
