#include "metrics/textfile.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/fs.hpp"

namespace mv::metrics {

Result<void> write_textfile(const std::filesystem::path& target, std::string_view text) {
    const auto tmp = target.parent_path() /
                     fmt::format(".{}.{}.tmp", target.filename().string(), fs::unique_suffix());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd) {
        return failure(errno_message("cannot create " + tmp.string(), errno));
    }
    // The daemon's umask (0077 under systemd) must not hide the file from node_exporter.
    ::fchmod(fd.get(), 0644);
    auto written = fs::write_all(fd.get(), text.data(), text.size(), tmp);
    if (written && ::rename(tmp.c_str(), target.c_str()) != 0) {
        written = failure(
            errno_message("cannot rename " + tmp.string() + " to " + target.string(), errno));
    }
    if (!written) {
        ::unlink(tmp.c_str());
    }
    return written;
}

} // namespace mv::metrics
