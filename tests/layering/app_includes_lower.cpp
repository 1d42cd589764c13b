// Must compile: the top of the stack sees every layer below it.
#include "dump/physical_memory.h"
#include "rpc/dispatcher.h"
#include "support/result.h"
