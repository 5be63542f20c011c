#include "vault/history.hpp"

#include <cerrno>
#include <fcntl.h>
#include <type_traits>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/fd.hpp"
#include "util/fs.hpp"
#include "util/json_depth.hpp"

namespace mv::vault {

namespace {

// An integer field, absent = `fallback`. A float (1e20, or 1.0) is refused: converting one
// outside the type's range is undefined behaviour (found by fuzz_history).
template <typename Integer>
Integer whole_number(const nlohmann::json& j, const char* key, Integer fallback) {
    const auto it = j.find(key);
    if (it == j.end()) {
        return fallback;
    }
    const bool fits =
        std::is_signed_v<Integer> ? it->is_number_integer() : it->is_number_unsigned();
    if (!fits) {
        throw std::runtime_error(fmt::format("\"{}\" is not a whole number", key));
    }
    return it->get<Integer>();
}

} // namespace

using nlohmann::json;

const char* to_string(Pointer pointer) {
    switch (pointer) {
    case Pointer::best:
        return "best";
    case Pointer::current:
        return "current";
    case Pointer::removed:
        return "removed";
    }
    return "?";
}

std::string history_line(const HistoryRecord& r) {
    json line = {{"time", format_utc(r.time)},
                 {"pointer", to_string(r.pointer)},
                 {"from", r.from ? json(r.from->to_string()) : json(nullptr)},
                 {"to", r.to ? json(r.to->to_string()) : json(nullptr)},
                 {"reason", r.reason},
                 {"uid", r.uid}};
    if (r.pointer == Pointer::removed) {
        line["sequence"] = r.sequence;
    }
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<HistoryRecord> parse_history(std::string_view content,
                                         std::vector<std::string>& problems) {
    std::vector<HistoryRecord> records;
    std::size_t number = 0;
    while (!content.empty()) {
        const std::size_t end = std::min(content.find('\n'), content.size());
        const std::string_view line = content.substr(0, end);
        content.remove_prefix(std::min(end + 1, content.size()));
        ++number;
        if (line.empty()) {
            continue;
        }
        try {
            value_or_throw(check_json_depth(line, "the line"));
            const json j = json::parse(line);
            HistoryRecord r;
            r.time = value_or_throw(parse_time(j.at("time").get<std::string>()));
            const auto pointer = j.at("pointer").get<std::string>();
            if (pointer == "best") {
                r.pointer = Pointer::best;
            } else if (pointer == "current") {
                r.pointer = Pointer::current;
            } else if (pointer == "removed") {
                r.pointer = Pointer::removed;
                r.sequence = whole_number<std::uint64_t>(j, "sequence", 0);
            } else {
                throw std::runtime_error("unknown pointer " + pointer);
            }
            for (auto [key, slot] : {std::pair{"from", &r.from}, std::pair{"to", &r.to}}) {
                if (!j.at(key).is_null()) {
                    *slot = Version::parse(j.at(key).get<std::string>());
                    if (!*slot) {
                        throw std::runtime_error(fmt::format("bad version in \"{}\"", key));
                    }
                }
            }
            r.reason = j.value("reason", "");
            r.uid = whole_number<long long>(j, "uid", -1);
            records.push_back(std::move(r));
        } catch (const std::exception& e) {
            problems.push_back(fmt::format("line {}: {}", number, e.what()));
        }
    }
    return records;
}

Result<void> append_history(const std::filesystem::path& file, const HistoryRecord& record) {
    const bool existed = std::filesystem::exists(file);
    UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
    if (!fd) {
        return failure(errno_message(fmt::format("cannot open {}", file.string()), errno));
    }
    // A torn earlier line (a crash mid-append) must not swallow this record: start on a
    // fresh line if the file does not end with one.
    std::string line = history_line(record) + "\n";
    const off_t size = ::lseek(fd.get(), 0, SEEK_END);
    if (size > 0) {
        char last = '\n';
        if (::pread(fd.get(), &last, 1, size - 1) == 1 && last != '\n') {
            line.insert(line.begin(), '\n');
        }
    }
    auto written = fs::write_all(fd.get(), line.data(), line.size(), file).and_then([&] {
        return fs::sync_fd(fd.get(), file);
    });
    if (!written || existed) {
        return written;
    }
    return fs::sync_directory(file.parent_path());
}

std::optional<Version> pointer_value(const std::vector<HistoryRecord>& records, Pointer pointer) {
    std::optional<Version> value;
    for (const auto& r : records) {
        if (r.pointer == pointer) {
            value = r.to;
        }
    }
    return value;
}

} // namespace mv::vault
