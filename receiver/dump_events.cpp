#include "receiver/dump_events.h"

namespace vmscope {

DumpCounters& DumpCounters::operator+=(const DumpCounters& o) {
  datagrams += o.datagrams;
  bytes += o.bytes;
  accepted += o.accepted;
  malformed += o.malformed;
  oversized += o.oversized;
  unsupported_version += o.unsupported_version;
  unknown_host += o.unknown_host;
  wrong_source += o.wrong_source;
  duplicate += o.duplicate;
  too_old += o.too_old;
  replayed_session += o.replayed_session;
  late += o.late;
  auth_failed += o.auth_failed;
  protocol_violation += o.protocol_violation;
  over_limit += o.over_limit;
  held += o.held;
  held_dropped += o.held_dropped;
  queue_full += o.queue_full;
  nospace_dropped += o.nospace_dropped;
  return *this;
}

}  // namespace vmscope
