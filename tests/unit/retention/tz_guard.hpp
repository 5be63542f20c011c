#pragma once
// Sets TZ for one test and restores the previous value afterwards: retention buckets read
// the process's local time, so every test says which zone it means.

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace mv::test {

class TzGuard {
public:
    /// Switches the process to time zone `tz` (e.g. "UTC", "America/New_York").
    explicit TzGuard(const char* tz) {
        if (const char* old = std::getenv("TZ")) {
            m_old = old;
        }
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~TzGuard() {
        if (m_old) {
            ::setenv("TZ", m_old->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }
    TzGuard(const TzGuard&) = delete;
    TzGuard& operator=(const TzGuard&) = delete;

private:
    std::optional<std::string> m_old;
};

} // namespace mv::test
