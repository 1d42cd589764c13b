/* Types shared by shapes.c and other.c: each CU gets its own copy in DWARF, which the index
 * must fold into one. */
#ifndef SHAPES_H
#define SHAPES_H

struct list_node {
  struct list_node *next, *prev;
};

/* Only declared here; defined in other.c. shapes.c sees a declaration DIE. */
struct opaque;

/* Declared and never defined anywhere. */
struct never_defined;

typedef unsigned int u32;
typedef u32 id_t32;

#endif
