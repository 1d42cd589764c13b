#include "support/cancellation.h"

namespace vmscope {

Status CancellationToken::check() const {
  if (cancelled()) return Error(ErrorCode::kCancelled, "request cancelled");
  return ok_status();
}

}  // namespace vmscope
