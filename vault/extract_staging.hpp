#pragma once
// The two things an extraction must undo when it fails: the folders it made for the
// target, and the temporary files and folders it made inside it.

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace mv::vault {

/// The code of a file-system failure while writing restored files. A permission the caller
/// lacks on its own files is `io` ("the operating system refused", naming the folder),
/// never `forbidden`, which says the daemon refused the caller (docs/PROTOCOL.md).
ErrorCode local_code(int error);

/// The extraction's target folder: created when missing (with its missing parents, which
/// go again, when still empty, unless keep() was called), opened, and checked writable.
/// Throws Error(io) naming the folder when the caller may not write there.
class TargetFolder {
public:
    explicit TargetFolder(const std::filesystem::path& target);
    ~TargetFolder();
    TargetFolder(const TargetFolder&) = delete;
    TargetFolder& operator=(const TargetFolder&) = delete;

    int fd() const { return m_fd.get(); }
    void keep() { m_keep = true; }

private:
    std::vector<std::filesystem::path> m_made; ///< deepest first
    UniqueFd m_fd;
    bool m_keep = false;
};

/// The temporary files and directories this extraction created inside the target,
/// removed again unless the extraction completes.
class Staging {
public:
    explicit Staging(int root) : m_root(root) {}
    ~Staging();
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;

    /// Opens (creating where missing) the directory `components` below the root, one
    /// component at a time with O_NOFOLLOW: a symlink planted inside the target cannot
    /// redirect the extraction. `shown` names the file in messages.
    std::shared_ptr<UniqueFd> open_dir(const std::vector<std::string>& components,
                                       const std::string& shown);
    void add_temp(std::shared_ptr<UniqueFd> dir, std::string name);
    void commit() { m_committed = true; }

private:
    int m_root;
    std::vector<std::pair<std::shared_ptr<UniqueFd>, std::string>> m_temp_files;
    std::vector<std::pair<std::shared_ptr<UniqueFd>, std::string>> m_created_dirs;
    bool m_committed = false;
};

} // namespace mv::vault
