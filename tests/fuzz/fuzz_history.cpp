// libFuzzer harness: the audit history reader (vault/history.hpp). Every line is a record
// or a reported problem; every record it accepts is written back and read back the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vault/history.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> problems;
    const auto records = mv::vault::parse_history(text, problems);
    for (const auto& record : records) {
        const std::string line = mv::vault::history_line(record);
        std::vector<std::string> again_problems;
        const auto again = mv::vault::parse_history(line, again_problems);
        if (again.size() != 1 || !again_problems.empty() ||
            mv::vault::history_line(again.front()) != line) {
            __builtin_trap();
        }
    }
    return 0;
}
