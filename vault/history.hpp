#pragma once
// The audit history of a model (docs/FORMAT.md): every move of its `best` and `current`
// pointers — when, from which version to which, why, and who asked — and every version
// retention removed, so that a removed version's number is never given again. It lives in the vault
// next to the model's versions as `history.jsonl`, one JSON object per line, appended
// and fsynced; the last record of each kind is the pointer's value, so `best` survives
// restarts and the history is its own proof.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "util/time.hpp"
#include "vault/version.hpp"

namespace mv::vault {

/// What a record is about: a move of the `best` or `current` pointer, or (`removed`, not
/// a pointer) the removal of version `from`.
enum class Pointer { best, current, removed };
const char* to_string(Pointer pointer);

struct HistoryRecord {
    SystemTime time{};
    Pointer pointer = Pointer::best;
    std::optional<Version> from; ///< nullopt: the pointer was unset
    std::optional<Version> to;   ///< nullopt: the pointer was cleared
    std::string reason;
    long long uid = -1;         ///< who asked; -1 for the daemon itself
    std::uint64_t sequence = 0; ///< `removed`: the removed version's sequence number
};

/// The file name of the history inside a model's vault folder.
inline constexpr const char* k_history_file = "history.jsonl";

/// One line of history.jsonl (without the newline).
std::string history_line(const HistoryRecord& record);

/// Parses history.jsonl content. A damaged line (e.g. a torn last line after a crash) is
/// skipped and reported in `problems`.
std::vector<HistoryRecord> parse_history(std::string_view content,
                                         std::vector<std::string>& problems);

/// Appends one record to `file` durably (O_APPEND, fsync; the folder is fsynced when the
/// file is new).
Result<void> append_history(const std::filesystem::path& file, const HistoryRecord& record);

/// The pointer's value after replaying `records` (the last record of that kind wins).
std::optional<Version> pointer_value(const std::vector<HistoryRecord>& records, Pointer pointer);

} // namespace mv::vault
