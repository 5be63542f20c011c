#include "daemon/logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <sys/stat.h>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace mv::daemon {

namespace {

// "<3>message": sd-daemon(3) priority prefixes, understood by journald on stderr.
class JournalStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(message, formatted);
        std::fprintf(stderr, "<%d>%.*s", priority(message.level),
                     static_cast<int>(formatted.size()), formatted.data());
    }
    void flush_() override { std::fflush(stderr); }

private:
    static int priority(spdlog::level::level_enum level) {
        switch (level) {
        case spdlog::level::critical:
            return 2;
        case spdlog::level::err:
            return 3;
        case spdlog::level::warn:
            return 4;
        case spdlog::level::info:
            return 6;
        default:
            return 7;
        }
    }
};

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
    switch (level) {
    case config::LogLevel::trace:
        return spdlog::level::trace;
    case config::LogLevel::debug:
        return spdlog::level::debug;
    case config::LogLevel::info:
        return spdlog::level::info;
    case config::LogLevel::warn:
        return spdlog::level::warn;
    case config::LogLevel::error:
        return spdlog::level::err;
    case config::LogLevel::critical:
        return spdlog::level::critical;
    case config::LogLevel::off:
        return spdlog::level::off;
    }
    return spdlog::level::info;
}

} // namespace

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) {
        return false;
    }
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) {
        return false;
    }
    struct stat st {};
    return ::fstat(2, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

const char* error_line_prefix() {
    return stderr_is_journal() ? "<3>" : "";
}

void setup_logging(config::LogLevel level) {
    std::shared_ptr<spdlog::logger> logger;
    if (stderr_is_journal()) {
        logger =
            std::make_shared<spdlog::logger>("modelvaultd", std::make_shared<JournalStderrSink>());
        logger->set_pattern("%v");
    } else {
        logger = std::make_shared<spdlog::logger>(
            "modelvaultd", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    set_log_level(level);
}

void set_log_level(config::LogLevel level) {
    spdlog::set_level(to_spdlog(level));
}

} // namespace mv::daemon
