// libFuzzer harness: the config parser (config/load.hpp). Any text must either give a
// Config or a ConfigError listing its problems; anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)mv::config::parse_config(text, "/etc/modelvault", "fuzz.json");
    } catch (const mv::config::ConfigError& e) {
        if (e.problems().empty()) {
            __builtin_trap(); // an error must say what is wrong
        }
    }
    return 0;
}
