#pragma once
// File names on Linux are arbitrary bytes; JSON, terminals and command lines want text.
// escape_name() maps any byte string injectively to printable UTF-8 so that model ids
// and file paths travel through the socket protocol, manifests and argv unchanged:
//   - `\` becomes `\\`;
//   - control characters (0x00-0x1f, 0x7f) and bytes that are not part of valid UTF-8
//     become `\xNN` (two lowercase hex digits);
//   - everything else (printable ASCII, valid UTF-8 sequences) is kept.
// unescape_name() is its exact inverse and rejects text that escape_name() cannot produce.

#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv {

/// The printable, reversible text form of a raw byte string.
std::string escape_name(std::string_view raw);

/// The raw bytes behind `text`; fails on a dangling `\` or an unknown escape, and on
/// text escape_name() would have written differently (e.g. `\x41` for `A`).
Result<std::string> unescape_name(std::string_view text);

/// True when `text` is valid UTF-8.
bool is_valid_utf8(std::string_view text);

/// Encodes one path component for use as a file name inside the vault: bytes outside
/// [A-Za-z0-9._+=,@-] and valid non-ASCII UTF-8 become %XX, `%` itself too, and a
/// leading `.` is always encoded, so "..", hidden names and control characters cannot
/// appear. Injective: different components give different names.
std::string encode_path_component(std::string_view raw);

/// Inverse of encode_path_component().
Result<std::string> decode_path_component(std::string_view encoded);

/// The value of the hex digit `c` (either case), or -1 when it is not one.
int hex_value(char c);

} // namespace mv
