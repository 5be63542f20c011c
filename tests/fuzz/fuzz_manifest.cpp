// libFuzzer harness: the manifest reader (vault/manifest.hpp), which reads sidecars and
// the manifest.json of archives. A manifest it accepts must survive a round trip
// unchanged: what is written back is read back as the same manifest.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vault/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto manifest = mv::vault::parse_manifest(text);
    if (!manifest) {
        return 0;
    }
    const nlohmann::json written = mv::vault::to_json(*manifest);
    const auto again = mv::vault::manifest_from_json(written);
    if (!again || mv::vault::to_json(*again) != written) {
        __builtin_trap();
    }
    return 0;
}
