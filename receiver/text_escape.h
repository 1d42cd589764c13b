// The two escapings the log side needs.
//
// The kernel's extended console format (printk's msg_add_ext_text, the /dev/kmsg format) writes
// every byte < 0x20, >= 0x7f and the backslash itself as "\xNN"; kmsg_unescape() undoes that.
// Input is hostile: a malformed or truncated escape ("\x4", "\xZZ", a trailing "\") is kept as
// the literal bytes it is, never an error and never a read past the end.
//
// log_line_escape() makes a record safe to write as ONE line of a log file: bytes < 0x20 except
// tab, and 0x7f, become "\xNN" (lowercase), so a message can neither forge extra lines nor carry
// terminal escapes. Backslashes and bytes >= 0x80 (UTF-8) pass unchanged, as dmesg shows them,
// so a syslog line that needs no escaping is written byte for byte as it arrived.
#pragma once

#include <string>
#include <string_view>

namespace vmscope {

std::string kmsg_unescape(std::string_view escaped);

std::string log_line_escape(std::string_view text);

}  // namespace vmscope
