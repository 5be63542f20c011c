#include "daemon/schedule_state.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "util/json_depth.hpp"

namespace mv::daemon {

using nlohmann::json;

LastFires load_last_fires(const std::filesystem::path& file) {
    LastFires fires;
    auto text = fs::read_file(file);
    if (!text) {
        return fires;
    }
    try {
        value_or_throw(check_json_depth(*text, file.string()));
        // Named: a range-for over a member of a temporary would read it after its end.
        const json state = json::parse(*text);
        for (const auto& [watch, time] : state.at("last_fire").items()) {
            fires[watch] = value_or_throw(parse_time(time.get<std::string>()));
        }
    } catch (const std::exception& e) {
        spdlog::warn("ignoring damaged {} ({}): schedules start afresh", file.string(), e.what());
        fires.clear();
    }
    return fires;
}

void save_last_fires(const std::filesystem::path& file, const std::filesystem::path& tmp_dir,
                     const LastFires& fires) {
    json last = json::object();
    for (const auto& [watch, time] : fires) {
        last[watch] = format_utc(time);
    }
    const json state = {{"format", "modelvault-schedule"}, {"version", 1}, {"last_fire", last}};
    if (auto saved = fs::write_file_atomic(file, state.dump(2) + "\n", tmp_dir); !saved) {
        spdlog::warn("cannot save {}: {}", file.string(), saved.error());
    }
}

} // namespace mv::daemon
