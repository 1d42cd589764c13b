// Must NOT compile: support is the lowest layer and cannot see dump/.
#include "dump/physical_memory.h"
