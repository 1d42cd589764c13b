// Must NOT compile: a dump reader never knows JSON or the protocol.
#include "rpc/dispatcher.h"
